/**
 * StatusRanges: how a peer tells the peer merging a full status listing its
 * status for every pin without sending one item per pin. Each range covers
 * up to RANGE_SIZE consecutive pins of the answering peer's pinset, in key
 * order, with one byte per pin (its status) and the few statuses that carry
 * more (an operation's time, attempts or error) in full.
 *
 * The bytes mean nothing unless both peers hold the same pins in the range:
 * the merging peer compares the count and a digest (sum of key hashes) with
 * its own pins in the same key range, and re-lists the range item by item
 * when they differ (pins added or removed between the two scans, a peer
 * catching up). A sum, rather than a hash of the concatenation, lets either
 * side add pins one at a time in any grouping.
 */
import { TRACKER_STATUSES } from './tracker-status.ts'
import { isoNow } from '../util/iso-now.ts'
import type { TrackerStatus } from './types.ts'
import type { CompactPinStatus, StatusRange } from '../rpc-api.ts'

/** Pins per range at most: what a merging peer holds per peer while it checks a range (their statuses, 1 KiB of codes). */
export const RANGE_SIZE = 1024

/** The first range's size; each next one doubles up to RANGE_SIZE, so that the listing's first item comes soon. */
const FIRST_RANGE_SIZE = 64

/** The code of a pin whose status is the range's next `details` item. */
export const DETAILED = 255

const CODES = new Map<TrackerStatus, number>(TRACKER_STATUSES.map((s, i) => [s, i]))

/** 32-bit FNV-1a of a pin key (a CID string: ASCII). */
export function cidHash (cid: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < cid.length; i++) h = Math.imul(h ^ cid.charCodeAt(i), 0x01000193)
  return h >>> 0
}

function codeOf (status: TrackerStatus): number {
  const code = CODES.get(status)
  if (code === undefined) throw new RangeError(`${status} is not a tracker status`)
  return code
}

/** The status a code stands for (not DETAILED); `undefined` (IPFS Cluster's status of that name) for a code this version does not know. */
export function statusOfCode (code: number): TrackerStatus {
  return TRACKER_STATUSES[code] ?? 'undefined'
}

/** Builds one peer's ranges as its scan goes: `add` each pin in key order, `take` a range when `full` and at the end. */
export class StatusRangeBuilder {
  private codes = new Uint8Array(RANGE_SIZE)
  private count = 0
  private digest = 0
  private details: CompactPinStatus[] = []
  private timestamp = ''
  private by?: CompactPinStatus['by']
  private size = FIRST_RANGE_SIZE

  constructor (by: CompactPinStatus['by']) {
    this.by = by
  }

  get full (): boolean {
    return this.count >= this.size
  }

  /** A pin whose status needs nothing more (its time is the range's). */
  add (cid: string, status: TrackerStatus): void {
    if (this.count === 0) this.timestamp = isoNow()
    this.codes[this.count++] = codeOf(status)
    this.digest = (this.digest + cidHash(cid)) >>> 0
  }

  /** A pin whose status has its own time, attempts or error. */
  addDetailed (item: CompactPinStatus): void {
    if (this.count === 0) this.timestamp = isoNow()
    this.codes[this.count++] = DETAILED
    this.digest = (this.digest + cidHash(item.cid)) >>> 0
    this.details.push(item)
  }

  /** The range so far, ending at `through` (absent: the last range, to the end of the pinset); starts the next. */
  take (through: string | undefined): StatusRange {
    const range: StatusRange = {
      count: this.count,
      digest: this.digest,
      timestamp: this.count > 0 ? this.timestamp : isoNow(),
      codes: this.codes.slice(0, this.count),
      details: this.details
    }
    if (through !== undefined) range.through = through
    if (this.by !== undefined) range.by = this.by
    this.by = undefined
    this.size = Math.min(2 * this.size, RANGE_SIZE)
    this.count = 0
    this.digest = 0
    this.details = []
    return range
  }
}
