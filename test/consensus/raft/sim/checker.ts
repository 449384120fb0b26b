/**
 * Raft's safety properties (Figure 3 of the paper), checked after every step
 * of a simulation, over all nodes and all time:
 * - Election Safety: at most one leader per term;
 * - Leader Append-Only: a leader never overwrites or deletes entries in its log;
 * - Log Matching: two logs holding an entry with the same index and term are
 *   identical up to it (checked as: over every disk, ever, one (index, term)
 *   always names the same entry following the same term);
 * - Leader Completeness: an entry committed in a term is in the log of every leader of a later term;
 * - State Machine Safety: no two nodes ever apply different entries at one index.
 *
 * The term an entry was committed in is bounded from above by the term any node was
 * in when its commit index first covered the entry (a leader commits in its own term,
 * and whoever learns of it later is in that term or a later one). Leader Completeness
 * is checked for leaders of terms above that bound: sound, and as tight as observed.
 */
import { decodeConfChange } from '../../../../src/consensus/raft/core.ts'
import type { Entry, NodeId, Ready, Role, Snapshot } from '../../../../src/consensus/raft/types.ts'

const decoder = new TextDecoder()

/** What identifies an entry: its term and content (the index is where it sits). */
export function entryKey (e: Entry): string {
  if (e.type === 'conf') {
    const cc = decodeConfChange(e.data)
    return `${e.term}:conf:${cc.type}:${cc.node}`
  }
  return `${e.term}:${decoder.decode(e.data)}`
}

const snapshotCache = new WeakMap<Uint8Array, string[]>()

/** The simulated app's state in a snapshot: the keys of the entries applied, from index 1. */
export function snapshotKeys (s: Snapshot): string[] {
  let keys = snapshotCache.get(s.data)
  if (keys === undefined) {
    keys = JSON.parse(decoder.decode(s.data)) as string[]
    snapshotCache.set(s.data, keys)
  }
  return keys
}

/** A node's durable log, as the checker reads it. */
export interface LogView {
  id: NodeId
  term: number
  role: Role
  incarnation: number
  /** Whether the disk holds the whole log (no write pending): only then is `keyAt` the node's log. */
  settled: () => boolean
  /** The key of the entry at `index` (from the snapshot's state when compacted); undefined past the end. */
  keyAt: (index: number) => string | undefined
}

export class SafetyChecker {
  private readonly fail: (message: string) => never
  private readonly leaderOfTerm = new Map<number, NodeId>()
  private readonly elected = new Set<string>()
  private readonly entries = new Map<string, { key: string, prevTerm: number }>()
  private readonly committed = new Map<number, string>()
  /** index -> the lowest term a node was in when it saw the entry committed. */
  private readonly committedBy = new Map<number, number>()
  /** node -> the commit index last seen (reset when it crashes). */
  private readonly commitSeen = new Map<NodeId, number>()
  private readonly leaders = new Map<NodeId, LogView>()
  elections = 0

  constructor (fail: (message: string) => never) {
    this.fail = fail
  }

  get committedCount (): number {
    return this.committed.size
  }

  /** Leader Append-Only: what a leader writes only extends its log. */
  beforeSave (view: LogView, rd: Ready, diskLast: number): void {
    if (view.role !== 'leader') return
    if (rd.snapshot !== undefined) this.fail(`Leader Append-Only: leader ${view.id} (term ${view.term}) installs a snapshot`)
    const first = rd.entries[0]
    if (first !== undefined && first.index <= diskLast) {
      this.fail(`Leader Append-Only: leader ${view.id} (term ${view.term}) overwrites its log from ${first.index} (last ${diskLast})`)
    }
  }

  /** Log Matching, over every disk ever written. */
  afterSave (id: NodeId, rd: Ready, termAt: (index: number) => number | undefined): void {
    for (const e of rd.entries) {
      const prevTerm = termAt(e.index - 1)
      if (prevTerm === undefined) this.fail(`${id} wrote entry ${e.index} with nothing before it`)
      const key = entryKey(e)
      const at = `${e.index}/${e.term}`
      const seen = this.entries.get(at)
      if (seen === undefined) this.entries.set(at, { key, prevTerm })
      else if (seen.key !== key || seen.prevTerm !== prevTerm) {
        this.fail(`Log Matching: ${id} holds ${at} as "${key}" after term ${prevTerm}; elsewhere it is "${seen.key}" after term ${seen.prevTerm}`)
      }
    }
  }

  /** State Machine Safety; Leader Completeness for a newly known committed entry. */
  applied (id: NodeId, index: number, key: string): void {
    const seen = this.committed.get(index)
    if (seen === undefined) {
      this.committed.set(index, key)
      this.checkLeadersHold(index)
    } else if (seen !== key) {
      this.fail(`State Machine Safety: ${id} applies "${key}" at ${index} where another node applied "${seen}"`)
    }
  }

  /** A node in `term` has `commit` as its commit index. */
  commitIndex (id: NodeId, term: number, commit: number): void {
    const from = this.commitSeen.get(id) ?? 0
    if (commit <= from) return
    this.commitSeen.set(id, commit)
    for (let i = from + 1; i <= commit; i++) {
      const by = this.committedBy.get(i)
      if (by !== undefined && by <= term) continue
      this.committedBy.set(i, term)
      this.checkLeadersHold(i)
    }
  }

  /** Leader Completeness for one committed entry, against the current leaders. */
  private checkLeadersHold (index: number): void {
    const key = this.committed.get(index)
    const by = this.committedBy.get(index)
    if (key === undefined || by === undefined) return
    for (const leader of this.leaders.values()) {
      if (leader.term > by && leader.settled() && leader.keyAt(index) !== key) {
        this.fail(`Leader Completeness: entry ${index} "${key}", committed by term ${by}, is not in the log of leader ${leader.id} of term ${leader.term} (has "${leader.keyAt(index)}")`)
      }
    }
  }

  /** Election Safety, and Leader Completeness for a newly elected leader. */
  status (view: LogView | undefined, id: NodeId): void {
    if (view === undefined || view.role !== 'leader') {
      this.leaders.delete(id)
      return
    }
    this.leaders.set(id, view)
    const other = this.leaderOfTerm.get(view.term)
    if (other !== undefined && other !== id) this.fail(`Election Safety: ${id} and ${other} both lead term ${view.term}`)
    this.leaderOfTerm.set(view.term, id)
    // the log is checked once it is all on disk
    const election = `${view.term}/${id}/${view.incarnation}`
    if (this.elected.has(election) || !view.settled()) return
    this.elected.add(election)
    this.elections++
    for (const [index, key] of this.committed) {
      const by = this.committedBy.get(index)
      if (by !== undefined && by < view.term && view.keyAt(index) !== key) {
        this.fail(`Leader Completeness: ${id} elected in term ${view.term} lacks entry ${index} "${key}", committed by term ${by} (has "${view.keyAt(index)}")`)
      }
    }
  }

  crashed (id: NodeId): void {
    this.leaders.delete(id)
    this.commitSeen.delete(id)
  }
}
