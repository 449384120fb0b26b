/**
 * The cluster's periodic pass over the pinset (IPFS Cluster's StateSync):
 * pins whose `expire_at` has passed are unpinned. Only the leader does it,
 * so that one unpin is committed per expired pin, not one per peer.
 */
import { logger } from '@libp2p/logger'
import { ZERO_TIME } from '../api/types.ts'
import type { ClusterRpcClient, Component, ComponentInit } from '../rpc-api.ts'

const log = logger('pincluster:cluster:state-sync')

export interface StateSyncInit extends ComponentInit {
  self: string
  /** cluster.state_sync_interval */
  interval: number
}

export class StateSync implements Component {
  readonly name = 'state-sync'
  private readonly rpc: ClusterRpcClient
  private readonly self: string
  private readonly interval: number
  private controller?: AbortController
  private timer?: ReturnType<typeof setTimeout>
  private running?: Promise<void>

  constructor (init: StateSyncInit) {
    this.rpc = init.rpc
    this.self = init.self
    this.interval = init.interval
  }

  async start (): Promise<void> {
    this.controller = new AbortController()
    this.schedule(this.controller.signal)
  }

  async stop (): Promise<void> {
    clearTimeout(this.timer)
    this.controller?.abort(new Error('state sync stopping'))
    await this.running
  }

  private schedule (signal: AbortSignal): void {
    if (signal.aborted) return
    this.timer = setTimeout(() => {
      this.running = this.sync(signal)
        .then(() => {})
        .catch((err: Error) => { if (!signal.aborted) log.error('state sync failed: %s', err.message) })
        .finally(() => { this.schedule(signal) })
    }, this.interval)
  }

  /** Unpins what expired; answers how many. */
  async sync (signal: AbortSignal): Promise<number> {
    const leader = await this.rpc.call(undefined, 'Consensus', 'Leader', undefined, { signal })
    if (leader !== this.self) return 0
    const now = Date.now()
    let expired = 0
    for await (const pin of this.rpc.stream(undefined, 'Consensus', 'Pins', undefined, { signal })) {
      if (pin.expire_at === ZERO_TIME || Date.parse(pin.expire_at) > now) continue
      try {
        await this.rpc.call(undefined, 'Cluster', 'Unpin', pin.cid, { signal })
        expired++
        log('unpinned %s: it expired at %s', pin.cid, pin.expire_at)
      } catch (err) {
        if (signal.aborted) throw err
        log.error('could not unpin expired %s: %s', pin.cid, (err as Error).message)
      }
    }
    return expired
  }
}
