/**
 * Publishes this peer's metrics: every informer's every half of its TTL, and
 * the liveness metric `ping` every `monitor_ping_interval`, each through
 * PeerMonitor.PublishMetric (which sends it to every peer). The first round
 * starts at once without delaying start(); a failing informer or publication
 * is logged and the loop goes on. Each informer has its own loop, so a slow
 * one delays nobody else; a round never overlaps the previous one.
 */
import { logger } from '@libp2p/logger'
import { withDeadline } from '../util/deadline.ts'
import { PingInformer } from './ping.ts'
import type { Clock, Informer } from './informer.ts'
import type { Component, ComponentInit, ClusterRpcClient } from '../rpc-api.ts'

const log = logger('pincluster:informer:publisher')

export interface MetricsPublisherInit extends ComponentInit {
  informers: Informer[]
  /** `cluster.monitor_ping_interval` in milliseconds. */
  pingInterval: number
  /** Milliseconds; Date.now by default (the ping's expiry). */
  now?: Clock
}

interface Loop {
  informer: Informer
  interval: number
  timer?: ReturnType<typeof setTimeout>
  running?: Promise<void>
}

export class MetricsPublisher implements Component {
  readonly name = 'metrics-publisher'
  private readonly rpc: ClusterRpcClient
  private readonly loops: Loop[]
  private controller?: AbortController

  constructor (init: MetricsPublisherInit) {
    this.rpc = init.rpc
    const ping = new PingInformer({ rpc: init.rpc, interval: init.pingInterval, now: init.now })
    this.loops = [...init.informers, ping].map((informer) => ({ informer, interval: Math.max(1, Math.floor(informer.ttl / 2)) }))
  }

  async start (): Promise<void> {
    if (this.controller != null) return
    this.controller = new AbortController()
    for (const loop of this.loops) this.schedule(loop, 0, this.controller.signal)
  }

  async stop (): Promise<void> {
    const controller = this.controller
    if (controller == null) return
    this.controller = undefined
    controller.abort()
    for (const loop of this.loops) clearTimeout(loop.timer)
    await Promise.all(this.loops.map(async (loop) => loop.running))
  }

  /** Gets one informer's metrics and publishes them now; resolves when done (failures are logged). */
  async publish (informer: Informer, signal: AbortSignal): Promise<void> {
    const ttl = informer.ttl
    let metrics
    try {
      metrics = await withDeadline(signal, ttl, async (s) => informer.getMetrics({ signal: s }))
    } catch (err) {
      if (!signal.aborted) log.error('informer %s failed: %s', informer.name, (err as Error).message)
      return
    }
    for (const metric of metrics) {
      if (signal.aborted) return
      if (!metric.valid) {
        log('not publishing the invalid metric %s', metric.name)
        continue
      }
      try {
        await withDeadline(signal, ttl, async (s) => this.rpc.call(undefined, 'PeerMonitor', 'PublishMetric', metric, { signal: s }))
      } catch (err) {
        if (!signal.aborted) log.error('publishing metric %s failed: %s', metric.name, (err as Error).message)
      }
    }
  }

  private schedule (loop: Loop, delay: number, signal: AbortSignal): void {
    if (signal.aborted) return
    loop.timer = setTimeout(() => {
      const started = performance.now()
      loop.running = this.publish(loop.informer, signal).finally(() => {
        loop.running = undefined
        // a fixed rate: the next round starts one interval after this one started
        this.schedule(loop, Math.max(0, loop.interval - (performance.now() - started)), signal)
      })
    }, delay)
  }
}
