/**
 * Rebuilds a log from what was persisted, refusing anything the core could
 * not have written: a gap or a reordering in the entries, terms that go back,
 * a commit index past the last entry (a lost tail), entries with no hard state.
 * Starting from such a log would silently break Raft's guarantees.
 */
import { RaftRestoreError } from './errors.ts'
import { RaftLog } from './log.ts'
import type { RaftRestore } from './types.ts'

function isIndex (n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
}

export function restoreLog (restore: RaftRestore): RaftLog {
  const snap = restore.snapshot
  if (snap !== undefined) {
    if (!isIndex(snap.meta.index) || !isIndex(snap.meta.term) || !Array.isArray(snap.meta.voters)) {
      throw new RaftRestoreError('the snapshot metadata is malformed')
    }
  }
  const log = new RaftLog(snap)
  // a storage may keep entries the snapshot covers: they are skipped, but must agree with it
  const entries = (restore.entries ?? []).filter((e) => e.index > log.compactedIndex)
  const atSnapshot = restore.entries?.find((e) => e.index === log.compactedIndex)
  if (atSnapshot !== undefined && atSnapshot.term !== log.lastTerm) {
    throw new RaftRestoreError(`entry ${atSnapshot.index} has term ${atSnapshot.term} but the snapshot there has term ${log.lastTerm}`)
  }
  let expect = log.lastIndex + 1
  let prevTerm = log.lastTerm
  for (const e of entries) {
    if (e.index !== expect) throw new RaftRestoreError(`entry ${e.index} found where ${expect} was expected: the log has a gap or is out of order`)
    if (!isIndex(e.term) || e.term < prevTerm) throw new RaftRestoreError(`entry ${e.index} has term ${e.term} after term ${prevTerm}`)
    if (e.type !== 'normal' && e.type !== 'conf') throw new RaftRestoreError(`entry ${e.index} has an unknown type`)
    if (!(e.data instanceof Uint8Array)) throw new RaftRestoreError(`entry ${e.index} has no data`)
    expect++
    prevTerm = e.term
  }
  try {
    log.loadStable(entries)
  } catch (err) {
    throw new RaftRestoreError(`the log cannot be loaded: ${(err as Error).message}`)
  }
  const hs = restore.hardState
  if (hs === undefined) {
    if (log.lastIndex > 0) throw new RaftRestoreError('a log was persisted without a hard state (term and vote)')
    return log
  }
  if (!isIndex(hs.term) || !isIndex(hs.commit) || typeof hs.vote !== 'string') throw new RaftRestoreError('the hard state is malformed')
  if (hs.commit > log.lastIndex) {
    throw new RaftRestoreError(`the commit index ${hs.commit} is past the last entry ${log.lastIndex}: the log's tail is missing`)
  }
  if (hs.term < log.lastTerm) throw new RaftRestoreError(`the term ${hs.term} is older than the last entry's term ${log.lastTerm}`)
  log.commitTo(Math.max(hs.commit, log.compactedIndex))
  return log
}
