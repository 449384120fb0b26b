/**
 * The key layout of the requests' LevelDB (UTF-8 string keys, compared
 * bytewise):
 *
 *   /requests/<id>           one request as JSON (see RequestRecord)
 *   /cids/<cid>/<id>         ''   every request for a CID: the `cid` filter, and whether a CID is still wanted
 *   /status/<status>/<id>    ''   every request by its last known status: the `status` filter
 *   /unpins/<cid>            ''   a CID whose last request is gone but whose cluster pin may still be there
 *
 * A request id begins with its creation time (a ULID), so each of these
 * ranges is in creation order and `before` / `after` are bounds of a range.
 */
import { encodeTime } from 'ulidx'
import type { SpecStatus } from '../types.ts'

/** Characters of a ULID that encode its time, in milliseconds. */
const TIME_CHARS = 10
/** The largest time a ULID holds (48 bits). */
export const MAX_ULID_TIME = 2 ** 48 - 1

export const REQUESTS_PREFIX = '/requests/'
export const UNPINS_PREFIX = '/unpins/'

export function requestKey (id: string): string {
  return REQUESTS_PREFIX + id
}

export function cidPrefix (cid: string): string {
  return `/cids/${cid}/`
}

export function cidKey (cid: string, id: string): string {
  return cidPrefix(cid) + id
}

export function statusPrefix (status: SpecStatus): string {
  return `/status/${status}/`
}

export function statusKey (status: SpecStatus, id: string): string {
  return statusPrefix(status) + id
}

export function unpinKey (cid: string): string {
  return UNPINS_PREFIX + cid
}

/** The part of a key after its prefix. */
export function keySuffix (key: string, prefix: string): string {
  return key.slice(prefix.length)
}

/** Creation times a listing is limited to: from `fromMs` (inclusive) to `toMs` (exclusive); absent: unbounded. */
export interface TimeBounds {
  fromMs?: number
  toMs?: number
}

export interface KeyRange {
  gte: string
  lt: string
}

/**
 * The keys under `prefix` whose id was created within `bounds`. Ids of one
 * millisecond all start with the same ten characters, which sort like the
 * times they encode.
 */
export function rangeOf (prefix: string, bounds: TimeBounds): KeyRange {
  // '0' follows '/': the prefix with its last '/' made '0' is past every key under it
  const end = prefix.slice(0, -1) + '0'
  const from = bounds.fromMs
  const to = bounds.toMs
  return {
    gte: from == null || from <= 0 ? prefix : from > MAX_ULID_TIME ? end : prefix + encodeTime(from, TIME_CHARS),
    lt: to == null || to > MAX_ULID_TIME ? end : to <= 0 ? prefix : prefix + encodeTime(to, TIME_CHARS)
  }
}
