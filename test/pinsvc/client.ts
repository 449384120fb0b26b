/** A small client of the Pinning Service API for tests, and content to pin. */
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import type { Cluster } from '../../src/cluster/cluster.ts'
import type { PinResultsJson, PinStatusJson } from '../../src/api/pinsvc/types.ts'

export interface Answer<T = unknown> {
  status: number
  headers: Headers
  body: T
  text: string
}

export class PinSvcClient {
  readonly url: string
  private readonly headers: Record<string, string>

  constructor (url: string, headers: Record<string, string> = {}) {
    this.url = url
    this.headers = headers
  }

  withHeaders (headers: Record<string, string>): PinSvcClient {
    return new PinSvcClient(this.url, headers)
  }

  async request<T = unknown> (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
    const init: RequestInit = { method, headers: { ...this.headers, ...headers } }
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body)
      init.headers = { 'content-type': 'application/json', ...init.headers }
    }
    const res = await fetch(this.url + path, init)
    const text = await res.text()
    let parsed: unknown
    try {
      parsed = text === '' ? undefined : JSON.parse(text)
    } catch {
      parsed = undefined
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text }
  }

  async add (pin: Record<string, unknown>): Promise<PinStatusJson> {
    return this.expect<PinStatusJson>(202, 'POST', '/pins', pin)
  }

  async get (id: string): Promise<PinStatusJson> {
    return this.expect<PinStatusJson>(200, 'GET', `/pins/${id}`)
  }

  async replace (id: string, pin: Record<string, unknown>): Promise<PinStatusJson> {
    return this.expect<PinStatusJson>(202, 'POST', `/pins/${id}`, pin)
  }

  async remove (id: string): Promise<void> {
    await this.expect(202, 'DELETE', `/pins/${id}`)
  }

  async list (query: Record<string, string | string[]> = {}): Promise<PinResultsJson> {
    return this.expect<PinResultsJson>(200, 'GET', '/pins' + queryString(query))
  }

  private async expect<T> (status: number, method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.request<T>(method, path, body)
    if (answer.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${answer.status}: ${answer.text}`)
    return answer.body
  }
}

export function queryString (query: Record<string, string | string[]>): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, item)
  }
  const text = params.toString()
  return text === '' ? '' : '?' + text
}

export function clientOf (peer: Cluster): PinSvcClient {
  const url = peer.pinSvcApiUrls[0]
  if (url == null) throw new Error('the Pinning Service API does not listen')
  return new PinSvcClient(url)
}

/** A small DAG (a dag-cbor root linking a raw leaf) stored on one peer's IPFS node. */
export async function addContent (peer: Cluster, label: string): Promise<string> {
  const put = async (data: Uint8Array, codec: string): Promise<string> => peer.rpc.call(undefined, 'IPFSConnector', 'BlockPut', { data, codec })
  const leaf = await put(new TextEncoder().encode(`${label} ${Math.random()}`), 'raw')
  return put(dagCbor.encode({ label, leaf: CID.parse(leaf) }), 'dag-cbor')
}

/** The CID of content no IPFS node has: pinning it never finishes (or fails after pin_timeout). */
export async function missingCid (): Promise<string> {
  const digest = await sha256.digest(crypto.getRandomValues(new Uint8Array(32)))
  return CID.createV1(raw.code, digest).toString()
}

/** Whether the cluster's pinset holds the CID. */
export async function inPinset (peer: Cluster, cid: string): Promise<boolean> {
  try {
    await peer.rpc.call(undefined, 'Cluster', 'PinGet', cid)
    return true
  } catch (err) {
    if ((err as Error).name === 'PinNotFoundError') return false
    throw err
  }
}
