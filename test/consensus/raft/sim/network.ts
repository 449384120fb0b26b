/**
 * A simulated network in virtual time: each message is delivered after a
 * random delay (so messages reorder), may be dropped or duplicated, and is
 * lost when a partition separates its ends at delivery time.
 */
import type { Rng } from '../../../fixtures/prng.ts'
import type { Message, NodeId } from '../../../../src/consensus/raft/types.ts'

export interface Faults {
  drop: number
  duplicate: number
  /** Delays are drawn in [1, maxDelay] time units. */
  maxDelay: number
}

export interface Envelope {
  m: Message
  at: number
  seq: number
}

export class SimNetwork {
  faults: Faults
  private readonly rng: Rng
  private queue: Envelope[] = []
  private seq = 0
  /** Node -> group; nodes in different groups cannot talk. Empty: no partition. */
  private groups = new Map<NodeId, number>()
  sent = 0
  dropped = 0

  constructor (rng: Rng, faults: Faults) {
    this.rng = rng
    this.faults = faults
  }

  get pending (): number {
    return this.queue.length
  }

  send (now: number, msgs: Message[]): void {
    for (const m of msgs) {
      this.sent++
      if (this.rng.chance(this.faults.drop)) {
        this.dropped++
        continue
      }
      const copies = this.rng.chance(this.faults.duplicate) ? 2 : 1
      for (let i = 0; i < copies; i++) this.enqueue({ m, at: now + this.rng.int(1, this.faults.maxDelay), seq: this.seq++ })
    }
  }

  /** Messages due by `now`, in delivery order, with whether a partition cuts each one. */
  due (now: number): Array<{ m: Message, cut: boolean }> {
    let n = 0
    while (n < this.queue.length && (this.queue[n] as Envelope).at <= now) n++
    const out = this.queue.splice(0, n)
    return out.map((e) => ({ m: e.m, cut: this.separated(e.m.from, e.m.to) }))
  }

  partition (groups: NodeId[][]): void {
    this.groups = new Map()
    groups.forEach((g, i) => { for (const id of g) this.groups.set(id, i) })
  }

  heal (): void {
    this.groups = new Map()
  }

  get partitioned (): boolean {
    return this.groups.size > 0
  }

  separated (a: NodeId, b: NodeId): boolean {
    if (this.groups.size === 0) return false
    return (this.groups.get(a) ?? -1) !== (this.groups.get(b) ?? -1)
  }

  private enqueue (e: Envelope): void {
    // keep the queue sorted by delivery time, then by send order
    let lo = 0
    let hi = this.queue.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const q = this.queue[mid] as Envelope
      if (q.at < e.at || (q.at === e.at && q.seq < e.seq)) lo = mid + 1
      else hi = mid
    }
    this.queue.splice(lo, 0, e)
  }
}
