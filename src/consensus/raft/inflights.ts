/**
 * The appends a leader has sent to one follower and not yet seen acknowledged,
 * each recorded by the index of its last entry, oldest first. Bounding their
 * number bounds what is in flight when pipelining.
 */
export class Inflights {
  readonly capacity: number
  private readonly last: number[] = []

  constructor (capacity: number) {
    this.capacity = capacity
  }

  get count (): number {
    return this.last.length
  }

  full (): boolean {
    return this.last.length >= this.capacity
  }

  add (lastIndex: number): void {
    if (this.full()) throw new Error('raft: inflights window overflow')
    this.last.push(lastIndex)
  }

  /** Frees every append whose entries are all at or below `index` (acknowledged). */
  freeLE (index: number): void {
    let n = 0
    while (n < this.last.length && (this.last[n] ?? Infinity) <= index) n++
    if (n > 0) this.last.splice(0, n)
  }

  /** Frees the oldest: a heartbeat answer shows the follower alive, so let one more append through. */
  freeFirstOne (): void {
    this.last.shift()
  }

  reset (): void {
    this.last.length = 0
  }
}
