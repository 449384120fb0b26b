/**
 * The pinset on disk: every pin of the cluster, keyed by CID, in a LevelDB
 * owned by a `LevelDatastore` (datastore-level, compressed: see
 * util/level-datastore.ts) in its own folder.
 *
 * Reads and writes go to the datastore's Level (`store.db`) rather than through
 * the Datastore interface, because the pinset needs what that interface does
 * not offer: key ranges, explicit snapshots and synced atomic batches.
 *
 * Consistency with Raft: `batch()` applies a group of committed entries and
 * records their log index in the same atomic write, so after a restart
 * `appliedIndex()` says exactly which entries the pins reflect. Whole-state
 * replacements (`replaceAll`, `restoreFrom`, `clear`) switch generations (see
 * keys.ts) so they are atomic too: a reader or a restart sees the old pinset
 * with its old index, or the new one with its new index, never a mix.
 *
 * Writers are serialized by the PinState itself; reads run alongside them and
 * each read sees one consistent view (a LevelDB iterator reads from the
 * implicit snapshot taken when it is created).
 */
import { logger } from '@libp2p/logger'
import { compressedLevelDatastore } from '../util/level-datastore.ts'
import { parsePin, pinKey } from '../api/pin.ts'
import {
  ALL_PINS_RANGE, APPLIED_INDEX_KEY, GENERATION_KEY,
  decodeCounter, encodeCounter, generationOf, generationPrefix, generationRange, pinStorageKey
} from './keys.ts'
import { StateRestoreError } from './errors.ts'
import { decodePin, encodePin } from './pin-codec.ts'
import { Serial } from './serial.ts'
import { isSnapshotHeader } from './snapshot-items.ts'
import type { LevelDatastore } from 'datastore-level'
import type { PinJson } from '../api/types.ts'
import type { PinKeyRange } from '../rpc-api.ts'
import type { SnapshotItem } from './snapshot-items.ts'

export type { SnapshotHeader, SnapshotItem } from './snapshot-items.ts'

const log = logger('pincluster:state')

/** Pins written per LevelDB batch while replacing the whole state. */
const REPLACE_BATCH_SIZE = 4096

export interface AbortOptions {
  signal?: AbortSignal
}

export interface PinStateInit {
  /** The folder of the LevelDB; created when missing. */
  path: string
}

export type PinStateOp =
  | { type: 'put', pin: PinJson }
  | { type: 'del', cid: string }

export interface PinStateBatchOptions extends AbortOptions {
  /** The Raft log index these changes come from; recorded in the same atomic write. */
  appliedIndex?: number
  /**
   * fsync before resolving. The Raft log is the durable record, so applying
   * need not sync; sync the batch that precedes a log compaction, since the
   * entries it covers can no longer be replayed after that.
   */
  sync?: boolean
}

export interface ReplaceOptions extends AbortOptions {
  /** The applied index of the new pinset; absent: keep the current one. */
  appliedIndex?: number
}

type Db = LevelDatastore['db']
type LevelOp = { type: 'put', key: string, value: Uint8Array } | { type: 'del', key: string }

/** Pins read from the database at a time by a listing. */
export const LIST_BATCH = 256

export class PinState {
  private readonly path: string
  private readonly writes = new Serial()
  private store: LevelDatastore | undefined
  /** Mirrors /meta/generation: where the visible pins live. */
  private generation = 0
  /** Mirrors /meta/applied-index. */
  private applied = 0

  /** `init` may be the folder's path alone. */
  constructor (init: PinStateInit | string) {
    this.path = typeof init === 'string' ? init : init.path
  }

  async open (options?: AbortOptions): Promise<void> {
    options?.signal?.throwIfAborted()
    if (this.store != null) return
    const store = compressedLevelDatastore(this.path)
    await store.open()
    try {
      this.generation = decodeCounter(GENERATION_KEY, await getValue(store.db, GENERATION_KEY))
      this.applied = decodeCounter(APPLIED_INDEX_KEY, await getValue(store.db, APPLIED_INDEX_KEY))
      await dropOtherGenerations(store.db, this.generation)
    } catch (err) {
      await store.close()
      throw err
    }
    this.store = store
    log('opened %s at generation %d, applied index %d', this.path, this.generation, this.applied)
  }

  /** Closes the database. A replacement still running fails; its leftovers are dropped at the next open. */
  async close (): Promise<void> {
    const store = this.store
    this.store = undefined
    await store?.close()
  }

  async get (cid: string, options?: AbortOptions): Promise<PinJson | undefined> {
    options?.signal?.throwIfAborted()
    const value = await getValue(this.db(), pinStorageKey(this.generation, pinKey(cid)))
    return value === undefined ? undefined : decodePin(value)
  }

  async has (cid: string, options?: AbortOptions): Promise<boolean> {
    options?.signal?.throwIfAborted()
    return await getValue(this.db(), pinStorageKey(this.generation, pinKey(cid))) !== undefined
  }

  /** Stores `pin` under its CID, replacing any pin there. */
  async add (pin: PinJson, options?: AbortOptions): Promise<void> {
    await this.batch([{ type: 'put', pin }], options)
  }

  /** Removes the pin of `cid`; nothing happens when there is none. */
  async rm (cid: string, options?: AbortOptions): Promise<void> {
    await this.batch([{ type: 'del', cid }], options)
  }

  /** Every pin in key order (or those of a key range), streamed from the database (memory stays flat). */
  async * list (options?: AbortOptions & { range?: PinKeyRange }): AsyncGenerator<PinJson> {
    for await (const values of this.valueBatches(options)) {
      for (const value of values) yield decodePin(value)
    }
  }

  /** Every pin's stored JSON bytes (no trailing newline), in key order: for answers that pass them through. */
  async * listRaw (options?: AbortOptions & { range?: PinKeyRange }): AsyncGenerator<Uint8Array> {
    for await (const values of this.valueBatches(options)) yield * values
  }

  /** The stored values in key order, many per read: one promise per batch rather than per pin. */
  private async * valueBatches (options?: AbortOptions & { range?: PinKeyRange }): AsyncGenerator<Uint8Array[]> {
    options?.signal?.throwIfAborted()
    // generation and iterator are taken in the same tick: one consistent view
    const iterator = this.db().values(this.keyRange(options?.range))
    try {
      for (;;) {
        const values = await iterator.nextv(LIST_BATCH)
        if (values.length === 0) return
        options?.signal?.throwIfAborted()
        yield values
      }
    } finally {
      await iterator.close()
    }
  }

  private keyRange (range: PinKeyRange | undefined): { gt?: string, gte?: string, lt?: string, lte?: string } {
    const all = generationRange(this.generation)
    if (range == null) return all
    return {
      ...(range.after !== undefined ? { gt: pinStorageKey(this.generation, range.after) } : { gte: all.gte }),
      ...(range.through !== undefined ? { lte: pinStorageKey(this.generation, range.through) } : { lt: all.lt })
    }
  }

  /** How many pins there are: a scan of the keys, O(pins). */
  async count (options?: AbortOptions): Promise<number> {
    options?.signal?.throwIfAborted()
    let n = 0
    for await (const _ of this.db().keys(generationRange(this.generation))) {
      if ((++n & 0xfff) === 0) options?.signal?.throwIfAborted()
    }
    return n
  }

  /** The last Raft log index applied to the pinset (0: none). */
  async appliedIndex (options?: AbortOptions): Promise<number> {
    options?.signal?.throwIfAborted()
    this.db()
    return this.applied
  }

  /**
   * Applies `ops` in order as one atomic write, recording `appliedIndex` in
   * the same write. Throws `PinValidationError` (nothing written) when an op
   * names something that is not a CID, and a RangeError when `appliedIndex`
   * would go backwards (only a whole-state replacement may do that).
   */
  async batch (ops: PinStateOp[], options?: PinStateBatchOptions): Promise<void> {
    const appliedIndex = options?.appliedIndex
    if (appliedIndex !== undefined) checkIndex(appliedIndex)
    await this.writes.run(async () => {
      options?.signal?.throwIfAborted()
      const db = this.db()
      if (appliedIndex !== undefined && appliedIndex < this.applied) {
        throw new RangeError(`pinset state: applied index would go back from ${this.applied} to ${appliedIndex}`)
      }
      const generation = this.generation
      const levelOps: LevelOp[] = ops.map((op) => op.type === 'put'
        ? { type: 'put', key: pinStorageKey(generation, pinKey(op.pin.cid)), value: encodePin(op.pin) }
        : { type: 'del', key: pinStorageKey(generation, pinKey(op.cid)) })
      if (appliedIndex !== undefined) levelOps.push({ type: 'put', key: APPLIED_INDEX_KEY, value: encodeCounter(appliedIndex) })
      if (levelOps.length === 0) return
      await db.batch(levelOps, { sync: options?.sync === true })
      if (appliedIndex !== undefined) this.applied = appliedIndex
    })
  }

  /** Removes every pin and the applied index, atomically. */
  async clear (options?: AbortOptions): Promise<void> {
    await this.replaceAll([], { ...options, appliedIndex: 0 })
  }

  /**
   * Replaces the whole pinset with `pins` (which must be valid, e.g. from
   * `parsePin`), atomically: the new pins are written in batches to the next
   * generation and become visible, with their applied index, in one final
   * synced write. If `pins` throws or the signal aborts midway, the pinset is
   * left as it was and the error is rethrown. Other writes wait meanwhile.
   */
  async replaceAll (pins: AsyncIterable<PinJson> | Iterable<PinJson>, options?: ReplaceOptions): Promise<void> {
    if (options?.appliedIndex !== undefined) checkIndex(options.appliedIndex)
    await this.writes.run(async () => {
      options?.signal?.throwIfAborted()
      const db = this.db()
      const old = this.generation
      const next = old + 1
      const appliedIndex = options?.appliedIndex ?? this.applied
      // a replacement that failed before may have left pins there
      await db.clear(generationRange(next))
      let written = 0
      try {
        let ops: LevelOp[] = []
        for await (const pin of pins) {
          options?.signal?.throwIfAborted()
          ops.push({ type: 'put', key: pinStorageKey(next, pinKey(pin.cid)), value: encodePin(pin) })
          if (ops.length >= REPLACE_BATCH_SIZE) {
            await db.batch(ops)
            written += ops.length
            ops = []
          }
        }
        options?.signal?.throwIfAborted()
        // the switch: only this write makes the new pins and their index visible
        ops.push({ type: 'put', key: GENERATION_KEY, value: encodeCounter(next) })
        ops.push({ type: 'put', key: APPLIED_INDEX_KEY, value: encodeCounter(appliedIndex) })
        await db.batch(ops, { sync: true })
        written += ops.length - 2
      } catch (err) {
        log('replacement failed after %d pins, keeping generation %d: %s', written, old, err)
        await dropGeneration(db, next)
        throw err
      }
      this.generation = next
      this.applied = appliedIndex
      log('replaced the pinset: %d pins, generation %d, applied index %d', written, next, appliedIndex)
      await dropGeneration(db, old)
    })
  }

  /**
   * The whole pinset as of one instant, for a Raft snapshot: first
   * `{ appliedIndex }`, then every pin in key order. All of it is read from
   * one explicit LevelDB snapshot taken when the first item is requested, so
   * the index and the pins match even while batches keep being applied.
   * Finish or `return()` the iteration to release the snapshot.
   */
  async * snapshotStream (options?: AbortOptions): AsyncGenerator<SnapshotItem> {
    options?.signal?.throwIfAborted()
    const db = this.db()
    const snapshot = db.snapshot()
    try {
      const generation = decodeCounter(GENERATION_KEY, await getValue(db, GENERATION_KEY, snapshot))
      const appliedIndex = decodeCounter(APPLIED_INDEX_KEY, await getValue(db, APPLIED_INDEX_KEY, snapshot))
      yield { appliedIndex }
      for await (const value of db.values({ ...generationRange(generation), snapshot })) {
        options?.signal?.throwIfAborted()
        yield decodePin(value)
      }
    } finally {
      await snapshot.close()
    }
  }

  /**
   * Replaces the pinset with a snapshot stream (as `snapshotStream` yields it,
   * from this peer or another): atomic, see `replaceAll`. Every pin is
   * validated; a bad item is a `StateRestoreError` and changes nothing.
   */
  async restoreFrom (source: AsyncIterable<SnapshotItem>, options?: AbortOptions): Promise<void> {
    const iterator = source[Symbol.asyncIterator]()
    const first = await iterator.next()
    if (first.done === true || !isSnapshotHeader(first.value)) {
      await iterator.return?.()
      throw new StateRestoreError('snapshot stream: the first item must be { appliedIndex }')
    }
    const appliedIndex = first.value.appliedIndex
    if (!Number.isSafeInteger(appliedIndex) || appliedIndex < 0) {
      await iterator.return?.()
      throw new StateRestoreError(`snapshot stream: bad applied index ${appliedIndex}`)
    }
    await this.replaceAll(validPins(iterator), { appliedIndex, signal: options?.signal })
  }

  private db (): Db {
    if (this.store == null) throw new Error('pinset state is not open')
    return this.store.db
  }
}

/** The pins after a snapshot header, validated; item numbers count from 1 for the header. */
async function * validPins (iterator: AsyncIterator<SnapshotItem>): AsyncGenerator<PinJson> {
  try {
    for (let item = 2; ; item++) {
      const next = await iterator.next()
      if (next.done === true) return
      if (isSnapshotHeader(next.value)) throw new StateRestoreError(`snapshot stream: item ${item} is a second header`)
      try {
        yield parsePin(next.value)
      } catch (err) {
        throw new StateRestoreError(`snapshot stream: item ${item}: ${(err as Error).message}`, { cause: err })
      }
    }
  } finally {
    await iterator.return?.()
  }
}

function checkIndex (index: number): void {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`pinset state: bad applied index ${index}`)
}

/** Level answers undefined for a missing key (its types say otherwise). */
async function getValue (db: Db, key: string, snapshot?: ReturnType<Db['snapshot']>): Promise<Uint8Array | undefined> {
  const value: Uint8Array | undefined = snapshot === undefined ? await db.get(key) : await db.get(key, { snapshot })
  return value
}

/** Deletes one generation's pins; a failure only leaves garbage for the next open, so it is logged. */
async function dropGeneration (db: Db, generation: number): Promise<void> {
  try {
    await db.clear(generationRange(generation))
  } catch (err) {
    log.error('could not drop generation %d (dropped again at the next open): %s', generation, err)
  }
}

/** Deletes the pins of every generation but `current`: leftovers of an interrupted replacement. */
async function dropOtherGenerations (db: Db, current: number): Promise<void> {
  const currentRange = generationRange(current)
  const outside = [
    { gte: ALL_PINS_RANGE.gte, lt: generationPrefix(current) },
    { gte: currentRange.lt, lt: ALL_PINS_RANGE.lt }
  ]
  for (const range of outside) {
    while (true) {
      const [key] = await db.keys({ ...range, limit: 1 }).all()
      if (key === undefined) break
      const generation = generationOf(key)
      if (!Number.isSafeInteger(generation) || generation === current) {
        // not a key this code writes: drop it alone rather than loop on it
        log.error('dropping a malformed pin key %s', key)
        await db.del(key)
        continue
      }
      log('dropping the leftover pins of generation %d', generation)
      await db.clear(generationRange(generation))
    }
  }
}
