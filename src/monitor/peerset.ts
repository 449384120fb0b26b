/**
 * The consensus peerset (Consensus.Peers), cached briefly: metrics arrive
 * from every peer every few seconds and need not ask the consensus each time.
 * Concurrent readers share one request; when a request fails, the last known
 * peerset stays in use.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { logger } from '@libp2p/logger'
import { withDeadline } from '../util/deadline.ts'
import type { ClusterRpcClient } from '../rpc-api.ts'
import type { PeerId } from '@libp2p/interface'

const log = logger('pincluster:monitor:peerset')

/** Longest a Consensus.Peers request may take (it answers from memory). */
const REQUEST_TIMEOUT = 10_000

export interface Peerset {
  ids: ReadonlySet<string>
  peers: PeerId[]
}

export interface PeersetCacheInit {
  rpc: ClusterRpcClient
  /** How long a peerset is reused, in milliseconds. */
  ttl: number
  now: () => number
  /** Called with every freshly fetched peerset. */
  onRefresh?: (peerset: Peerset) => void
}

export class PeersetCache {
  private readonly init: PeersetCacheInit
  private current?: Peerset
  private fetchedAt = -Infinity
  private pending?: Promise<Peerset>

  constructor (init: PeersetCacheInit) {
    this.init = init
  }

  /** The peerset, fetched again when older than `maxAge` ms (the cache TTL by default). */
  async get (maxAge = this.init.ttl): Promise<Peerset> {
    if (this.current != null && this.age() < maxAge) return this.current
    return this.refresh()
  }

  /** Milliseconds since the peerset was fetched (Infinity when the clock went back: fetch again). */
  age (): number {
    const age = this.init.now() - this.fetchedAt
    return age >= 0 ? age : Infinity
  }

  private async refresh (): Promise<Peerset> {
    this.pending ??= this.fetch().finally(() => { this.pending = undefined })
    return this.pending
  }

  private async fetch (): Promise<Peerset> {
    try {
      const ids = await withDeadline(undefined, REQUEST_TIMEOUT, async (signal) =>
        this.init.rpc.call(undefined, 'Consensus', 'Peers', undefined, { signal }))
      const peerset: Peerset = { ids: new Set(ids), peers: ids.map((id) => peerIdFromString(id)) }
      this.current = peerset
      this.fetchedAt = this.init.now()
      this.init.onRefresh?.(peerset)
      return peerset
    } catch (err) {
      if (this.current == null) throw err
      log.error('cannot read the peerset, using the last one: %s', (err as Error).message)
      return this.current
    }
  }
}
