/**
 * A node's Raft log, in memory: the snapshot it starts after (if any), the
 * entries after it, the commit index, and how much of it the caller has made
 * durable (`stable`). Entries above `stable` are handed out in the next Ready.
 *
 * The log never overwrites a committed entry; asked to, it throws, as that
 * can only be a bug or a corrupt peer.
 */
import { Membership } from './membership.ts'
import type { Entry, Snapshot } from './types.ts'

export class RaftLog {
  /** The snapshot the log starts after, compacted here or installed from a leader. */
  snapshot: Snapshot | undefined
  commit = 0
  /** The highest index known durable: everything up to it was handed out in a Ready and advance()d. */
  stable: number
  readonly membership: Membership
  private snapIndex: number
  private snapTerm: number
  private entries: Entry[] = []

  constructor (snapshot: Snapshot | undefined) {
    this.snapshot = snapshot
    this.snapIndex = snapshot?.meta.index ?? 0
    this.snapTerm = snapshot?.meta.term ?? 0
    this.commit = this.snapIndex
    this.stable = this.snapIndex
    this.membership = new Membership(this.snapIndex, snapshot?.meta.voters ?? [])
  }

  get firstIndex (): number {
    return this.snapIndex + 1
  }

  get lastIndex (): number {
    return this.snapIndex + this.entries.length
  }

  get lastTerm (): number {
    return this.entries[this.entries.length - 1]?.term ?? this.snapTerm
  }

  /** The snapshot's index: entries up to it are compacted. */
  get compactedIndex (): number {
    return this.snapIndex
  }

  /** The term of the entry at `index`; undefined when compacted away or beyond the end. */
  term (index: number): number | undefined {
    if (index === this.snapIndex) return this.snapTerm
    if (index < this.snapIndex) return undefined
    return this.entries[index - this.snapIndex - 1]?.term
  }

  matchTerm (index: number, term: number): boolean {
    return this.term(index) === term
  }

  /** §5.4.1: a log ending at (index, term) is at least as up to date as this one. */
  isUpToDate (index: number, term: number): boolean {
    return term > this.lastTerm || (term === this.lastTerm && index >= this.lastIndex)
  }

  /** Entries in [lo, hi); lo must not be compacted. */
  slice (lo: number, hi: number): Entry[] {
    if (lo <= this.snapIndex) throw new Error(`raft: entries from ${lo} are compacted (snapshot at ${this.snapIndex})`)
    return this.entries.slice(lo - this.snapIndex - 1, Math.max(0, hi - this.snapIndex - 1))
  }

  /** Entries from `lo` on, as many as fit in `maxBytes` of data, at least one. */
  entriesFrom (lo: number, maxBytes: number): Entry[] {
    const out: Entry[] = []
    let bytes = 0
    for (let i = lo - this.snapIndex - 1; i < this.entries.length; i++) {
      const e = this.entries[i]
      if (e === undefined) break
      bytes += e.data.byteLength
      if (out.length > 0 && bytes > maxBytes) break
      out.push(e)
    }
    return out
  }

  /** Entries not yet known durable, to hand out in the next Ready. */
  unstableEntries (): Entry[] {
    return this.slice(this.stable + 1, this.lastIndex + 1)
  }

  hasUnstable (): boolean {
    return this.lastIndex > this.stable
  }

  /** Loads entries read back from disk, already durable. */
  loadStable (entries: readonly Entry[]): void {
    this.append(entries)
    this.stable = this.lastIndex
  }

  /**
   * Appends entries that follow the log or overwrite part of its uncommitted
   * tail: an entry at an index already present replaces it and everything after.
   */
  append (entries: readonly Entry[]): void {
    const first = entries[0]
    if (first === undefined) return
    if (first.index > this.lastIndex + 1) throw new Error(`raft: entry ${first.index} would leave a gap after ${this.lastIndex}`)
    if (first.index <= this.commit) throw new Error(`raft: entry ${first.index} would overwrite a committed entry (commit ${this.commit})`)
    if (first.index <= this.lastIndex) {
      this.entries.length = first.index - this.snapIndex - 1
      this.membership.truncateFrom(first.index)
      this.stable = Math.min(this.stable, first.index - 1)
    }
    for (const e of entries) {
      this.entries.push(e)
      this.membership.append(e)
    }
  }

  /**
   * A follower's append (§5.3): if the log holds (prevIndex, prevTerm), keeps
   * what matches, replaces what conflicts, commits up to what the leader has
   * committed and this append proves, and returns the index of the last new entry.
   * Undefined when the log does not hold (prevIndex, prevTerm).
   */
  maybeAppend (prevIndex: number, prevTerm: number, leaderCommit: number, entries: readonly Entry[]): number | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined
    const lastNew = prevIndex + entries.length
    const conflict = this.findConflict(entries)
    if (conflict !== 0) this.append(entries.slice(conflict - prevIndex - 1))
    this.commitTo(Math.min(leaderCommit, lastNew))
    return lastNew
  }

  /** The index of the first entry that is not in the log as given (a different term, or past the end); 0 when all are. */
  findConflict (entries: readonly Entry[]): number {
    for (const e of entries) if (!this.matchTerm(e.index, e.term)) return e.index
    return 0
  }

  /**
   * The largest index at or below `index` whose term is at most `term`, with
   * that term: where a log that has `term` at `index` may match this one.
   * Returns [index, 0] when it runs into the compacted part.
   */
  findConflictByTerm (index: number, term: number): [number, number] {
    for (let i = Math.min(index, this.lastIndex); i > 0; i--) {
      const t = this.term(i)
      if (t === undefined) return [i, 0]
      if (t <= term) return [i, t]
    }
    return [0, 0]
  }

  commitTo (index: number): void {
    if (index <= this.commit) return
    if (index > this.lastIndex) throw new Error(`raft: commit ${index} is past the last index ${this.lastIndex}`)
    this.commit = index
  }

  /** The caller made the log durable up to (index, term), unless that entry was since replaced. */
  stableTo (index: number, term: number): void {
    if (index > this.stable && this.matchTerm(index, term)) this.stable = index
  }

  /** Discards entries up to the snapshot's index, which the app took of its state there. */
  compact (snapshot: Snapshot): void {
    const index = snapshot.meta.index
    if (index <= this.snapIndex || index > this.lastIndex) throw new Error(`raft: cannot compact to ${index}`)
    this.entries = this.entries.slice(index - this.snapIndex)
    this.snapIndex = index
    this.snapTerm = snapshot.meta.term
    this.snapshot = snapshot
    this.membership.compact(index)
  }

  /** Replaces the whole log with a snapshot from the leader. */
  reset (snapshot: Snapshot): void {
    this.entries = []
    this.snapshot = snapshot
    this.snapIndex = snapshot.meta.index
    this.snapTerm = snapshot.meta.term
    this.commit = this.snapIndex
    this.stable = this.snapIndex
    this.membership.reset(this.snapIndex, snapshot.meta.voters)
  }
}
