/**
 * The pinqueue informer: how many operations this peer's pin tracker has
 * queued or in flight. Shorter queues are preferred; queues within the same
 * `weight_bucket_size` weigh the same, so that other metrics decide between
 * them (IPFS Cluster's weight = -queued / bucket size).
 */
import { logger } from '@libp2p/logger'
import { makeMetric, rethrowIfAborted } from './informer.ts'
import type { Clock, Informer, InformerInit } from './informer.ts'
import type { MetricJson } from '../api/types.ts'
import type { InformerSections } from '../config/types.ts'
import type { ClusterRpcClient } from '../rpc-api.ts'

const log = logger('pincluster:informer:pinqueue')

export interface PinQueueInformerInit extends InformerInit {
  config: InformerSections['pinqueue']
}

export class PinQueueInformer implements Informer {
  readonly name = 'pinqueue'
  readonly ttl: number
  private readonly bucketSize: number
  private readonly rpc: ClusterRpcClient
  private readonly now: Clock

  constructor (init: PinQueueInformerInit) {
    this.rpc = init.rpc
    this.ttl = init.config.metric_ttl
    this.bucketSize = init.config.weight_bucket_size
    this.now = init.now ?? Date.now
  }

  async getMetrics (options: { signal: AbortSignal }): Promise<MetricJson[]> {
    let fields: { value: string, weight: number, valid: boolean }
    try {
      const queued = await this.rpc.call(undefined, 'PinTracker', 'PinQueueSize', undefined, { signal: options.signal })
      fields = { value: String(queued), weight: pinQueueWeight(queued, this.bucketSize), valid: true }
    } catch (err) {
      rethrowIfAborted(options.signal)
      log.error('cannot read the pin queue size: %s', (err as Error).message)
      fields = { value: '', weight: 0, valid: false }
    }
    return [makeMetric(this.rpc, this.now(), this.ttl, { name: this.name, ...fields })]
  }
}

/** -queued / bucketSize, truncated as Go's integer division (never -0). */
export function pinQueueWeight (queued: number, bucketSize: number): number {
  const buckets = bucketSize > 0 ? Math.floor(queued / bucketSize) : queued
  return 0 - buckets
}
