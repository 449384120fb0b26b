/**
 * The liveness metric `ping`, published every `monitor_ping_interval` and
 * valid for twice that: a peer whose ping expired is down for the monitor
 * and no allocation candidate. Its value is IPFS Cluster's ping value, JSON
 * `{"peer_name", "ipfs_id", "ipfs_addresses"}` (empty fields omitted), from
 * Cluster.ID; when that does not answer in time the last value is reused: the
 * ping itself must not wait on the IPFS node.
 */
import { logger } from '@libp2p/logger'
import { withDeadline } from '../util/deadline.ts'
import { makeMetric, rethrowIfAborted } from './informer.ts'
import type { Clock, Informer, InformerInit } from './informer.ts'
import type { MetricJson } from '../api/types.ts'
import type { ClusterRpcClient } from '../rpc-api.ts'

const log = logger('pincluster:informer:ping')

export const PING_METRIC = 'ping'

export interface PingInformerInit extends InformerInit {
  /** `cluster.monitor_ping_interval` in milliseconds; the metric lives twice that. */
  interval: number
}

export class PingInformer implements Informer {
  readonly name = PING_METRIC
  readonly ttl: number
  private readonly rpc: ClusterRpcClient
  private readonly now: Clock
  private value = ''

  constructor (init: PingInformerInit) {
    this.rpc = init.rpc
    this.ttl = 2 * init.interval
    this.now = init.now ?? Date.now
  }

  async getMetrics (options: { signal: AbortSignal }): Promise<MetricJson[]> {
    try {
      const id = await withDeadline(options.signal, Math.max(1, Math.floor(this.ttl / 4)), async (signal) =>
        this.rpc.call(undefined, 'Cluster', 'ID', undefined, { signal }))
      this.value = pingValue(id.peername, id.ipfs.error === '' ? id.ipfs.id : '', id.ipfs.error === '' ? id.ipfs.addresses : [])
    } catch (err) {
      rethrowIfAborted(options.signal)
      log('Cluster.ID did not answer, reusing the last ping value: %s', (err as Error).message)
    }
    return [makeMetric(this.rpc, this.now(), this.ttl, { name: this.name, value: this.value, weight: 0 })]
  }
}

function pingValue (peername: string, ipfsId: string, ipfsAddresses: string[]): string {
  const value: Record<string, unknown> = {}
  if (peername !== '') value.peer_name = peername
  if (ipfsId !== '') value.ipfs_id = ipfsId
  if (ipfsAddresses.length > 0) value.ipfs_addresses = ipfsAddresses
  return JSON.stringify(value)
}
