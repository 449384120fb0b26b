/** Clients of a peer's IPFS proxy: kubo-rpc-client, and plain HTTP for the answers' exact shape. */
import { create } from 'kubo-rpc-client'
import type { Cluster } from '../../src/cluster/cluster.ts'
import type { KuboRPCClient } from 'kubo-rpc-client'

export function proxyUrl (peer: Cluster): string {
  const [url] = peer.ipfsProxyUrls
  if (url == null) throw new Error('the IPFS proxy is not listening')
  return url
}

export function proxyClient (peer: Cluster): KuboRPCClient {
  return create({ url: `${proxyUrl(peer)}/api/v0` })
}

export interface RawAnswer {
  status: number
  headers: Headers
  text: string
  json: () => unknown
}

/** POSTs `/api/v0/<command>?<query>` and reads the whole answer. */
export async function rawCall (peer: Cluster, command: string, query: Array<[string, string]> = [], init: RequestInit = {}): Promise<RawAnswer> {
  const url = new URL(`/api/v0/${command}`, proxyUrl(peer))
  for (const [name, value] of query) url.searchParams.append(name, value)
  const response = await fetch(url, { method: 'POST', ...init })
  const text = await response.text()
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) }
}

export async function collect<T> (items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}
