/**
 * The leader's view of one follower's log, and how it sends to it:
 * - probe: where the follower's log matches is unknown; one append at a time,
 *   backing up on each rejection, until one is accepted;
 * - replicate: the logs match up to `match`; appends are pipelined, `next`
 *   advances optimistically as they are sent, up to a window of inflights;
 * - snapshot: the entries the follower needs were compacted; a snapshot is on
 *   its way and nothing else is sent until it is acknowledged or reported.
 */
import { Inflights } from './inflights.ts'

export type ProgressState = 'probe' | 'replicate' | 'snapshot'

export class Progress {
  /** The highest index known to be in the follower's log and to match the leader's. */
  match = 0
  /** The index of the next entry to send. */
  next: number
  state: ProgressState = 'probe'
  /** In snapshot state: the index of the snapshot sent. */
  pendingSnapshot = 0
  /** In snapshot state: the leader's tick count when it was sent. */
  snapshotSentAt = 0
  /** Heard from since the last check-quorum round. */
  recentActive: boolean
  /** In probe state: an append was sent and no answer has come back yet. */
  probeSent = false
  readonly inflights: Inflights

  constructor (next: number, maxInflight: number, recentActive: boolean) {
    this.next = next
    this.recentActive = recentActive
    this.inflights = new Inflights(maxInflight)
  }

  becomeProbe (): void {
    // after a snapshot, the follower holds at least the snapshot
    this.next = this.state === 'snapshot'
      ? Math.max(this.match + 1, this.pendingSnapshot + 1)
      : this.match + 1
    this.state = 'probe'
    this.pendingSnapshot = 0
    this.probeSent = false
    this.inflights.reset()
  }

  becomeReplicate (): void {
    this.state = 'replicate'
    this.next = this.match + 1
    this.pendingSnapshot = 0
    this.probeSent = false
    this.inflights.reset()
  }

  becomeSnapshot (snapshotIndex: number, now: number): void {
    this.state = 'snapshot'
    this.pendingSnapshot = snapshotIndex
    this.snapshotSentAt = now
    this.probeSent = false
    this.inflights.reset()
  }

  /** The follower acknowledged its log up to `index`; false when that was already known. */
  maybeUpdate (index: number): boolean {
    let updated = false
    if (index > this.match) {
      this.match = index
      this.probeSent = false
      updated = true
    }
    this.next = Math.max(this.next, index + 1)
    return updated
  }

  /** An append up to `lastIndex` went out in replicate state. */
  sentUpTo (lastIndex: number): void {
    this.next = lastIndex + 1
    this.inflights.add(lastIndex)
  }

  /**
   * The follower rejected the append whose previous index was `rejected`, and
   * hinted that its log may match up to `hint`. False when the rejection is stale.
   */
  maybeDecrTo (rejected: number, hint: number): boolean {
    if (this.state === 'replicate') {
      // appends before `match` were accepted: a rejection of one of them is a late duplicate
      if (rejected <= this.match) return false
      this.next = this.match + 1
      return true
    }
    // in probe state only the last probe's answer counts
    if (this.next - 1 !== rejected) return false
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1)
    this.probeSent = false
    return true
  }

  isPaused (): boolean {
    switch (this.state) {
      case 'probe': return this.probeSent
      case 'replicate': return this.inflights.full()
      case 'snapshot': return true
    }
  }
}
