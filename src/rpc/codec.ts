/**
 * The one codec for every RPC frame: CBOR as in dag-cbor (tag 42 for CIDs),
 * extended so that everything our services pass round-trips:
 * `undefined`, `Date` (tag 1, epoch seconds as a float), `bigint`, `Uint8Array`,
 * and libp2p peer ids (private tag 0x7065 "pe", the peer id's multihash bytes).
 *
 * The encoder and decoder here are written for the shapes RPC carries (plain
 * objects, arrays, strings, numbers, bytes, CIDs, peer ids, dates): cborg with
 * dag-cbor's options spent half of a busy streaming server's CPU encoding status
 * items (sorting map keys, building tokens). They produce and accept the same
 * CBOR, except that map keys keep their insertion order: frames are never
 * hashed, so they need no canonical order. Anything else (class instances,
 * typed arrays other than Uint8Array, cycles, ...) is encoded by cborg with
 * dag-cbor's options, as before, so it behaves exactly as it did (including the
 * errors it throws). `test/rpc/codec.spec.ts` checks both directions against
 * cborg.
 */
import { encodeOptions as dagEncodeOptions } from '@ipld/dag-cbor'
import { peerIdFromMultihash } from '@libp2p/peer-id'
import { isPeerId } from '@libp2p/interface'
import * as cborg from 'cborg'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import type { OptionalTypeEncoder } from 'cborg/interface'

const CID_TAG = 42
const DATE_TAG = 1
const PEER_ID_TAG = 0x7065

// ---------------------------------------------------------------------------
// the general encoder (cborg), for what the fast one does not handle
// ---------------------------------------------------------------------------

const dagObjectEncoder = dagEncodeOptions.typeEncoders?.Object as OptionalTypeEncoder | undefined

function objectEncoder (obj: any, typ: string, options: cborg.EncodeOptions, refStack?: any): ReturnType<OptionalTypeEncoder> {
  if (isPeerId(obj)) {
    return [new cborg.Token(cborg.Type.tag, PEER_ID_TAG), new cborg.Token(cborg.Type.bytes, obj.toMultihash().bytes)]
  }
  return dagObjectEncoder != null ? dagObjectEncoder(obj, typ, options, refStack) : null
}

function dateEncoder (date: Date): cborg.Token[] {
  return [new cborg.Token(cborg.Type.tag, DATE_TAG), new cborg.Token(cborg.Type.float, date.getTime() / 1000)]
}

const cborgEncodeOptions: cborg.EncodeOptions = {
  float64: true,
  typeEncoders: {
    ...dagEncodeOptions.typeEncoders,
    Object: objectEncoder,
    Date: dateEncoder,
    undefined: () => null
  }
}

/** Encodes with cborg and dag-cbor's options (canonical map order); the reference for the fast encoder. */
export function encodeGeneral (value: unknown): Uint8Array {
  return cborg.encode(value, cborgEncodeOptions)
}

// ---------------------------------------------------------------------------
// the fast encoder
// ---------------------------------------------------------------------------

/** Thrown inside the fast encoder for a value it leaves to cborg. */
const UNSUPPORTED = Symbol('unsupported')
const MAX_DEPTH = 100
const SCRATCH_SIZE = 64 * 1024

let buf = new Uint8Array(SCRATCH_SIZE)
let view = new DataView(buf.buffer)
let pos = 0
let encoding = false
const utf8Encoder = new TextEncoder()

function ensure (n: number): void {
  if (pos + n <= buf.byteLength) return
  let size = buf.byteLength * 2
  while (size < pos + n) size *= 2
  const bigger = new Uint8Array(size)
  bigger.set(buf.subarray(0, pos))
  buf = bigger
  view = new DataView(buf.buffer)
}

/** A head (major type + argument) in its shortest form; `n` a safe integer >= 0. */
function head (major: number, n: number): void {
  const m = major << 5
  if (n < 24) {
    ensure(1)
    buf[pos++] = m | n
  } else if (n < 0x100) {
    ensure(2)
    buf[pos++] = m | 24
    buf[pos++] = n
  } else if (n < 0x10000) {
    ensure(3)
    buf[pos++] = m | 25
    view.setUint16(pos, n)
    pos += 2
  } else if (n < 0x100000000) {
    ensure(5)
    buf[pos++] = m | 26
    view.setUint32(pos, n)
    pos += 4
  } else {
    ensure(9)
    buf[pos++] = m | 27
    view.setUint32(pos, Math.floor(n / 0x100000000))
    view.setUint32(pos + 4, n >>> 0)
    pos += 8
  }
}

function bigintHead (major: number, n: bigint): void {
  if (n > 0xffffffffffffffffn) throw UNSUPPORTED // cborg says why
  if (n <= BigInt(Number.MAX_SAFE_INTEGER)) {
    head(major, Number(n))
    return
  }
  ensure(9)
  buf[pos++] = (major << 5) | 27
  view.setBigUint64(pos, n)
  pos += 8
}

function float64 (n: number): void {
  ensure(9)
  buf[pos++] = 0xfb
  view.setFloat64(pos, n)
  pos += 8
}

function bytes (b: Uint8Array): void {
  head(2, b.byteLength)
  ensure(b.byteLength)
  buf.set(b, pos)
  pos += b.byteLength
}

function string (s: string): void {
  const length = s.length
  if (length < 256) {
    // ASCII by hand (what most keys and values are): cheaper than TextEncoder below a few hundred characters
    ensure(2 + length)
    const start = pos
    if (length < 24) {
      buf[pos++] = 0x60 | length
    } else {
      buf[pos++] = 0x78
      buf[pos++] = length
    }
    let i = 0
    for (; i < length; i++) {
      const c = s.charCodeAt(i)
      if (c >= 0x80) break
      buf[pos++] = c
    }
    if (i === length) return
    pos = start
  }
  // at most 3 bytes per UTF-16 unit; write after the longest head that could be needed, then close the gap
  const max = length * 3
  const headSize = max < 24 ? 1 : max < 0x100 ? 2 : max < 0x10000 ? 3 : 5
  ensure(headSize + max)
  const start = pos
  const { written } = utf8Encoder.encodeInto(s, buf.subarray(start + headSize))
  head(3, written)
  if (pos !== start + headSize) buf.copyWithin(pos, start + headSize, start + headSize + written)
  pos += written
}

function value (v: unknown, depth: number): void {
  switch (typeof v) {
    case 'string':
      string(v)
      return
    case 'number':
      if (Number.isSafeInteger(v)) {
        if (v >= 0) head(0, v)
        else head(1, -1 - v)
      } else if (Number.isFinite(v)) {
        float64(v)
      } else {
        throw UNSUPPORTED // NaN and infinities: dag-cbor refuses them
      }
      return
    case 'boolean':
      ensure(1)
      buf[pos++] = v ? 0xf5 : 0xf4
      return
    case 'undefined':
      ensure(1)
      buf[pos++] = 0xf7
      return
    case 'bigint':
      if (v >= 0n) bigintHead(0, v)
      else bigintHead(1, -1n - v)
      return
    case 'object':
      break
    default:
      throw UNSUPPORTED
  }
  if (v === null) {
    ensure(1)
    buf[pos++] = 0xf6
    return
  }
  if (depth > MAX_DEPTH) throw UNSUPPORTED // maybe a cycle: cborg tells
  if (Array.isArray(v)) {
    head(4, v.length)
    for (let i = 0; i < v.length; i++) value(v[i], depth + 1)
    return
  }
  if (v instanceof Uint8Array) {
    bytes(v)
    return
  }
  const obj = v as Record<string, unknown>
  if (obj.constructor === Object) {
    const keys = Object.keys(obj)
    head(5, keys.length)
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string
      string(key)
      value(obj[key], depth + 1)
    }
    return
  }
  const cid = CID.asCID(v)
  if (cid != null) {
    head(6, CID_TAG)
    head(2, cid.bytes.byteLength + 1)
    ensure(1 + cid.bytes.byteLength)
    buf[pos++] = 0
    buf.set(cid.bytes, pos)
    pos += cid.bytes.byteLength
    return
  }
  if (isPeerId(v)) {
    head(6, PEER_ID_TAG)
    bytes(v.toMultihash().bytes)
    return
  }
  if (v instanceof Date) {
    const t = v.getTime()
    if (!Number.isFinite(t)) throw UNSUPPORTED
    head(6, DATE_TAG)
    float64(t / 1000)
    return
  }
  throw UNSUPPORTED
}

export function encode (v: unknown): Uint8Array {
  // a getter that encodes in the middle of an encoding gets cborg
  if (encoding) return encodeGeneral(v)
  encoding = true
  pos = 0
  try {
    value(v, 0)
    return buf.slice(0, pos)
  } catch (err) {
    if (err !== UNSUPPORTED) throw err
    return encodeGeneral(v)
  } finally {
    encoding = false
    if (buf.byteLength > 16 * SCRATCH_SIZE) {
      buf = new Uint8Array(SCRATCH_SIZE)
      view = new DataView(buf.buffer)
    }
  }
}

// ---------------------------------------------------------------------------
// the decoder
// ---------------------------------------------------------------------------

export class CborDecodeError extends Error {
  static readonly NAME = 'CborDecodeError'
  constructor (message: string) {
    super(message)
    this.name = CborDecodeError.NAME
  }
}

/** Decoded map keys by their bytes: keys repeat from item to item, and a known string is cheaper to use as one. */
const KEY_CACHE_SIZE = 1024
const MAX_CACHED_KEY = 32
const keyCacheBytes: Array<Uint8Array | undefined> = new Array(KEY_CACHE_SIZE)
const keyCacheStrings: string[] = new Array(KEY_CACHE_SIZE)

class Reader {
  readonly data: Uint8Array
  private dataView: DataView | undefined
  private asBuffer: Buffer | undefined
  pos = 0

  constructor (data: Uint8Array) {
    this.data = data
  }

  /** Views made when first needed: most frames need neither. */
  get view (): DataView {
    this.dataView ??= new DataView(this.data.buffer, this.data.byteOffset, this.data.byteLength)
    return this.dataView
  }

  /** The same bytes as a Buffer, for its native UTF-8 decoding (much cheaper than TextDecoder on short strings). */
  get buffer (): Buffer {
    this.asBuffer ??= Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength)
    return this.asBuffer
  }

  need (n: number): void {
    if (this.pos + n > this.data.byteLength) throw new CborDecodeError('CBOR data ends too early')
  }

  /** The argument of a head whose additional information is `info`: a number, or a bigint above 2^53. */
  argument (info: number): number | bigint {
    if (info < 24) return info
    switch (info) {
      case 24:
        this.need(1)
        return this.data[this.pos++] as number
      case 25: {
        this.need(2)
        const d = this.data
        const n = ((d[this.pos] as number) << 8) | (d[this.pos + 1] as number)
        this.pos += 2
        return n
      }
      case 26: {
        this.need(4)
        const d = this.data
        const p = this.pos
        const n = (d[p] as number) * 0x1000000 + (((d[p + 1] as number) << 16) | ((d[p + 2] as number) << 8) | (d[p + 3] as number))
        this.pos += 4
        return n
      }
      case 27: {
        this.need(8)
        const hi = this.view.getUint32(this.pos)
        const lo = this.view.getUint32(this.pos + 4)
        this.pos += 8
        if (hi < 0x200000) return hi * 0x100000000 + lo
        return (BigInt(hi) << 32n) | BigInt(lo)
      }
      default:
        throw new CborDecodeError(info === 31 ? 'indefinite-length CBOR items are not supported' : `invalid CBOR additional information ${info}`)
    }
  }

  /** A length: must fit in what is left (each item takes at least `min` bytes). */
  length (info: number, min: number): number {
    const n = this.argument(info)
    if (typeof n !== 'number' || n * min > this.data.byteLength - this.pos) throw new CborDecodeError('CBOR length exceeds the data')
    return n
  }

  string (n: number): string {
    this.need(n)
    const start = this.pos
    this.pos += n
    if (n <= 8) {
      const d = this.data
      let s = ''
      for (let i = start; i < start + n; i++) {
        const c = d[i] as number
        if (c >= 0x80) return this.buffer.toString('utf8', start, start + n)
        s += String.fromCharCode(c)
      }
      return s
    }
    // invalid UTF-8 becomes U+FFFD, as with cborg
    return this.buffer.toString('utf8', start, start + n)
  }

  key (n: number): string {
    if (n > MAX_CACHED_KEY) return this.string(n)
    this.need(n)
    const d = this.data
    const start = this.pos
    let h = n
    for (let i = start; i < start + n; i++) h = Math.imul(h ^ (d[i] as number), 0x01000193)
    const slot = (h >>> 16) & (KEY_CACHE_SIZE - 1)
    const cached = keyCacheBytes[slot]
    if (cached?.byteLength === n) {
      let i = 0
      while (i < n && cached[i] === d[start + i]) i++
      if (i === n) {
        this.pos += n
        return keyCacheStrings[slot] as string
      }
    }
    const s = this.string(n)
    keyCacheBytes[slot] = d.slice(start, start + n)
    keyCacheStrings[slot] = s
    return s
  }

  bytes (n: number): Uint8Array {
    this.need(n)
    const b = this.data.slice(this.pos, this.pos + n)
    this.pos += n
    return b
  }

  item (depth: number): unknown {
    if (depth > MAX_DEPTH) throw new CborDecodeError('CBOR nesting is too deep')
    this.need(1)
    const initial = this.data[this.pos++] as number
    const major = initial >> 5
    const info = initial & 0x1f
    switch (major) {
      case 0:
        return this.argument(info)
      case 1: {
        const n = this.argument(info)
        return typeof n === 'number' ? -1 - n : -1n - n
      }
      case 2:
        return this.bytes(this.length(info, 1))
      case 3:
        return this.string(this.length(info, 1))
      case 4: {
        const n = this.length(info, 1)
        const out = new Array<unknown>(n)
        for (let i = 0; i < n; i++) out[i] = this.item(depth + 1)
        return out
      }
      case 5: {
        const n = this.length(info, 2)
        const out: Record<string, unknown> = {}
        for (let i = 0; i < n; i++) {
          this.need(1)
          const k = this.data[this.pos++] as number
          if (k >> 5 !== 3) throw new CborDecodeError('CBOR map keys must be strings')
          const key = this.key(this.length(k & 0x1f, 1))
          if (Object.hasOwn(out, key)) throw new CborDecodeError(`duplicate CBOR map key ${JSON.stringify(key)}`)
          const v = this.item(depth + 1)
          if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true })
          else out[key] = v
        }
        return out
      }
      case 6:
        return this.tag(this.argument(info), depth)
      default:
        return this.simple(info)
    }
  }

  tag (tag: number | bigint, depth: number): unknown {
    switch (tag) {
      case CID_TAG: {
        const b = this.item(depth + 1)
        if (!(b instanceof Uint8Array) || b[0] !== 0) throw new CborDecodeError('invalid CID')
        return CID.decode(b.subarray(1))
      }
      case DATE_TAG: {
        const t = this.item(depth + 1)
        if (typeof t !== 'number') throw new CborDecodeError('invalid date')
        return new Date(Math.round(t * 1000))
      }
      case PEER_ID_TAG: {
        const b = this.item(depth + 1)
        if (!(b instanceof Uint8Array)) throw new CborDecodeError('invalid peer id')
        return peerIdFromMultihash(Digest.decode(b))
      }
      default:
        throw new CborDecodeError(`unsupported CBOR tag ${tag}`)
    }
  }

  simple (info: number): unknown {
    switch (info) {
      case 20: return false
      case 21: return true
      case 22: return null
      case 23: return undefined
      case 25: {
        this.need(2)
        const n = halfToNumber(this.view.getUint16(this.pos))
        this.pos += 2
        return finite(n)
      }
      case 26: {
        this.need(4)
        const n = this.view.getFloat32(this.pos)
        this.pos += 4
        return finite(n)
      }
      case 27: {
        this.need(8)
        const n = this.view.getFloat64(this.pos)
        this.pos += 8
        return finite(n)
      }
      default:
        throw new CborDecodeError(info === 31 ? 'unexpected CBOR break' : `unsupported CBOR simple value ${info}`)
    }
  }
}

function finite (n: number): number {
  if (!Number.isFinite(n)) throw new CborDecodeError('NaN and infinities are not supported')
  return n
}

function halfToNumber (h: number): number {
  const exponent = (h >> 10) & 0x1f
  const mantissa = h & 0x3ff
  const sign = (h & 0x8000) !== 0 ? -1 : 1
  if (exponent === 0) return sign * mantissa * 2 ** -24
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN
  return sign * (mantissa + 1024) * 2 ** (exponent - 25)
}

/** Decodes one CBOR value that must fill `bytes`. Throws on anything malformed or unsupported. */
export function decode<T = unknown> (bytes: Uint8Array): T {
  const reader = new Reader(bytes)
  const v = reader.item(0)
  if (reader.pos !== bytes.byteLength) throw new CborDecodeError('bytes after the end of the CBOR value')
  return v as T
}
