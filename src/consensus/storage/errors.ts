/**
 * A Raft log that cannot be trusted is reported, never repaired behind the
 * operator's back: truncating a log can drop entries this peer acknowledged,
 * so it is an explicit choice (`RaftStorage.repairTail`).
 */

/**
 * Which record was found bad. A bad `entry` or `log-end` record can be
 * repaired by truncating the log; a bad hard state or snapshot cannot.
 */
export type RaftLogRecord = 'entry' | 'hard-state' | 'snapshot' | 'log-end'

export interface RaftLogCorruptInit {
  path: string
  record: RaftLogRecord
  /** The bad entry's index (for 'entry'); 0 otherwise. */
  index: number
  /** The last entry that is intact and follows on from the snapshot without a gap (the snapshot's index when none does). */
  lastGoodIndex: number
  problem: string
}

export class RaftLogCorruptError extends Error {
  static readonly NAME = 'RaftLogCorruptError'
  readonly path: string
  readonly record: RaftLogRecord
  readonly index: number
  readonly lastGoodIndex: number
  readonly problem: string

  constructor (init: RaftLogCorruptInit) {
    const where = init.record === 'entry' ? `entry ${init.index}` : `the ${init.record} record`
    const advice = init.record === 'entry' || init.record === 'log-end'
      ? `the last good entry is ${init.lastGoodIndex}; nothing was loaded. Truncating the log after it (repairTail(${init.lastGoodIndex})) is an operator's decision: this peer then fetches later entries from the leader again`
      : 'this cannot be repaired by truncating the log; restore the peer from a backup or remove and re-add it'
    super(`raft log ${init.path}: ${where} is corrupt: ${init.problem}; ${advice}`)
    this.name = RaftLogCorruptError.NAME
    this.path = init.path
    this.record = init.record
    this.index = init.index
    this.lastGoodIndex = init.lastGoodIndex
    this.problem = init.problem
  }
}
