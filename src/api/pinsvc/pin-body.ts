/**
 * The Pin object of POST /pins and POST /pins/{requestid}, checked against
 * the spec before anything is asked of the cluster: `cid` a CID (kept in its
 * canonical text), `name` at most 255 characters, `origins` at most 20
 * multiaddrs, `meta` at most 1,000 string values. Unknown fields are ignored.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { canonicalCid } from '../cid.ts'
import { badRequest } from './errors.ts'
import type { PinObject } from './types.ts'

export const MAX_NAME_LENGTH = 255
export const MAX_ORIGINS = 20
export const MAX_META_ENTRIES = 1000

export function pinFromBody (body: unknown): PinObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the body must be a Pin object: {"cid": "...", "name": "...", "origins": [...], "meta": {...}}')
  const json = body as Record<string, unknown>
  return {
    cid: cidOf(json.cid),
    name: nameOf(json.name, 'name'),
    origins: originsOf(json.origins),
    meta: metaOf(json.meta, 'meta')
  }
}

export function cidOf (value: unknown, field = 'cid'): string {
  if (value === undefined || value === null) throw badRequest(`${field} is missing`)
  if (typeof value !== 'string') throw badRequest(`${field} must be a string`)
  try {
    return canonicalCid(value)
  } catch (err) {
    throw badRequest(`${field} ${show(value)} is not a CID: ${(err as Error).message}`)
  }
}

/** An absent name is ''. Counted in characters (code points), as JSON Schema's maxLength counts. */
export function nameOf (value: unknown, field: string): string {
  if (value === undefined || value === null) return ''
  if (typeof value !== 'string') throw badRequest(`${field} must be a string`)
  const length = [...value].length
  if (length > MAX_NAME_LENGTH) throw badRequest(`${field} is ${length} characters long: at most ${MAX_NAME_LENGTH}`)
  return value
}

function originsOf (value: unknown): string[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw badRequest('origins must be an array of multiaddrs')
  if (value.length > MAX_ORIGINS) throw badRequest(`origins has ${value.length} items: at most ${MAX_ORIGINS}`)
  const origins = new Set<string>()
  for (const item of value) {
    if (typeof item !== 'string') throw badRequest('origins must be an array of multiaddrs (strings)')
    try {
      origins.add(multiaddr(item).toString())
    } catch (err) {
      throw badRequest(`origin ${show(item)} is not a multiaddr: ${(err as Error).message}`)
    }
  }
  return [...origins]
}

/** An object of string values, at most 1,000 of them; absent: {}. */
export function metaOf (value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`${field} must be an object of strings`)
  const entries = Object.entries(value as Record<string, unknown>)
  if (entries.length > MAX_META_ENTRIES) throw badRequest(`${field} has ${entries.length} entries: at most ${MAX_META_ENTRIES}`)
  const meta: Record<string, string> = {}
  for (const [key, item] of entries) {
    if (typeof item !== 'string') throw badRequest(`${field}.${key} must be a string`)
    meta[key] = item
  }
  return meta
}

/** A value as it appears in a message: quoted, and short. */
export function show (text: string): string {
  const shown = JSON.stringify(text)
  return shown.length > 100 ? shown.slice(0, 96) + '..."' : shown
}
