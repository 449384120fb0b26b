/** The `{cid}` of a URL path (`/pins/{cid}`, `/allocations/{cid}`): checked before any RPC call. */
import { parseCid } from '../cid.ts'
import { HttpError } from './errors.ts'
import { quote } from './query.ts'
import type { FastifyRequest } from 'fastify'

/**
 * The CID's canonical text (what IPFS Cluster prints: base58btc for v0,
 * base32 for v1), or a 400 naming the value and what is wrong with it.
 */
export function cidParam (text: string): string {
  try {
    return parseCid(text).toString()
  } catch (err) {
    throw new HttpError(400, `invalid CID ${quote(text)}: ${(err as Error).message}`)
  }
}

/** The `{cid}` of the request's path (a route declared with `:cid`), checked. */
export function cidFromPath (request: FastifyRequest): string {
  return cidParam((request.params as { cid: string }).cid)
}
