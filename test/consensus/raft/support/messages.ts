/** Builders for hand-made messages, entries and logs in unit tests. */
import type { Entry, Message, NodeId, RaftRestore } from '../../../../src/consensus/raft/types.ts'

export function msg (m: Partial<Message> & Pick<Message, 'type' | 'from' | 'to' | 'term'>): Message {
  return { logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0, ...m }
}

export function ent (index: number, term: number, data = ''): Entry {
  return { index, term, type: 'normal', data: new TextEncoder().encode(data) }
}

/** Entries 1..n with the given terms. */
export function entries (terms: number[], from = 1): Entry[] {
  return terms.map((t, i) => ent(from + i, t, `e${from + i}t${t}`))
}

/**
 * A persisted state with the given log terms. The configuration comes from a
 * snapshot at index 0, so the log can hold anything.
 */
export function persisted (voters: NodeId[], terms: number[], hs: { term?: number, vote?: NodeId, commit?: number } = {}): RaftRestore {
  return {
    snapshot: { meta: { index: 0, term: 0, voters }, data: new Uint8Array(0) },
    entries: entries(terms),
    hardState: { term: hs.term ?? Math.max(0, ...terms), vote: hs.vote ?? '', commit: hs.commit ?? 0 }
  }
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s)
