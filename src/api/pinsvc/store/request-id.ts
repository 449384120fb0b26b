/**
 * Request ids: ULIDs (48-bit milliseconds then 80 random bits, Crockford
 * base32), opaque to clients and unrelated to the CID. The time part is the
 * request's `created`, and every id of a store gets a later millisecond than
 * the one before, so `created` is unique as the spec's pagination needs:
 * under more than 1,000 creations a second, `created` runs slightly ahead of
 * the clock.
 */
import { decodeTime, isValid, ulid } from 'ulidx'

export class RequestIds {
  private lastMs: number

  /** `lastMs`: the time of the newest id already stored (0 for none). */
  constructor (lastMs: number) {
    this.lastMs = lastMs
  }

  next (): string {
    this.lastMs = Math.max(Date.now(), this.lastMs + 1)
    return ulid(this.lastMs)
  }
}

/** Whether `text` could be an id of ours (a canonical, upper-case ULID); anything else names no request. */
export function isRequestId (text: string): boolean {
  return text.length === 26 && text === text.toUpperCase() && isValid(text)
}

export function createdOf (id: string): string {
  return new Date(decodeTime(id)).toISOString()
}

export function timeOf (id: string): number {
  return decodeTime(id)
}
