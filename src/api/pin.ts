/**
 * Pins as IPFS Cluster writes them in JSON: a validating parser, the default
 * options and the canonical form this project stores and sends.
 *
 * The parser is strict about what is present (a wrong type, an unknown mode or
 * pin type, a bad CID, peer id, multiaddress or date is a `PinValidationError`
 * naming the field) and lenient about what is absent: a missing field takes
 * its default, as Go's `json.Unmarshal` leaves it at its zero value. Unknown
 * fields are dropped. The result always has every field in IPFS Cluster's
 * order, so `JSON.stringify` writes what IPFS Cluster writes.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { canonicalCid } from './cid.ts'
import { rfc3339Problem } from './rfc3339.ts'
import { ZERO_TIME } from './types.ts'
import type { PinJson, PinMode, PinOptionsJson, PinType } from './types.ts'

export class PinValidationError extends Error {
  static readonly NAME = 'PinValidationError'
  /** The JSON field at fault; '' for the value as a whole. */
  readonly field: string

  constructor (field: string, problem: string, options?: ErrorOptions) {
    super(field === '' ? `invalid pin: ${problem}` : `invalid pin: ${field}: ${problem}`, options)
    this.name = PinValidationError.NAME
    this.field = field
  }
}

const PIN_MODES: readonly PinMode[] = ['recursive', 'direct']
const PIN_TYPES: readonly PinType[] = ['pin', 'meta-pin', 'clusterdag-pin', 'shard-pin']

/** The options of a pin made with no options at all (what `POST /pins/{cid}` with no query gives). */
export function defaultPinOptions (): PinOptionsJson {
  return {
    replication_factor_min: 0,
    replication_factor_max: 0,
    name: '',
    mode: 'recursive',
    shard_size: 0,
    user_allocations: null,
    expire_at: ZERO_TIME,
    metadata: null,
    pin_update: null,
    origins: []
  }
}

/**
 * Validates a pin read from JSON (an import file, an HTTP body, a peer) and
 * returns it in canonical form: fields in IPFS Cluster's order, defaults for
 * absent ones, CIDs (`cid`, `pin_update`, `reference`) as their canonical text
 * (`canonicalCid`: what Go's `cid.String()` prints, so a base58 CIDv1 is
 * written in base32). Throws `PinValidationError`.
 */
export function parsePin (json: unknown): PinJson {
  if (!isObject(json)) throw new PinValidationError('', 'not a JSON object')
  const read = new FieldReader(json)
  const defaults = defaultPinOptions()
  if (json.cid === undefined) throw new PinValidationError('cid', 'missing')
  const mode = read.oneOf('mode', PIN_MODES, defaults.mode)
  return {
    replication_factor_min: read.integer('replication_factor_min', defaults.replication_factor_min),
    replication_factor_max: read.integer('replication_factor_max', defaults.replication_factor_max),
    name: read.string('name', defaults.name),
    mode,
    shard_size: read.integer('shard_size', defaults.shard_size, 0),
    user_allocations: read.peerIds('user_allocations', true),
    expire_at: read.date('expire_at', defaults.expire_at),
    metadata: read.metadata('metadata'),
    pin_update: read.cidOrNull('pin_update'),
    origins: read.multiaddrs('origins'),
    cid: read.cid('cid'),
    type: read.oneOf('type', PIN_TYPES, 'pin'),
    allocations: read.peerIds('allocations', false) ?? [],
    // IPFS Cluster's own default: recursive pins go all the way down, direct ones stop at the root
    max_depth: read.integer('max_depth', mode === 'recursive' ? -1 : 0, -1),
    reference: read.cidOrNull('reference'),
    timestamp: read.date('timestamp', ZERO_TIME)
  }
}

/**
 * The pin with its fields in IPFS Cluster's order (a pin built elsewhere may
 * list them in any order). No validation: for pins that already passed
 * `parsePin` or were built by this project.
 */
export function canonicalPin (pin: PinJson): PinJson {
  return {
    replication_factor_min: pin.replication_factor_min,
    replication_factor_max: pin.replication_factor_max,
    name: pin.name,
    mode: pin.mode,
    shard_size: pin.shard_size,
    user_allocations: pin.user_allocations,
    expire_at: pin.expire_at,
    metadata: pin.metadata,
    pin_update: pin.pin_update,
    origins: pin.origins,
    cid: pin.cid,
    type: pin.type,
    allocations: pin.allocations,
    max_depth: pin.max_depth,
    reference: pin.reference,
    timestamp: pin.timestamp
  }
}

/**
 * The key a pin is stored under: its CID's canonical text. Throws
 * `PinValidationError` (field `cid`) when `cid` is not a CID.
 */
export function pinKey (cid: string): string {
  try {
    return canonicalCid(cid)
  } catch (err) {
    throw new PinValidationError('cid', `not a CID: ${JSON.stringify(cid)}`, { cause: err })
  }
}

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Reads one field of a JSON object each, with its default when absent. */
class FieldReader {
  private readonly json: Record<string, unknown>

  constructor (json: Record<string, unknown>) {
    this.json = json
  }

  integer (field: string, fallback: number, min = Number.MIN_SAFE_INTEGER): number {
    const value = this.json[field]
    if (value === undefined) return fallback
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new PinValidationError(field, `not an integer: ${show(value)}`)
    if (value < min) throw new PinValidationError(field, `must be at least ${min}, got ${value}`)
    return value
  }

  string (field: string, fallback: string): string {
    const value = this.json[field]
    if (value === undefined) return fallback
    if (typeof value !== 'string') throw new PinValidationError(field, `not a string: ${show(value)}`)
    return value
  }

  oneOf<T extends string> (field: string, allowed: readonly T[], fallback: T): T {
    const value = this.string(field, fallback)
    if (!(allowed as readonly string[]).includes(value)) {
      throw new PinValidationError(field, `${show(value)} is not one of ${allowed.join(', ')}`)
    }
    return value as T
  }

  date (field: string, fallback: string): string {
    const value = this.string(field, fallback)
    const problem = rfc3339Problem(value)
    if (problem != null) throw new PinValidationError(field, `${show(value)}: ${problem}`)
    return value
  }

  cid (field: string): string {
    const value = this.json[field]
    if (typeof value !== 'string') throw new PinValidationError(field, `not a string: ${show(value)}`)
    try {
      return canonicalCid(value)
    } catch (err) {
      throw new PinValidationError(field, `not a CID: ${show(value)}`, { cause: err })
    }
  }

  cidOrNull (field: string): string | null {
    const value = this.json[field]
    return value === undefined || value === null ? null : this.cid(field)
  }

  /** Go writes a nil slice as null: `nullable` keeps the null (user_allocations), otherwise it reads as absent. */
  peerIds (field: string, nullable: boolean): string[] | null {
    return this.strings(field, nullable, (id) => { peerIdFromString(id) }, 'a peer id')
  }

  multiaddrs (field: string): string[] {
    return this.strings(field, false, (addr) => { multiaddr(addr) }, 'a multiaddress') ?? []
  }

  metadata (field: string): Record<string, string> | null {
    const value = this.json[field]
    if (value === undefined || value === null) return null
    if (!isObject(value)) throw new PinValidationError(field, `not an object: ${show(value)}`)
    const out: Record<string, string> = {}
    for (const [key, item] of Object.entries(value)) {
      if (typeof item !== 'string') throw new PinValidationError(`${field}.${key}`, `not a string: ${show(item)}`)
      out[key] = item
    }
    return out
  }

  private strings (field: string, nullable: boolean, check: (item: string) => void, what: string): string[] | null {
    const value = this.json[field]
    if (value === undefined || value === null) return nullable ? null : []
    if (!Array.isArray(value)) throw new PinValidationError(field, `not an array: ${show(value)}`)
    return value.map((item: unknown, i) => {
      if (typeof item !== 'string') throw new PinValidationError(`${field}[${i}]`, `not a string: ${show(item)}`)
      try {
        check(item)
      } catch (err) {
        throw new PinValidationError(`${field}[${i}]`, `not ${what}: ${show(item)}`, { cause: err })
      }
      return item
    })
  }
}

/** A value as it appears in a message: short, and JSON so that its type shows. */
function show (value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 80 ? text.slice(0, 77) + '...' : text
}
