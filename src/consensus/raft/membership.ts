/**
 * The configurations a log implies (dissertation §4.1): a server uses the
 * latest configuration in its log, committed or not, from the moment the
 * entry is appended, and falls back to the previous one if that entry is
 * truncated. Kept as a list of points `{index, voters}`: the base (the
 * snapshot's voters, or none at index 0) and one point per 'conf' entry.
 */
import { applyConfChange, decodeConfChange } from './conf-change.ts'
import type { Entry, NodeId } from './types.ts'

interface ConfigPoint {
  /** The configuration takes effect at this index. */
  index: number
  voters: readonly NodeId[]
}

export class Membership {
  private points: ConfigPoint[]

  constructor (baseIndex: number, baseVoters: readonly NodeId[]) {
    this.points = [{ index: baseIndex, voters: [...baseVoters] }]
  }

  /** The latest configuration. */
  get voters (): readonly NodeId[] {
    return this.last().voters
  }

  /** The index of the entry that set the latest configuration (the base index when none). */
  get lastChangeIndex (): number {
    return this.last().index
  }

  /** Takes note of an appended entry. */
  append (entry: Entry): void {
    if (entry.type !== 'conf') return
    this.points.push({ index: entry.index, voters: applyConfChange(this.voters, decodeConfChange(entry.data)) })
  }

  /** Entries from `index` on were removed from the log: their configurations no longer hold. */
  truncateFrom (index: number): void {
    while (this.points.length > 1 && this.last().index >= index) this.points.pop()
  }

  /** The configuration in effect at `index`. */
  votersAt (index: number): readonly NodeId[] {
    for (let i = this.points.length - 1; i >= 0; i--) {
      const p = this.points[i]
      if (p !== undefined && p.index <= index) return p.voters
    }
    return this.points[0]?.voters ?? []
  }

  /** Every member of the configuration in effect at `index` or of any later one. */
  membersSince (index: number): Set<NodeId> {
    const out = new Set<NodeId>(this.votersAt(index))
    for (const p of this.points) if (p.index > index) for (const v of p.voters) out.add(v)
    return out
  }

  /** The log was compacted up to `index`: the configuration there becomes the base. */
  compact (index: number): void {
    const base = { index, voters: this.votersAt(index) }
    this.points = [base, ...this.points.filter((p) => p.index > index)]
  }

  /** The log was replaced by a snapshot. */
  reset (index: number, voters: readonly NodeId[]): void {
    this.points = [{ index, voters: [...voters] }]
  }

  private last (): ConfigPoint {
    const p = this.points[this.points.length - 1]
    if (p === undefined) throw new Error('raft: membership has no base')
    return p
  }
}
