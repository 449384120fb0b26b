/**
 * Errors the Raft core throws at its caller. Each keeps a stable `name` so it
 * can be recognized after crossing the RPC wire.
 */
import type { NodeId } from './types.ts'

/** Only the leader takes proposals; `leader` is the one this node knows of, or ''. */
export class NotLeaderError extends Error {
  static readonly NAME: string = 'NotLeaderError'
  readonly leader: NodeId | ''
  constructor (leader: NodeId | '', message?: string) {
    super(message ?? (leader === '' ? 'not the leader, and no leader is known' : `not the leader; the leader is ${leader}`))
    this.name = NotLeaderError.NAME
    this.leader = leader
  }
}

/**
 * The leader is handing leadership over to `transferee` and takes no proposals
 * meanwhile; retry once the new leader is known. A NotLeaderError with no known leader.
 */
export class LeadershipTransferError extends NotLeaderError {
  static override readonly NAME: string = 'LeadershipTransferError'
  readonly transferee: NodeId
  constructor (transferee: NodeId) {
    super('', `leadership is being transferred to ${transferee}`)
    this.name = LeadershipTransferError.NAME
    this.transferee = transferee
  }
}

/** A membership change is refused while another is uncommitted, or before the leader committed an entry of its term. */
export class ConfChangeInProgressError extends Error {
  static readonly NAME: string = 'ConfChangeInProgressError'
  constructor (message: string) {
    super(message)
    this.name = ConfChangeInProgressError.NAME
  }
}

/** What was persisted cannot be what the core wrote (a gap, a truncated tail, a commit beyond the log). */
export class RaftRestoreError extends Error {
  static readonly NAME: string = 'RaftRestoreError'
  constructor (message: string) {
    super(message)
    this.name = RaftRestoreError.NAME
  }
}
