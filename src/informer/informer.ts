/**
 * What every informer is: a named source of metrics about this peer, which
 * the MetricsPublisher asks every `ttl / 2` and publishes to every peer.
 */
import type { MetricJson } from '../api/types.ts'
import type { ClusterRpcClient } from '../rpc-api.ts'

export interface Informer {
  /** The informer's name (its metric's name, or `tags` for the tag metrics). */
  readonly name: string
  /** How long its metrics stay valid, in milliseconds; they are refreshed every half of it. */
  readonly ttl: number
  /**
   * This peer's current metrics. When the source fails (the IPFS node does
   * not answer...), the metric comes back with `valid: false` rather than an
   * error, as IPFS Cluster's informers do; only an abort rejects.
   */
  getMetrics (options: { signal: AbortSignal }): Promise<MetricJson[]>
}

/** Milliseconds since the epoch (Date.now unless a test injects a clock). */
export type Clock = () => number

export interface InformerInit {
  rpc: ClusterRpcClient
  /** Milliseconds; Date.now by default. */
  now?: Clock
}

export interface MetricFields {
  name: string
  value: string
  weight: number
  valid?: boolean
  partitionable?: boolean
}

const NS_PER_MS = 1_000_000

/** A metric of this peer expiring `ttl` ms after `now` (IPFS Cluster's Metric.SetTTL). */
export function makeMetric (rpc: ClusterRpcClient, now: number, ttl: number, fields: MetricFields): MetricJson {
  return {
    name: fields.name,
    peer: rpc.localPeer.toString(),
    value: fields.value,
    expire: Math.round((now + ttl) * NS_PER_MS),
    valid: fields.valid ?? true,
    weight: fields.weight,
    partitionable: fields.partitionable ?? false,
    received_at: 0
  }
}

/** Rethrows when the caller aborted: an abort is not a failing source. */
export function rethrowIfAborted (signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason ?? new DOMException('aborted', 'AbortError')
}
