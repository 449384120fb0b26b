/**
 * The pinset operations carried by normal Raft entries. Each is a whole-key
 * overwrite or delete, so re-applying a suffix of the log on a state that
 * already holds it changes nothing (restarts and snapshot installs rely on it).
 */
import type { PinJson } from '../api/types.ts'

export type PinsetOp =
  | { op: 'pin', pin: PinJson }
  | { op: 'unpin', cid: string }

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function encodeOp (op: PinsetOp): Uint8Array {
  return encoder.encode(JSON.stringify(op))
}

export class BadLogEntryError extends Error {
  static readonly NAME = 'BadLogEntryError'
  constructor (index: number, why: string) {
    super(`log entry ${index} is not a pinset operation: ${why}`)
    this.name = BadLogEntryError.NAME
  }
}

export function decodeOp (data: Uint8Array, index: number): PinsetOp | undefined {
  // the empty entry a new leader appends carries nothing
  if (data.byteLength === 0) return undefined
  let value: unknown
  try {
    value = JSON.parse(decoder.decode(data))
  } catch (err) {
    throw new BadLogEntryError(index, (err as Error).message)
  }
  const op = value as Partial<PinsetOp>
  if (op.op === 'pin' && typeof op.pin === 'object' && op.pin !== null) return op as PinsetOp
  if (op.op === 'unpin' && typeof op.cid === 'string') return op as PinsetOp
  throw new BadLogEntryError(index, 'unknown operation')
}
