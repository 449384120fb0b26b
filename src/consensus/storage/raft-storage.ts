/**
 * The Raft log on disk: hard state, latest snapshot and log entries, in a
 * LevelDB of its own (classic-level).
 *
 * `save()` is the group commit: whatever one `Ready` asks to persist (a
 * snapshot, the hard state, any number of entries, the truncation of a
 * conflicting tail) is one atomic LevelDB batch written with `sync: true`,
 * so one fsync, before any message that depends on it is sent.
 *
 * Every record carries a checksum (records.ts), and `load()` checks every
 * entry after the snapshot, and that they follow on without a gap up to the
 * recorded end of the log. Anything wrong is a `RaftLogCorruptError` naming the
 * bad index and the last good one; nothing is loaded, nothing is repaired.
 * `repairTail()` truncates the log after the last good entry, only when an
 * operator asks for it.
 *
 * Writes need the log loaded first (`load()` tells where it ends), and are
 * serialized.
 */
import { logger } from '@libp2p/logger'
import { ClassicLevel } from 'classic-level'
import { RaftLogCorruptError } from './errors.ts'
import {
  ENTRY_RANGE_END, ENTRY_RANGE_START, HARD_STATE_KEY, LOG_END_KEY, SNAPSHOT_KEY, entryKey, entryKeyIndex
} from './keys.ts'
import {
  RecordProblem,
  decodeEntry, decodeHardState, decodeLogEnd, decodeSnapshot, encodeEntry, encodeHardState, encodeLogEnd, encodeSnapshot
} from './records.ts'
import type { RaftLogRecord } from './errors.ts'
import type { Entry, HardState, RaftRestore, Snapshot } from '../raft/types.ts'

const log = logger('pincluster:consensus:storage')

export interface AbortOptions {
  signal?: AbortSignal
}

export interface RaftStorageInit {
  /** The folder of the LevelDB; created when missing. */
  path: string
}

/** What one `Ready` asks to persist. */
export interface RaftPersist {
  hardState?: HardState
  /** Appended in order; an entry at an index already stored replaces it and every later one. */
  entries?: Entry[]
  /** A snapshot to record (installed from a leader or taken here): entries up to its index are dropped. */
  snapshot?: Snapshot
}

export interface RepairResult {
  /** How many entry records were deleted. */
  removed: number
  /** Where the log now ends. */
  lastIndex: number
  /** Set when the hard state's commit index pointed past the new end and was lowered to it. */
  commitLoweredFrom?: number
}

type Db = ClassicLevel<Uint8Array, Uint8Array>
type Op = { type: 'put', key: Uint8Array, value: Uint8Array } | { type: 'del', key: Uint8Array }

/** Where the stored log stands; known once `load()` succeeded. */
interface Position {
  snapIndex: number
  snapTerm: number
  /** The first and last stored entry records (entries up to the snapshot may linger until compacted). */
  firstStored: number | undefined
  lastStored: number | undefined
  /** What the log-end record says. */
  end: number
}

export class RaftStorage {
  private readonly path: string
  private db: Db | undefined
  private position: Position | undefined
  /** Settles when the last write settles; never rejects. */
  private writes: Promise<unknown> = Promise.resolve()

  /** `init` may be the folder's path alone. */
  constructor (init: RaftStorageInit | string) {
    this.path = typeof init === 'string' ? init : init.path
  }

  async open (options?: AbortOptions): Promise<void> {
    options?.signal?.throwIfAborted()
    if (this.db != null) return
    const db: Db = new ClassicLevel(this.path, { keyEncoding: 'view', valueEncoding: 'view' })
    await db.open()
    this.db = db
  }

  async close (): Promise<void> {
    const db = this.db
    this.db = undefined
    this.position = undefined
    await db?.close()
  }

  /** The index of the last entry (or of the snapshot when no entry follows it). Needs `load()`. */
  lastIndex (): number {
    const position = this.loaded()
    return Math.max(position.lastStored ?? 0, position.snapIndex)
  }

  /** The index of the latest snapshot, 0 when none. Needs `load()`. */
  snapshotIndex (): number {
    return this.loaded().snapIndex
  }

  /**
   * Everything persisted: hard state, latest snapshot and the entries after
   * it, in order, every one verified. Throws `RaftLogCorruptError`.
   */
  async load (options?: AbortOptions): Promise<RaftRestore> {
    return this.serialize(async () => this.verifiedLoad(options))
  }

  private async verifiedLoad (options?: AbortOptions): Promise<RaftRestore> {
    options?.signal?.throwIfAborted()
    const db = this.openDb()
    this.position = undefined
    const snapshot = await this.readRecord(db, SNAPSHOT_KEY, 'snapshot', decodeSnapshot, 0)
    const snapIndex = snapshot?.meta.index ?? 0
    const snapTerm = snapshot?.meta.term ?? 0
    const hardState = await this.readRecord(db, HARD_STATE_KEY, 'hard-state', decodeHardState, snapIndex)
    let endProblem: string | undefined
    let end: number | undefined
    try {
      const value = await db.get(LOG_END_KEY)
      end = value === undefined ? undefined : decodeLogEnd(value)
    } catch (err) {
      if (!(err instanceof RecordProblem)) throw err
      endProblem = err.message
    }

    const entries: Entry[] = []
    let expected = snapIndex + 1
    let previousTerm = snapTerm
    const corrupt = (problem: string): RaftLogCorruptError => this.corrupt('entry', expected, expected - 1, problem)
    for await (const [key, value] of db.iterator({ gte: entryKey(expected), lt: ENTRY_RANGE_END })) {
      options?.signal?.throwIfAborted()
      const index = entryKeyIndex(key)
      if (index === undefined) throw corrupt(`a malformed key (${key.length} bytes) stands where it should be`)
      if (index !== expected) throw corrupt(`it is missing (the next stored entry is ${index})`)
      if (end !== undefined && index > end) throw corrupt(`it lies beyond the recorded end of the log (${end})`)
      let entry: Entry
      try {
        entry = decodeEntry(value)
      } catch (err) {
        if (err instanceof RecordProblem) throw corrupt(err.message)
        throw err
      }
      if (entry.index !== index) throw corrupt(`its record says index ${entry.index}`)
      if (entry.term < previousTerm) throw corrupt(`its term ${entry.term} is lower than the term before it (${previousTerm})`)
      entries.push(entry)
      previousTerm = entry.term
      expected++
    }
    const lastGood = expected - 1
    if (endProblem !== undefined) throw this.corrupt('log-end', 0, lastGood, endProblem)
    if (end === undefined && entries.length > 0) throw this.corrupt('log-end', 0, lastGood, 'it is missing while entries are stored')
    if (end !== undefined && end > lastGood) throw corrupt(`it is missing: the log was recorded to end at ${end}`)

    this.position = {
      snapIndex,
      snapTerm,
      firstStored: await edgeIndex(db, false),
      lastStored: await edgeIndex(db, true),
      end: end ?? 0
    }
    log('loaded %s: snapshot at %d, entries %d..%d, term %d', this.path, snapIndex, snapIndex + 1, lastGood, hardState?.term ?? 0)
    const restore: RaftRestore = { entries }
    if (hardState !== undefined) restore.hardState = hardState
    if (snapshot !== undefined) restore.snapshot = snapshot
    return restore
  }

  /**
   * Persists one `Ready` in one atomic, synced batch. A snapshot drops the
   * entries up to its index; if the entry at its index has another term (a
   * divergent log, Raft §7), every entry goes. Entries must follow on from
   * the log (no gap); those the snapshot covers are skipped.
   */
  async save (update: RaftPersist, options?: AbortOptions): Promise<void> {
    await this.serialize(async () => {
      options?.signal?.throwIfAborted()
      const db = this.openDb()
      const now = this.loaded()
      const next: Position = { ...now }
      const ops: Op[] = []

      const snapshot = update.snapshot
      if (snapshot != null) {
        const { index, term } = snapshot.meta
        checkIndex('snapshot index', index)
        if (index < now.snapIndex) throw new RangeError(`raft log: a snapshot at ${index} is older than the one stored (${now.snapIndex})`)
        ops.push({ type: 'put', key: SNAPSHOT_KEY, value: encodeSnapshot(snapshot) })
        if (next.firstStored !== undefined && next.lastStored !== undefined) {
          const keepAfter = index < next.lastStored && await this.termAt(db, now, index) === term
          const dropTo = keepAfter ? index : next.lastStored
          for (let i = next.firstStored; i <= dropTo; i++) ops.push({ type: 'del', key: entryKey(i) })
          next.firstStored = keepAfter ? index + 1 : undefined
          next.lastStored = keepAfter ? next.lastStored : undefined
        }
        next.snapIndex = index
        next.snapTerm = term
      }

      const entries = (update.entries ?? []).filter((e) => e.index > next.snapIndex)
      const first = entries[0]
      if (first !== undefined) {
        entries.forEach((e, i) => {
          checkIndex('entry index', e.index)
          checkIndex('entry term', e.term)
          if (e.index !== first.index + i) throw new RangeError(`raft log: entries to save are not contiguous (${e.index} after ${first.index + i - 1})`)
        })
        const last = first.index + entries.length - 1
        const follows = (next.lastStored ?? next.snapIndex) + 1
        if (first.index > follows) throw new RangeError(`raft log: entries from ${first.index} would leave a gap after ${follows - 1}`)
        for (const e of entries) ops.push({ type: 'put', key: entryKey(e.index), value: encodeEntry(e) })
        // appending at an index already stored: everything after the new entries goes
        for (let i = last + 1; i <= (next.lastStored ?? 0); i++) ops.push({ type: 'del', key: entryKey(i) })
        next.firstStored ??= first.index
        next.lastStored = last
      }

      if (update.hardState != null) {
        checkIndex('term', update.hardState.term)
        checkIndex('commit', update.hardState.commit)
        ops.push({ type: 'put', key: HARD_STATE_KEY, value: encodeHardState(update.hardState) })
      }
      if (ops.length === 0) return
      next.end = Math.max(next.lastStored ?? 0, next.snapIndex)
      if (next.end !== now.end) ops.push({ type: 'put', key: LOG_END_KEY, value: encodeLogEnd(next.end) })
      await db.batch(ops, { sync: true })
      this.position = next
    })
  }

  /**
   * Records a snapshot the application took of its own state at `index`,
   * keeping the entries it covers (to serve followers that lag a little);
   * `compact()` drops them later. The index must lie within the log.
   */
  async createSnapshot (snapshot: Snapshot, options?: AbortOptions): Promise<void> {
    await this.serialize(async () => {
      options?.signal?.throwIfAborted()
      const db = this.openDb()
      const now = this.loaded()
      const { index, term } = snapshot.meta
      checkIndex('snapshot index', index)
      const last = Math.max(now.lastStored ?? 0, now.snapIndex)
      if (index < now.snapIndex || index > last) throw new RangeError(`raft log: cannot snapshot at ${index}: the log holds ${now.snapIndex}..${last}`)
      await db.put(SNAPSHOT_KEY, encodeSnapshot(snapshot), { sync: true })
      this.position = { ...now, snapIndex: index, snapTerm: term }
    })
  }

  /**
   * Deletes the entries up to `index`, never past the latest snapshot (the
   * entries after it are what a restart needs; `index` is lowered to it).
   * Resolves to the number of entries deleted.
   */
  async compact (index: number, options?: AbortOptions): Promise<number> {
    return this.serialize(async () => {
      options?.signal?.throwIfAborted()
      const db = this.openDb()
      const now = this.loaded()
      const upTo = Math.min(index, now.snapIndex, now.lastStored ?? 0)
      if (now.firstStored === undefined || now.lastStored === undefined || upTo < now.firstStored) return 0
      if (upTo < index) log('compact(%d): entries after the snapshot at %d are kept', index, now.snapIndex)
      const ops: Op[] = []
      for (let i = now.firstStored; i <= upTo; i++) ops.push({ type: 'del', key: entryKey(i) })
      // no fsync: if lost, the entries come back and are dropped again
      await db.batch(ops)
      const emptied = upTo >= now.lastStored
      this.position = { ...now, firstStored: emptied ? undefined : upTo + 1, lastStored: emptied ? undefined : now.lastStored }
      return ops.length
    })
  }

  /**
   * The operator's repair of a log `load()` reported corrupt: deletes every
   * entry record after `lastGoodIndex`, records the log as ending there, and
   * lowers the hard state's commit index if it pointed past it. Entries this
   * peer had acknowledged may be lost: the leader sends them again, unless
   * too many peers lost them, which is why this is never automatic.
   * `load()` must be called again afterwards.
   */
  async repairTail (lastGoodIndex: number, options?: AbortOptions): Promise<RepairResult> {
    checkIndex('last good index', lastGoodIndex)
    return this.serialize(async () => {
      options?.signal?.throwIfAborted()
      const db = this.openDb()
      this.position = undefined
      const snapshot = await this.readRecord(db, SNAPSHOT_KEY, 'snapshot', decodeSnapshot, 0)
      const snapIndex = snapshot?.meta.index ?? 0
      if (lastGoodIndex < snapIndex) throw new RangeError(`raft log: cannot cut at ${lastGoodIndex}, before the snapshot at ${snapIndex}`)
      const hardState = await this.readRecord(db, HARD_STATE_KEY, 'hard-state', decodeHardState, snapIndex)

      const ops: Op[] = []
      for await (const key of db.keys({ gt: entryKey(lastGoodIndex), lt: ENTRY_RANGE_END })) ops.push({ type: 'del', key })
      const [lastKept] = await db.keys({ gte: ENTRY_RANGE_START, lte: entryKey(lastGoodIndex), reverse: true, limit: 1 }).all()
      const lastIndex = Math.max(snapIndex, (lastKept === undefined ? undefined : entryKeyIndex(lastKept)) ?? 0)
      const result: RepairResult = { removed: ops.length, lastIndex }
      ops.push({ type: 'put', key: LOG_END_KEY, value: encodeLogEnd(lastIndex) })
      if (hardState !== undefined && hardState.commit > lastIndex) {
        result.commitLoweredFrom = hardState.commit
        ops.push({ type: 'put', key: HARD_STATE_KEY, value: encodeHardState({ ...hardState, commit: lastIndex }) })
      }
      await db.batch(ops, { sync: true })
      log.error('repaired %s on request: %d entries after %d deleted, log ends at %d%s', this.path, result.removed, lastGoodIndex, lastIndex,
        result.commitLoweredFrom === undefined ? '' : `, commit lowered from ${result.commitLoweredFrom}`)
      return result
    })
  }

  /** The term of the entry at `index` as stored (the snapshot's at its index); undefined when unknown. */
  private async termAt (db: Db, position: Position, index: number): Promise<number | undefined> {
    if (index === position.snapIndex) return position.snapTerm
    const value = await db.get(entryKey(index))
    if (value === undefined) return undefined
    try {
      return decodeEntry(value).term
    } catch {
      // verified at load: a bad record now reads as a mismatch, so the log is dropped rather than trusted
      return undefined
    }
  }

  private async readRecord<T> (db: Db, key: Uint8Array, record: RaftLogRecord, decode: (value: Uint8Array) => T, lastGood: number): Promise<T | undefined> {
    const value = await db.get(key)
    if (value === undefined) return undefined
    try {
      return decode(value)
    } catch (err) {
      if (err instanceof RecordProblem) throw this.corrupt(record, 0, lastGood, err.message)
      throw err
    }
  }

  private corrupt (record: RaftLogRecord, index: number, lastGoodIndex: number, problem: string): RaftLogCorruptError {
    const err = new RaftLogCorruptError({ path: this.path, record, index, lastGoodIndex, problem })
    log.error('%s', err.message)
    return err
  }

  private openDb (): Db {
    if (this.db == null) throw new Error('raft log is not open')
    return this.db
  }

  private loaded (): Position {
    if (this.position == null) throw new Error('raft log: load() it before writing to it')
    return this.position
  }

  private async serialize<T> (task: () => Promise<T>): Promise<T> {
    const result = this.writes.then(task)
    this.writes = result.catch(() => {})
    return result
  }
}

function checkIndex (what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`raft log: bad ${what} ${value}`)
}

/** The index of the first (or last) entry record, undefined when there is none. */
async function edgeIndex (db: Db, last: boolean): Promise<number | undefined> {
  const [key] = await db.keys({ gte: ENTRY_RANGE_START, lt: ENTRY_RANGE_END, reverse: last, limit: 1 }).all()
  return key === undefined ? undefined : entryKeyIndex(key)
}
