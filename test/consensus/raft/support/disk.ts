/**
 * An in-memory "disk" that stores exactly what each Ready says, as a real
 * storage would: a snapshot replaces the whole log, an entry at an index
 * already stored replaces it and everything after.
 */
import type { Entry, HardState, RaftRestore, Ready, Snapshot } from '../../../../src/consensus/raft/types.ts'

export class MemoryDisk {
  hardState: HardState | undefined
  snapshot: Snapshot | undefined
  entries: Entry[] = []
  /** How many Readies were written (each one fsync). */
  writes = 0

  static from (restore: RaftRestore): MemoryDisk {
    const disk = new MemoryDisk()
    disk.hardState = restore.hardState
    disk.snapshot = restore.snapshot
    disk.entries = [...(restore.entries ?? [])]
    return disk
  }

  save (rd: Ready): void {
    if (rd.snapshot === undefined && rd.hardState === undefined && rd.entries.length === 0) return
    this.writes++
    if (rd.snapshot !== undefined) {
      this.snapshot = rd.snapshot
      this.entries = []
    }
    if (rd.hardState !== undefined) this.hardState = { ...rd.hardState }
    const first = rd.entries[0]
    if (first !== undefined) {
      const keep = first.index - this.base - 1
      if (keep < 0 || keep > this.entries.length) throw new Error(`disk: entry ${first.index} does not follow the stored log (last ${this.lastIndex})`)
      this.entries = this.entries.slice(0, keep).concat(rd.entries)
    }
  }

  /** The app compacted the log (what RaftCore.compact returned). */
  compact (snapshot: Snapshot): void {
    this.entries = this.entries.filter((e) => e.index > snapshot.meta.index)
    this.snapshot = snapshot
  }

  load (): RaftRestore {
    return {
      ...(this.hardState !== undefined ? { hardState: { ...this.hardState } } : {}),
      ...(this.snapshot !== undefined ? { snapshot: this.snapshot } : {}),
      entries: [...this.entries]
    }
  }

  get base (): number {
    return this.snapshot?.meta.index ?? 0
  }

  get lastIndex (): number {
    return this.base + this.entries.length
  }

  entry (index: number): Entry | undefined {
    return this.entries[index - this.base - 1]
  }

  term (index: number): number | undefined {
    if (index === this.base) return this.snapshot?.meta.term ?? 0
    return this.entry(index)?.term
  }

  /** The terms of the stored entries, in order. */
  terms (): number[] {
    return this.entries.map((e) => e.term)
  }
}
