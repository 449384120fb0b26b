/**
 * The balanced allocator: orders the peers that may receive a pin, priority
 * peers (the user's allocations) first, then the other candidates, each by
 * the `allocate_by` metrics (see partition.ts). Peers holding the pin already
 * are never repeated; they count when spreading the new ones across groups.
 * It holds nothing and calls nobody: allocate.ts gathers the metrics.
 */
import { logger } from '@libp2p/logger'
import { orderPeers } from './partition.ts'
import type { PeerMetricMap } from './partition.ts'
import type { MetricJson } from '../api/types.ts'
import type { BalancedAllocatorSection } from '../config/types.ts'
import type { AllocateRequest, ClusterApi, Component, ComponentInit, PeerMetrics } from '../rpc-api.ts'

const log = logger('pincluster:allocator')

export interface BalancedAllocatorInit extends ComponentInit {
  config: BalancedAllocatorSection
}

export class BalancedAllocator implements Component {
  readonly name = 'allocator'
  private readonly allocateBy: string[]

  constructor (init: BalancedAllocatorInit) {
    this.allocateBy = [...init.config.allocate_by]
  }

  async start (): Promise<void> {}

  async stop (): Promise<void> {}

  service (): ClusterApi['Allocator'] {
    return {
      Allocate: async (request) => this.allocate(request),
      Metrics: async () => [...this.allocateBy]
    }
  }

  /** Priority peers then candidates, best first; peers lacking an `allocate_by` metric are left out. */
  allocate (request: AllocateRequest): string[] {
    const current = toMap(request.current)
    const priority = toMap(request.priority, current)
    const candidates = toMap(request.candidates, current, priority)
    const first = orderPeers(this.allocateBy, priority, current)
    const taken: PeerMetricMap = new Map([...current, ...priority])
    const then = orderPeers(this.allocateBy, candidates, taken)
    log('allocating %s by %s: %s then %s', request.cid, this.allocateBy.join(','), first.join(','), then.join(','))
    return [...first, ...then]
  }
}

/** Valid metrics by peer and name, leaving out the peers of `exclude`. */
function toMap (metrics: PeerMetrics | null | undefined, ...exclude: PeerMetricMap[]): PeerMetricMap {
  const out: PeerMetricMap = new Map()
  for (const [peer, list] of Object.entries(metrics ?? {})) {
    if (exclude.some((e) => e.has(peer))) continue
    const byName = new Map<string, MetricJson>()
    for (const metric of list ?? []) if (metric.valid) byName.set(metric.name, metric)
    out.set(peer, byName)
  }
  return out
}
