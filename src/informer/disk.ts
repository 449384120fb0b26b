/**
 * The disk informer: the IPFS repository's free space (`freespace`, more is
 * preferred) or its size (`reposize`, smaller is preferred), from
 * IPFSConnector.RepoStat.
 */
import { logger } from '@libp2p/logger'
import { makeMetric, rethrowIfAborted } from './informer.ts'
import type { Clock, Informer, InformerInit } from './informer.ts'
import type { MetricJson } from '../api/types.ts'
import type { InformerSections } from '../config/types.ts'
import type { ClusterRpcClient } from '../rpc-api.ts'

const log = logger('pincluster:informer:disk')

export interface DiskInformerInit extends InformerInit {
  config: InformerSections['disk']
}

export class DiskInformer implements Informer {
  readonly name: 'freespace' | 'reposize'
  readonly ttl: number
  private readonly rpc: ClusterRpcClient
  private readonly now: Clock

  constructor (init: DiskInformerInit) {
    this.rpc = init.rpc
    this.name = init.config.metric_type
    this.ttl = init.config.metric_ttl
    this.now = init.now ?? Date.now
  }

  async getMetrics (options: { signal: AbortSignal }): Promise<MetricJson[]> {
    let fields: { value: string, weight: number, valid: boolean }
    try {
      const stat = await this.rpc.call(undefined, 'IPFSConnector', 'RepoStat', undefined, { signal: options.signal })
      fields = this.name === 'freespace' ? freeSpace(stat.storage_max, stat.repo_size) : repoSize(stat.repo_size)
    } catch (err) {
      rethrowIfAborted(options.signal)
      log.error('cannot read the IPFS repo size: %s', (err as Error).message)
      fields = { value: '', weight: 0, valid: false }
    }
    return [makeMetric(this.rpc, this.now(), this.ttl, { name: this.name, ...fields })]
  }
}

function freeSpace (storageMax: number, repoSize: number): { value: string, weight: number, valid: boolean } {
  if (repoSize >= storageMax) {
    // a full repo takes no more pins: the metric is invalid so that the peer is no candidate
    log('the IPFS repo is full (%d of %d bytes)', repoSize, storageMax)
    return { value: '0', weight: 0, valid: false }
  }
  const free = storageMax - repoSize
  return { value: String(free), weight: free, valid: true }
}

function repoSize (size: number): { value: string, weight: number, valid: boolean } {
  // smaller repositories first
  return { value: String(size), weight: 0 - size, valid: true }
}
