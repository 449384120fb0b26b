/**
 * Pin options from query parameters, as IPFS Cluster reads them
 * (`PinOptions.FromQuery`): `POST /pins/{cid}?name=...&replication=2`.
 *
 * Like Go's `url.Values.Get`, a repeated parameter counts by its first value
 * and an empty one as absent. Unlike IPFS Cluster, which falls back to a
 * default or drops what it cannot read (an unknown mode, a bad peer id, a
 * value another parameter overrides), every value that cannot be read is a
 * 400 naming the parameter.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { canonicalCid } from '../cid.ts'
import { defaultPinOptions } from '../pin.ts'
import { rfc3339Problem } from '../rfc3339.ts'
import { parseGoDuration } from '../../config/duration.ts'
import { badParameter, quote } from './query.ts'
import type { PinMode, PinOptionsJson } from '../types.ts'

/** Query parameters that are metadata: `meta-<key>=<value>`. */
const META_PREFIX = 'meta-'
/** IPFS Cluster refuses shorter `expire-in` durations. */
const MIN_EXPIRE_IN_MS = 1000
const PIN_MODES: readonly PinMode[] = ['recursive', 'direct']

/**
 * The full PinOptions the query asks for, defaults for what it leaves out
 * (0 replication factors: the cluster's defaults). `now` (ms since the epoch)
 * is what `expire-in` counts from. Throws an HttpError 400.
 */
export function pinOptionsFromQuery (query: URLSearchParams, now: number): PinOptionsJson {
  const read = new QueryReader(query)
  const options = defaultPinOptions()
  options.name = read.text('name') ?? options.name
  options.mode = read.mode('mode') ?? options.mode
  // `replication` sets both factors and wins over replication-min and replication-max
  const replication = read.integer('replication')
  const min = read.integer('replication-min')
  const max = read.integer('replication-max')
  options.replication_factor_min = replication ?? min ?? options.replication_factor_min
  options.replication_factor_max = replication ?? max ?? options.replication_factor_max
  options.shard_size = read.integer('shard-size', 0) ?? options.shard_size
  options.user_allocations = read.peerIds('user-allocations')
  // as in IPFS Cluster, expire-at wins when both are given
  const expireAt = read.date('expire-at')
  const expireIn = read.expireIn('expire-in', now)
  options.expire_at = expireAt ?? expireIn ?? options.expire_at
  options.metadata = read.metadata()
  options.pin_update = read.cid('pin-update')
  options.origins = read.origins('origins') ?? options.origins
  return options
}

class QueryReader {
  private readonly query: URLSearchParams

  constructor (query: URLSearchParams) {
    this.query = query
  }

  /** The first value, undefined when absent or empty. */
  text (name: string): string | undefined {
    const value = this.query.get(name)
    return value == null || value === '' ? undefined : value
  }

  mode (name: string): PinMode | undefined {
    const value = this.text(name)
    if (value === undefined) return undefined
    if (!(PIN_MODES as readonly string[]).includes(value)) throw badParameter(name, `${quote(value)} is not one of ${PIN_MODES.join(', ')}`)
    return value as PinMode
  }

  /** A decimal integer, as Go's strconv.Atoi reads it (an optional sign, digits only). */
  integer (name: string, min = Number.MIN_SAFE_INTEGER): number | undefined {
    const value = this.text(name)
    if (value === undefined) return undefined
    const n = Number(value)
    if (!/^[+-]?\d+$/.test(value) || !Number.isSafeInteger(n)) throw badParameter(name, `${quote(value)} is not an integer`)
    if (n < min) throw badParameter(name, `${quote(value)} is less than ${min}`)
    return n
  }

  peerIds (name: string): string[] | null {
    const value = this.text(name)
    if (value === undefined) return null
    return value.split(',').map((id) => {
      try {
        return peerIdFromString(id).toString()
      } catch {
        throw badParameter(name, `${quote(id)} is not a peer id`)
      }
    })
  }

  date (name: string): string | undefined {
    const value = this.text(name)
    if (value === undefined) return undefined
    const problem = rfc3339Problem(value)
    if (problem !== undefined) throw badParameter(name, `${quote(value)}: ${problem}`)
    return value
  }

  /** A Go duration from `now`, as an RFC 3339 date. */
  expireIn (name: string, now: number): string | undefined {
    const value = this.text(name)
    if (value === undefined) return undefined
    let ms: number
    try {
      ms = parseGoDuration(value)
    } catch (err) {
      throw badParameter(name, (err as Error).message)
    }
    if (ms < MIN_EXPIRE_IN_MS) throw badParameter(name, `${quote(value)} is too short: at least 1s`)
    const at = new Date(now + ms)
    if (Number.isNaN(at.getTime())) throw badParameter(name, `${quote(value)} is too long`)
    return at.toISOString()
  }

  /** Every `meta-<key>` parameter (an empty key is ignored, as IPFS Cluster does), or null when none. */
  metadata (): Record<string, string> | null {
    let metadata: Record<string, string> | null = null
    for (const name of new Set(this.query.keys())) {
      if (!name.startsWith(META_PREFIX) || name.length === META_PREFIX.length) continue
      metadata ??= {}
      metadata[name.slice(META_PREFIX.length)] = this.query.get(name) ?? ''
    }
    return metadata
  }

  cid (name: string): string | null {
    const value = this.text(name)
    if (value === undefined) return null
    try {
      return canonicalCid(value)
    } catch (err) {
      throw badParameter(name, `${quote(value)} is not a CID: ${(err as Error).message}`)
    }
  }

  /** Multiaddresses of peers that have the content: each must name its peer (`/p2p/...`). */
  origins (name: string): string[] | undefined {
    const value = this.text(name)
    if (value === undefined) return undefined
    return value.split(',').map((text) => {
      let addr
      try {
        addr = multiaddr(text)
      } catch (err) {
        throw badParameter(name, `${quote(text)} is not a multiaddress: ${(err as Error).message}`)
      }
      if (!addr.getComponents().some((c) => c.name === 'p2p')) {
        throw badParameter(name, `${quote(text)} has no /p2p/<peer id>`)
      }
      return addr.toString()
    })
  }
}
