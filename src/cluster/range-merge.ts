/**
 * The full status listing, merged from this peer's own statuses (full
 * PinInfos, in key order) and every other peer's StatusRanges (a byte per
 * pin, see src/api/status-range.ts).
 *
 * This peer's pins are the spine of the listing. For each other peer, the
 * pins of this peer falling in that peer's current range are held until the
 * range closes; if the count and digest agree, both hold the same pins and
 * the codes apply in order. If not (a pin added or removed between the two
 * scans, a peer catching up), the range is re-listed item by item
 * (StatusAllCompact over the key range) and walked against the held pins:
 * pins only the other peer has are listed too, pins it lacks get no entry.
 * A listing holds at most about RANGE_SIZE pins per peer, whatever the size
 * of the pinset. When the pinsets differ by more than MAX_EXTRAS pins that
 * this peer lacks (it is far behind), the merge stops with a
 * PinsetsDivergedError, and the caller lists the rest item by item.
 */
import { DETAILED, RANGE_SIZE, cidHash, statusOfCode } from '../api/status-range.ts'
import { Fifo } from '../util/fifo.ts'
import { globalInfo, shortInfo, shortOfCompact, unreachable } from './global-status.ts'
import type { PeerNames, PinBase } from './global-status.ts'
import type { GlobalPinInfoJson, PinInfoJson, PinInfoShortJson, TrackerStatus } from '../api/types.ts'
import type { CompactPinStatus, PinKeyRange, StatusRange } from '../rpc-api.ts'

/** Pins only other peers listed, held at most before the listing falls back to the item-by-item merge. */
export const MAX_EXTRAS = 2 * RANGE_SIZE

/** The pinsets differ too much for ranges: everything after `after` (all when absent) is still to be listed. */
export class PinsetsDivergedError extends Error {
  override readonly name = 'PinsetsDivergedError'
  readonly after?: string

  constructor (after: string | undefined) {
    super('the peers\' pinsets differ too much to merge by ranges')
    if (after !== undefined) this.after = after
  }
}

export interface RangeSource {
  peer: string
  ranges: AsyncIterable<StatusRange>
}

export interface RangeMergeOptions {
  /** Whether a peer's status belongs in the listing (the request's filter). */
  match: (status: TrackerStatus) => boolean
  /** A peer's statuses for a key range, item by item: for a range whose pins differ from this peer's. */
  relist: (peer: string, range: PinKeyRange) => AsyncIterable<CompactPinStatus>
  /** The pin's fields for a CID only another peer listed. */
  baseOf: (cid: string) => Promise<PinBase>
}

/** A pin of the listing, until every peer has said its part. */
interface Entry {
  cid: string
  global: GlobalPinInfoJson
  /** Peers still to say their part. */
  unsettled: number
}

/** Where one other peer's stream stands. */
interface Cursor {
  peer: string
  ranges: AsyncIterator<StatusRange>
  names: PeerNames
  /** The current range, and the lower bound (exclusive) of the next one. */
  range?: StatusRange
  after?: string
  /** This peer's pins in the current range so far, and their digest. */
  held: Entry[]
  digest: number
  /** The range being re-listed, item by item. */
  relisting?: { items: AsyncIterator<CompactPinStatus>, head?: CompactPinStatus, through?: string }
  failed?: Error
  /** Each status's entry for this range (shared by every pin with that status: nothing per pin). */
  shared: Map<number, PinInfoShortJson>
}

export async function * mergeStatusRanges (own: AsyncIterable<PinInfoJson>, others: RangeSource[], options: RangeMergeOptions): AsyncGenerator<GlobalPinInfoJson> {
  const { match } = options
  const cursors: Cursor[] = others.map((o) => ({ peer: o.peer, ranges: o.ranges[Symbol.asyncIterator](), names: { peername: o.peer }, held: [], digest: 0, shared: new Map() }))
  /** This peer's pins not yet out, in order. */
  const pending = new Fifo<Entry>()
  /** Pins only other peers listed, by CID (and their CIDs in order), until the pin after them goes out. */
  const extras = new Map<string, GlobalPinInfoJson>()
  const extraKeys: string[] = []
  let lastOut: string | undefined

  const put = (global: GlobalPinInfoJson, peer: string, short: PinInfoShortJson): void => {
    if (match(short.status)) global.peer_map[peer] = short
  }
  const settle = (entry: Entry, cursor: Cursor, short: PinInfoShortJson | undefined): void => {
    if (short !== undefined) put(entry.global, cursor.peer, short)
    entry.unsettled--
  }
  /** A failed peer's part: `cluster_error` where errors are wanted, none otherwise. */
  const settleFailed = (entry: Entry, cursor: Cursor, err: Error): void => {
    settle(entry, cursor, match('cluster_error') ? unreachable(cursor.peer, err) : undefined)
  }
  const extra = async (cursor: Cursor, item: CompactPinStatus): Promise<void> => {
    let global = extras.get(item.cid)
    if (global === undefined) {
      if (extras.size >= MAX_EXTRAS) throw new PinsetsDivergedError(lastOut)
      global = globalInfo(await options.baseOf(item.cid))
      extras.set(item.cid, global)
      let i = extraKeys.length
      while (i > 0 && (extraKeys[i - 1] as string) > item.cid) i--
      extraKeys.splice(i, 0, item.cid)
    }
    put(global, cursor.peer, shortOfCompact(cursor.names, item))
  }
  const fail = async (cursor: Cursor, err: Error): Promise<void> => {
    cursor.failed = err
    for (const entry of cursor.held) settleFailed(entry, cursor, err)
    cursor.held = []
    await cursor.relisting?.items.return?.()?.catch(() => {})
    cursor.relisting = undefined
  }

  const nextRange = async (cursor: Cursor): Promise<void> => {
    try {
      const next = await cursor.ranges.next()
      if (next.done === true) throw new Error('the status stream ended before its last range')
      cursor.range = next.value
      cursor.shared.clear()
      if (next.value.by != null) cursor.names = next.value.by
    } catch (err) {
      // a peer of an earlier version: its statuses item by item
      if ((err as Error).name === 'RpcUnknownMethodError' && cursor.held.length === 0) await relistRest(cursor)
      else await fail(cursor, err as Error)
    }
  }

  const relistRest = async (cursor: Cursor): Promise<void> => {
    cursor.relisting = { items: options.relist(cursor.peer, cursor.after !== undefined ? { after: cursor.after } : {})[Symbol.asyncIterator]() }
    await advanceRelist(cursor)
  }

  /** The next re-listed item, or a failed cursor. */
  const advanceRelist = async (cursor: Cursor): Promise<void> => {
    const relisting = cursor.relisting
    if (relisting == null) return
    try {
      const next = await relisting.items.next()
      relisting.head = next.done === true ? undefined : next.value
      if (relisting.head?.by != null) cursor.names = relisting.head.by
    } catch (err) {
      await fail(cursor, err as Error)
    }
  }

  /** Walks the re-listing up to `entry`: what comes before it is an extra, a match is its status, else the peer lacks it. */
  const walk = async (cursor: Cursor, entry: Entry): Promise<void> => {
    while (cursor.relisting?.head != null && cursor.relisting.head.cid < entry.cid) {
      await extra(cursor, cursor.relisting.head)
      await advanceRelist(cursor)
    }
    if (cursor.failed != null) return settleFailed(entry, cursor, cursor.failed)
    const item = cursor.relisting?.head
    if (item?.cid === entry.cid) {
      settle(entry, cursor, shortOfCompact(cursor.names, item))
      await advanceRelist(cursor)
    } else {
      settle(entry, cursor, undefined)
    }
  }

  /** The counts or digests differ: re-list the current range and walk the pins held for it. */
  const startRelist = async (cursor: Cursor): Promise<void> => {
    const range: PinKeyRange = {}
    if (cursor.after !== undefined) range.after = cursor.after
    if (cursor.range?.through !== undefined) range.through = cursor.range.through
    cursor.relisting = { items: options.relist(cursor.peer, range)[Symbol.asyncIterator](), ...(range.through !== undefined ? { through: range.through } : {}) }
    cursor.range = undefined
    await advanceRelist(cursor)
    const held = cursor.held
    cursor.held = []
    cursor.digest = 0
    for (const entry of held) await walk(cursor, entry)
  }

  /** Past the re-listed range: what is left of it are extras. */
  const endRelist = async (cursor: Cursor): Promise<void> => {
    const relisting = cursor.relisting
    if (relisting == null) return
    while (cursor.relisting?.head != null) {
      await extra(cursor, cursor.relisting.head)
      await advanceRelist(cursor)
    }
    await relisting.items.return?.()
    cursor.relisting = undefined
    if (relisting.through !== undefined) cursor.after = relisting.through
  }

  /** Every pin of this peer's in the range is held: apply the codes, or re-list when the pins differ. */
  const closeRange = async (cursor: Cursor, range: StatusRange): Promise<void> => {
    if (cursor.held.length !== range.count || cursor.digest !== range.digest) {
      await startRelist(cursor)
      await endRelist(cursor)
      return
    }
    let detail = 0
    for (let i = 0; i < range.count; i++) {
      const code = range.codes[i] ?? DETAILED
      const entry = cursor.held[i] as Entry
      if (code === DETAILED) {
        const item = range.details[detail++]
        settle(entry, cursor, item !== undefined ? shortOfCompact(cursor.names, item) : undefined)
      } else {
        settle(entry, cursor, sharedShort(cursor, code, range.timestamp))
      }
    }
    cursor.held = []
    cursor.digest = 0
    cursor.range = undefined
    if (range.through !== undefined) cursor.after = range.through
  }

  /** Holds the pin for the cursor's current range when that is all there is to do. */
  const tryHold = (cursor: Cursor, entry: Entry): boolean => {
    const range = cursor.range
    if (range === undefined || cursor.failed != null || cursor.relisting != null) return false
    if ((range.through !== undefined && entry.cid > range.through) || cursor.held.length >= range.count) return false
    cursor.held.push(entry)
    cursor.digest = (cursor.digest + cidHash(entry.cid)) >>> 0
    return true
  }

  /** Hands this peer's next pin (or the end: undefined) to one other peer's cursor. */
  const offer = async (cursor: Cursor, entry: Entry | undefined): Promise<void> => {
    for (;;) {
      if (cursor.failed != null) {
        if (entry !== undefined) settleFailed(entry, cursor, cursor.failed)
        return
      }
      const relisting = cursor.relisting
      if (relisting != null) {
        if (entry !== undefined && (relisting.through === undefined || entry.cid <= relisting.through)) return walk(cursor, entry)
        await endRelist(cursor)
        if (entry === undefined && relisting.through === undefined) return
        continue
      }
      if (cursor.range === undefined) {
        await nextRange(cursor)
        continue
      }
      const range = cursor.range
      if (entry === undefined || (range.through !== undefined && entry.cid > range.through)) {
        await closeRange(cursor, range)
        if (entry === undefined && range.through === undefined) return
        continue
      }
      if (tryHold(cursor, entry)) return
      // more of this peer's pins than the other has in the range: they differ, no need to hold more
      cursor.held.push(entry)
      await startRelist(cursor)
      return
    }
  }

  /** The pins every peer has said its part of, in CID order, with the extras before them. */
  function * ready (): Generator<GlobalPinInfoJson> {
    while (pending.peek()?.unsettled === 0) {
      const entry = pending.shift() as Entry
      yield * extrasBefore(entry.cid)
      lastOut = entry.cid
      if (Object.keys(entry.global.peer_map).length > 0) yield entry.global
    }
  }
  function * extrasBefore (cid: string | undefined): Generator<GlobalPinInfoJson> {
    while (extraKeys.length > 0 && (cid === undefined || (extraKeys[0] as string) < cid)) {
      const key = extraKeys.shift() as string
      const global = extras.get(key) as GlobalPinInfoJson
      extras.delete(key)
      lastOut = key
      if (Object.keys(global.peer_map).length > 0) yield global
    }
  }

  try {
    for await (const info of own) {
      const entry: Entry = { cid: info.cid, global: globalInfo(info), unsettled: cursors.length }
      put(entry.global, info.peer, shortInfo(info))
      pending.push(entry)
      for (const cursor of cursors) {
        // most pins fall inside the current range: held without a turn through the async path
        if (!tryHold(cursor, entry)) await offer(cursor, entry)
      }
      yield * ready()
    }
    for (const cursor of cursors) await offer(cursor, undefined)
    yield * ready()
    yield * extrasBefore(undefined)
  } finally {
    await Promise.all(cursors.map(async (c) => {
      await c.relisting?.items.return?.()
      await c.ranges.return?.()
    }))
  }
}

function sharedShort (cursor: Cursor, code: number, timestamp: string): PinInfoShortJson {
  let short = cursor.shared.get(code)
  if (short === undefined) {
    // frozen: the REST API serializes a shared entry once (api/rest/status-json.ts)
    short = Object.freeze(shortOfCompact(cursor.names, { status: statusOfCode(code), timestamp }))
    cursor.shared.set(code, short)
  }
  return short
}

