/**
 * The PeerMonitor: keeps the latest metric of every cluster peer for every
 * metric name, sends this peer's metrics to every peer, and raises an alert
 * when a peer's metric expires (its peer stopped publishing it: down,
 * partitioned, or its informer failing).
 *
 * - LogMetric keeps a metric of a member of the consensus peerset (others are
 *   ignored), stamped with `received_at`; a remote caller may only log its
 *   own metrics.
 * - PublishMetric sends a metric to every member (this peer included) with a
 *   multiCall; invalid or expired metrics are not sent.
 * - LatestMetrics answers each current member's latest metric of a name when
 *   it is valid and unexpired.
 * - Every `check_interval`, each member's metric that expired and was not
 *   alerted yet raises one alert: kept for Alerts (the last `maxAlerts`) and
 *   delivered to Cluster.HandleAlert. The next usable metric re-arms it.
 *   Peers that left the peerset are forgotten.
 */
import { logger } from '@libp2p/logger'
import { AlertLog } from './alert-log.ts'
import { MetricStore, isUsable } from './metric-store.ts'
import { PeersetCache } from './peerset.ts'
import type { Peerset } from './peerset.ts'
import type { AlertJson, MetricJson } from '../api/types.ts'
import type { MonitorSection } from '../config/types.ts'
import type { CallContext } from '../rpc/types.ts'
import type { ClusterApi, ClusterRpcClient, Component, ComponentInit } from '../rpc-api.ts'

const log = logger('pincluster:monitor')

const NS_PER_MS = 1_000_000
const DEFAULT_PEERSET_TTL = 2_000
const DEFAULT_MAX_ALERTS = 1_000
/** An unknown sender makes the monitor ask for the peerset again, at most this often (ms): it may have just joined. */
const UNKNOWN_PEER_REFRESH = 100

export interface PeerMonitorInit extends ComponentInit {
  config: MonitorSection
  /** Milliseconds since the epoch; Date.now by default. Expiry is judged by it. */
  now?: () => number
  /** How long the consensus peerset is reused, in ms (default 2 s). */
  peersetTtl?: number
  /** Alerts kept for `Alerts` (default 1000). */
  maxAlerts?: number
}

/** A LogMetric whose metric is not the calling peer's own. */
export class MetricSenderError extends Error {
  static readonly NAME = 'MetricSenderError'
  constructor (message: string) {
    super(message)
    this.name = MetricSenderError.NAME
  }
}

export class PeerMonitor implements Component {
  readonly name = 'monitor'
  private readonly rpc: ClusterRpcClient
  private readonly checkInterval: number
  private readonly now: () => number
  private readonly store = new MetricStore()
  private readonly alerts: AlertLog
  private readonly peerset: PeersetCache
  private readonly deliveries = new Set<Promise<void>>()
  private controller?: AbortController
  private timer?: ReturnType<typeof setTimeout>
  private running?: Promise<void>

  constructor (init: PeerMonitorInit) {
    this.rpc = init.rpc
    this.checkInterval = init.config.check_interval
    this.now = init.now ?? Date.now
    this.alerts = new AlertLog(init.maxAlerts ?? DEFAULT_MAX_ALERTS)
    this.peerset = new PeersetCache({
      rpc: init.rpc,
      ttl: init.peersetTtl ?? DEFAULT_PEERSET_TTL,
      now: this.now,
      onRefresh: (peerset) => { this.forgetDeparted(peerset) }
    })
  }

  async start (): Promise<void> {
    if (this.controller != null) return
    this.controller = new AbortController()
    this.schedule(this.controller.signal)
  }

  async stop (): Promise<void> {
    const controller = this.controller
    if (controller == null) return
    this.controller = undefined
    controller.abort()
    clearTimeout(this.timer)
    await this.running
    await Promise.allSettled([...this.deliveries])
  }

  service (): ClusterApi['PeerMonitor'] {
    return {
      LogMetric: async (metric, ctx) => { await this.logMetric(metric, ctx) },
      PublishMetric: async (metric, { signal }) => { await this.publishMetric(metric, signal) },
      LatestMetrics: async (name) => this.latestMetrics(name),
      MetricNames: async () => this.store.names(),
      Alerts: async () => this.alerts.list()
    }
  }

  /** Keeps a metric from a member. */
  async logMetric (metric: MetricJson, ctx: Partial<CallContext> = {}): Promise<void> {
    checkMetric(metric)
    if (ctx.peer != null && ctx.peer.toString() !== metric.peer) {
      throw new MetricSenderError(`peer ${ctx.peer.toString()} sent a metric of peer ${metric.peer}`)
    }
    let peerset = await this.peerset.get()
    if (!peerset.ids.has(metric.peer) && this.peerset.age() >= UNKNOWN_PEER_REFRESH) peerset = await this.peerset.get(0)
    if (!peerset.ids.has(metric.peer)) {
      log('ignoring metric %s of %s: not a cluster peer', metric.name, metric.peer)
      return
    }
    const now = this.nowNs()
    this.store.add({ ...metric, received_at: now }, now)
  }

  /** Sends a metric of this peer to every member. */
  async publishMetric (metric: MetricJson, signal?: AbortSignal): Promise<void> {
    checkMetric(metric)
    if (!isUsable(metric, this.nowNs())) {
      log('not publishing invalid or expired metric %s', metric.name)
      return
    }
    const { peers } = await this.peerset.get()
    const results = await this.rpc.multiCall(peers, 'PeerMonitor', 'LogMetric', metric, { signal })
    for (const result of results) {
      if (result.error != null) log('metric %s did not reach %p: %s', metric.name, result.peer, result.error.message)
    }
  }

  /** Each current member's latest valid, unexpired metric of `name`, by peer id. */
  async latestMetrics (name: string): Promise<MetricJson[]> {
    const { ids } = await this.peerset.get()
    return this.store.latestUsable(name, this.nowNs(), ids)
  }

  /**
   * One round of the check loop (also callable directly): reads the peerset
   * afresh, forgets departed peers, and alerts each newly expired metric of a
   * member. Resolves with the new alerts once raised (their delivery to
   * Cluster.HandleAlert goes on in the background).
   */
  async check (): Promise<AlertJson[]> {
    const { ids } = await this.peerset.get(0)
    const now = this.now()
    const triggeredAt = new Date(now).toISOString()
    const raised = this.store.takeExpired(now * NS_PER_MS, ids).map((metric): AlertJson => ({ ...metric, triggered_at: triggeredAt }))
    for (const alert of raised) {
      log('alert: metric %s of %s expired', alert.name, alert.peer)
      this.alerts.add(alert)
      this.deliver(alert)
    }
    return raised
  }

  private deliver (alert: AlertJson): void {
    const signal = this.controller?.signal
    const delivery = this.rpc.call(undefined, 'Cluster', 'HandleAlert', alert, { signal })
      .catch((err: Error) => { log.error('Cluster.HandleAlert failed for %s of %s: %s', alert.name, alert.peer, err.message) })
      .finally(() => { this.deliveries.delete(delivery) })
    this.deliveries.add(delivery)
  }

  private forgetDeparted (peerset: Peerset): void {
    for (const peer of this.store.retainPeers(peerset.ids)) log('forgot the metrics of %s: it left the peerset', peer)
  }

  private schedule (signal: AbortSignal): void {
    if (signal.aborted) return
    this.timer = setTimeout(() => {
      this.running = this.check()
        .then(() => {}, (err: Error) => { log.error('metric check failed: %s', err.message) })
        .finally(() => {
          this.running = undefined
          this.schedule(signal)
        })
    }, this.checkInterval)
  }

  private nowNs (): number {
    return this.now() * NS_PER_MS
  }
}

/** Refuses what is not a metric (LogMetric is called by other peers). */
function checkMetric (metric: MetricJson): void {
  const ok = typeof metric === 'object' && metric !== null &&
    typeof metric.name === 'string' && metric.name !== '' &&
    typeof metric.peer === 'string' && metric.peer !== '' &&
    typeof metric.value === 'string' &&
    typeof metric.expire === 'number' && Number.isFinite(metric.expire) &&
    typeof metric.valid === 'boolean' &&
    typeof metric.weight === 'number' && Number.isFinite(metric.weight) &&
    typeof metric.partitionable === 'boolean'
  if (!ok) throw new TypeError('not a metric: name, peer, value, expire, valid, weight and partitionable are required')
}
