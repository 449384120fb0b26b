/**
 * The import parameters of an add request, from the query as IPFS Cluster's
 * `AddParamsFromQuery` names them. Every value that cannot be used is an
 * AddInputError (400) naming the parameter, before any byte of the body is
 * read. The pin options (`name`, `replication`...) are parsed by the API
 * that receives the request.
 */
import { badAddParameter } from './errors.ts'
import { DEFAULT_MHTYPE, MHTYPES } from '../ipfsconn/block-cid.ts'
import type { AddFormat, ChunkerSpec, ImportParams, Layout } from './types.ts'

/** Kubo's default chunk size, and its limit (bigger blocks do not travel over bitswap). */
export const DEFAULT_CHUNK_SIZE = 262_144
export const MAX_CHUNK_SIZE = 1_048_576
/** Kubo refuses smaller rabin minimums. */
const MIN_RABIN_SIZE = 16

const LAYOUTS: readonly Layout[] = ['balanced', 'trickle']
const FORMATS: readonly AddFormat[] = ['unixfs', 'car']

export function importParamsFromQuery (query: URLSearchParams): ImportParams {
  const format = oneOf(query, 'format', FORMATS) ?? 'unixfs'
  const rawLeaves = booleanParam(query, 'raw-leaves')
  // anything but sha2-256 implies CIDv1, as in Kubo
  const hash = text(query, 'hash') ?? DEFAULT_MHTYPE
  if (format === 'unixfs' && !MHTYPES.includes(hash)) {
    throw badAddParameter('hash', `${JSON.stringify(hash)} is not supported: UnixFS imports hash with ${MHTYPES.join(', ')} only`)
  }
  let cidVersion = cidVersionOf(query)
  if (hash !== DEFAULT_MHTYPE) {
    // a CIDv0 is a sha2-256 multihash: Kubo moves to CIDv1, unless CIDv0 was asked for
    if (cidVersion === 0) throw badAddParameter('cid-version', `CIDv0 only supports sha2-256, not ${hash}`)
    cidVersion = 1
  }
  if (booleanParam(query, 'nocopy') === true) throw badAddParameter('nocopy', 'not supported: there is no filestore to reference files from')
  if (booleanParam(query, 'shard') === true) throw badAddParameter('shard', 'sharding is not supported')
  return {
    format,
    chunker: parseChunker(text(query, 'chunker') ?? `size-${DEFAULT_CHUNK_SIZE}`),
    // as in Kubo: CIDv1 implies raw leaves unless raw-leaves=false is explicit
    rawLeaves: rawLeaves ?? (cidVersion ?? 0) > 0,
    cidVersion: cidVersion ?? 0,
    layout: oneOf(query, 'layout', LAYOUTS) ?? 'balanced',
    hash,
    wrapWithDirectory: booleanParam(query, 'wrap-with-directory') ?? false,
    local: booleanParam(query, 'local') ?? false,
    noPin: booleanParam(query, 'no-pin') ?? false,
    progress: booleanParam(query, 'progress') ?? false,
    hidden: booleanParam(query, 'hidden') ?? false,
    recursive: booleanParam(query, 'recursive') ?? false
  }
}

/**
 * A boolean as Go's strconv.ParseBool reads it (1, t, true, TRUE, True, 0,
 * f, false...); undefined when absent or empty.
 */
export function booleanParam (query: URLSearchParams, name: string): boolean | undefined {
  const value = text(query, name)
  if (value === undefined) return undefined
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false
  throw badAddParameter(name, `${JSON.stringify(value)} is not a boolean (true or false)`)
}

/** `size-<bytes>`, `rabin`, `rabin-<avg>` or `rabin-<min>-<avg>-<max>`, as Kubo reads them. */
export function parseChunker (spec: string): ChunkerSpec {
  const fail = (problem: string): Error => badAddParameter('chunker', `${JSON.stringify(spec)}: ${problem}`)
  if (spec.startsWith('size-')) {
    const size = positiveInteger(spec.slice('size-'.length))
    if (size == null) throw fail('expected size-<bytes>')
    if (size > MAX_CHUNK_SIZE) throw fail(`chunks are at most ${MAX_CHUNK_SIZE} bytes`)
    return { kind: 'size', size }
  }
  if (spec === 'rabin' || spec.startsWith('rabin-')) {
    const parts = spec === 'rabin' ? [] : spec.slice('rabin-'.length).split('-').map(positiveInteger)
    if (parts.some((n) => n == null) || (parts.length !== 0 && parts.length !== 1 && parts.length !== 3)) {
      throw fail('expected rabin, rabin-<avg> or rabin-<min>-<avg>-<max>')
    }
    const sizes = parts as number[]
    let avg = DEFAULT_CHUNK_SIZE
    let min: number
    let max: number
    if (sizes.length === 3) {
      [min, avg, max] = sizes as [number, number, number]
    } else {
      avg = sizes[0] ?? avg
      min = Math.floor(avg / 3)
      max = avg + Math.floor(avg / 2)
    }
    if (min < MIN_RABIN_SIZE) throw fail(`the rabin minimum must be at least ${MIN_RABIN_SIZE}`)
    if (!(min <= avg && avg <= max)) throw fail('rabin sizes must be min <= avg <= max')
    if (max > MAX_CHUNK_SIZE) throw fail(`chunks are at most ${MAX_CHUNK_SIZE} bytes`)
    return { kind: 'rabin', min, avg, max }
  }
  if (spec.startsWith('buzhash')) throw fail('the buzhash chunker is not supported; use size-<bytes> or rabin')
  throw fail('unknown chunker; use size-<bytes>, rabin, rabin-<avg> or rabin-<min>-<avg>-<max>')
}

/** The asked CID version; undefined when not given (CIDv0, unless the hash needs CIDv1). */
function cidVersionOf (query: URLSearchParams): 0 | 1 | undefined {
  const value = text(query, 'cid-version')
  if (value === undefined) return undefined
  if (value === '0' || value === '1') return Number(value) as 0 | 1
  throw badAddParameter('cid-version', `${JSON.stringify(value)} is not 0 or 1`)
}

function oneOf<T extends string> (query: URLSearchParams, name: string, values: readonly T[]): T | undefined {
  const value = text(query, name)
  if (value === undefined) return undefined
  if (!(values as readonly string[]).includes(value)) throw badAddParameter(name, `${JSON.stringify(value)} is not one of ${values.join(', ')}`)
  return value as T
}

/** The first value, undefined when absent or empty (Go's `url.Values.Get`). */
function text (query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name)
  return value == null || value === '' ? undefined : value
}

function positiveInteger (text: string | undefined): number | undefined {
  if (text == null || !/^\d+$/.test(text)) return undefined
  const n = Number(text)
  return Number.isSafeInteger(n) && n > 0 ? n : undefined
}
