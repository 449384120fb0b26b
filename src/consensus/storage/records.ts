/**
 * The binary records of the Raft log store. Every record starts with a
 * CRC-32 (node:zlib's) of everything after it, then a format version, so
 * that a flipped bit, a torn or truncated value or a value written by
 * something else is detected on load instead of being applied.
 *
 *   entry      crc32 | version | type | term u64 | index u64 | data
 *   hard state crc32 | version | term u64 | commit u64 | vote (UTF-8)
 *   snapshot   crc32 | version | index u64 | term u64 | voters length u32 | voters (JSON) | data
 *   log end    crc32 | version | index u64
 *
 * Integers are big-endian. Decoders throw `RecordProblem` saying what is wrong.
 */
import { crc32 } from 'node:zlib'
import type { Entry, EntryType, HardState, Snapshot } from '../raft/types.ts'

const VERSION = 1
const CRC_BYTES = 4
const HEADER_BYTES = CRC_BYTES + 1
const ENTRY_FIXED = HEADER_BYTES + 1 + 8 + 8
const HARD_STATE_FIXED = HEADER_BYTES + 8 + 8
const SNAPSHOT_FIXED = HEADER_BYTES + 8 + 8 + 4
const LOG_END_BYTES = HEADER_BYTES + 8

const ENTRY_TYPES: readonly EntryType[] = ['normal', 'conf']

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** What is wrong with a stored record. */
export class RecordProblem extends Error {
  constructor (problem: string) {
    super(problem)
    this.name = 'RecordProblem'
  }
}

export function encodeEntry (entry: Entry): Uint8Array {
  const typeCode = ENTRY_TYPES.indexOf(entry.type)
  if (typeCode < 0) throw new TypeError(`raft log: unknown entry type ${JSON.stringify(entry.type)}`)
  const out = new Uint8Array(ENTRY_FIXED + entry.data.length)
  const view = new DataView(out.buffer)
  view.setUint8(CRC_BYTES, VERSION)
  view.setUint8(HEADER_BYTES, typeCode)
  view.setBigUint64(HEADER_BYTES + 1, BigInt(entry.term))
  view.setBigUint64(HEADER_BYTES + 9, BigInt(entry.index))
  out.set(entry.data, ENTRY_FIXED)
  return seal(out)
}

export function decodeEntry (value: Uint8Array): Entry {
  const view = open(value, ENTRY_FIXED, 'entry')
  const type = ENTRY_TYPES[view.getUint8(HEADER_BYTES)]
  if (type === undefined) throw new RecordProblem(`unknown entry type ${view.getUint8(HEADER_BYTES)}`)
  return {
    term: readIndex(view, HEADER_BYTES + 1, 'term'),
    index: readIndex(view, HEADER_BYTES + 9, 'index'),
    type,
    data: copy(value.subarray(ENTRY_FIXED))
  }
}

export function encodeHardState (hardState: HardState): Uint8Array {
  const vote = encoder.encode(hardState.vote)
  const out = new Uint8Array(HARD_STATE_FIXED + vote.length)
  const view = new DataView(out.buffer)
  view.setUint8(CRC_BYTES, VERSION)
  view.setBigUint64(HEADER_BYTES, BigInt(hardState.term))
  view.setBigUint64(HEADER_BYTES + 8, BigInt(hardState.commit))
  out.set(vote, HARD_STATE_FIXED)
  return seal(out)
}

export function decodeHardState (value: Uint8Array): HardState {
  const view = open(value, HARD_STATE_FIXED, 'hard state')
  return {
    term: readIndex(view, HEADER_BYTES, 'term'),
    vote: text(value.subarray(HARD_STATE_FIXED), 'vote'),
    commit: readIndex(view, HEADER_BYTES + 8, 'commit')
  }
}

export function encodeSnapshot (snapshot: Snapshot): Uint8Array {
  const voters = encoder.encode(JSON.stringify(snapshot.meta.voters))
  const out = new Uint8Array(SNAPSHOT_FIXED + voters.length + snapshot.data.length)
  const view = new DataView(out.buffer)
  view.setUint8(CRC_BYTES, VERSION)
  view.setBigUint64(HEADER_BYTES, BigInt(snapshot.meta.index))
  view.setBigUint64(HEADER_BYTES + 8, BigInt(snapshot.meta.term))
  view.setUint32(HEADER_BYTES + 16, voters.length)
  out.set(voters, SNAPSHOT_FIXED)
  out.set(snapshot.data, SNAPSHOT_FIXED + voters.length)
  return seal(out)
}

export function decodeSnapshot (value: Uint8Array): Snapshot {
  const view = open(value, SNAPSHOT_FIXED, 'snapshot')
  const votersLength = view.getUint32(HEADER_BYTES + 16)
  if (SNAPSHOT_FIXED + votersLength > value.length) throw new RecordProblem(`voters length ${votersLength} runs past the record (${value.length} bytes)`)
  let voters: unknown
  try {
    voters = JSON.parse(text(value.subarray(SNAPSHOT_FIXED, SNAPSHOT_FIXED + votersLength), 'voters'))
  } catch (err) {
    if (err instanceof RecordProblem) throw err
    throw new RecordProblem('voters are not JSON')
  }
  if (!Array.isArray(voters) || !voters.every((v) => typeof v === 'string')) throw new RecordProblem('voters are not a list of ids')
  return {
    meta: { index: readIndex(view, HEADER_BYTES, 'index'), term: readIndex(view, HEADER_BYTES + 8, 'term'), voters },
    data: copy(value.subarray(SNAPSHOT_FIXED + votersLength))
  }
}

export function encodeLogEnd (index: number): Uint8Array {
  const out = new Uint8Array(LOG_END_BYTES)
  const view = new DataView(out.buffer)
  view.setUint8(CRC_BYTES, VERSION)
  view.setBigUint64(HEADER_BYTES, BigInt(index))
  return seal(out)
}

export function decodeLogEnd (value: Uint8Array): number {
  const view = open(value, LOG_END_BYTES, 'log end')
  if (value.length !== LOG_END_BYTES) throw new RecordProblem(`${value.length} bytes, expected ${LOG_END_BYTES}`)
  return readIndex(view, HEADER_BYTES, 'index')
}

/** Writes the checksum of everything after it into the first 4 bytes. */
function seal (record: Uint8Array): Uint8Array {
  new DataView(record.buffer).setUint32(0, crc32(record.subarray(CRC_BYTES)))
  return record
}

/** Checks length, checksum and version; returns a view over the record. */
function open (value: Uint8Array, minLength: number, what: string): DataView {
  if (value.length < minLength) throw new RecordProblem(`truncated ${what} record: ${value.length} bytes, at least ${minLength} expected`)
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength)
  const stored = view.getUint32(0)
  const computed = crc32(value.subarray(CRC_BYTES))
  if (stored !== computed) throw new RecordProblem(`checksum mismatch (stored ${hex(stored)}, computed ${hex(computed)})`)
  const version = view.getUint8(CRC_BYTES)
  if (version !== VERSION) throw new RecordProblem(`unknown record format version ${version}`)
  return view
}

function readIndex (view: DataView, offset: number, field: string): number {
  const value = view.getBigUint64(offset)
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RecordProblem(`${field} ${value} is out of range`)
  return Number(value)
}

function text (bytes: Uint8Array, field: string): string {
  try {
    return decoder.decode(bytes)
  } catch {
    throw new RecordProblem(`${field} is not UTF-8`)
  }
}

/**
 * A plain Uint8Array of its own: the database hands out Buffers, whose
 * `slice` shares memory, and the core and the RPC codec expect plain bytes.
 */
function copy (bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes)
}

function hex (n: number): string {
  return '0x' + n.toString(16).padStart(8, '0')
}
