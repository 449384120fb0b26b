/**
 * The numpin informer: how many recursive pins this peer's IPFS node has,
 * counted as IPFSConnector.PinLs streams them (never collected). Peers with
 * fewer pins are preferred.
 */
import { logger } from '@libp2p/logger'
import { makeMetric, rethrowIfAborted } from './informer.ts'
import type { Clock, Informer, InformerInit } from './informer.ts'
import type { MetricJson } from '../api/types.ts'
import type { InformerSections } from '../config/types.ts'
import type { ClusterRpcClient } from '../rpc-api.ts'

const log = logger('pincluster:informer:numpin')

export interface NumPinInformerInit extends InformerInit {
  config: InformerSections['numpin']
}

export class NumPinInformer implements Informer {
  readonly name = 'numpin'
  readonly ttl: number
  private readonly rpc: ClusterRpcClient
  private readonly now: Clock

  constructor (init: NumPinInformerInit) {
    this.rpc = init.rpc
    this.ttl = init.config.metric_ttl
    this.now = init.now ?? Date.now
  }

  async getMetrics (options: { signal: AbortSignal }): Promise<MetricJson[]> {
    let fields: { value: string, weight: number, valid: boolean }
    try {
      let count = 0
      for await (const _pin of this.rpc.stream(undefined, 'IPFSConnector', 'PinLs', { type: 'recursive' }, { signal: options.signal })) count++
      fields = { value: String(count), weight: 0 - count, valid: true }
    } catch (err) {
      rethrowIfAborted(options.signal)
      log.error('cannot count the IPFS pins: %s', (err as Error).message)
      fields = { value: '', weight: 0, valid: false }
    }
    return [makeMetric(this.rpc, this.now(), this.ttl, { name: this.name, ...fields })]
  }
}
