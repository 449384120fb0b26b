/**
 * The tags informer: one partitionable metric `tag:<key>` per configured tag,
 * whose value is the tag's value, so that the balanced allocator can spread
 * pins across groups (`allocate_by: ["tag:group", ...]`).
 */
import { makeMetric } from './informer.ts'
import type { Clock, Informer, InformerInit } from './informer.ts'
import type { MetricJson } from '../api/types.ts'
import type { InformerSections } from '../config/types.ts'
import type { ClusterRpcClient } from '../rpc-api.ts'

export const TAG_METRIC_PREFIX = 'tag:'

export interface TagsInformerInit extends InformerInit {
  config: InformerSections['tags']
}

export class TagsInformer implements Informer {
  readonly name = 'tags'
  readonly ttl: number
  private readonly rpc: ClusterRpcClient
  private readonly tags: Array<[string, string]>
  private readonly now: Clock

  constructor (init: TagsInformerInit) {
    this.rpc = init.rpc
    this.ttl = init.config.metric_ttl
    this.tags = Object.entries(init.config.tags).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
    this.now = init.now ?? Date.now
  }

  /** One metric per tag, in key order; none when no tag is configured. */
  async getMetrics (_options: { signal: AbortSignal }): Promise<MetricJson[]> {
    const now = this.now()
    return this.tags.map(([key, value]) => makeMetric(this.rpc, now, this.ttl, {
      name: TAG_METRIC_PREFIX + key,
      value,
      weight: 0,
      partitionable: true
    }))
  }
}
