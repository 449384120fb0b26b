/**
 * A first-in first-out queue with O(1) push and shift (an array with a moving
 * head, compacted when half of it is consumed): the tracker's queues may hold
 * up to max_pin_queue_size operations, and Array#shift is O(n). Consumed
 * slots are cleared and dropped, so a queue that never empties (a stream
 * read as fast as it arrives) holds only what is still queued.
 */
export class Fifo<T> {
  private items: Array<T | undefined> = []
  private head = 0

  get size (): number {
    return this.items.length - this.head
  }

  push (item: T): void {
    this.items.push(item)
  }

  /** The first item, left in place. */
  peek (): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined
  }

  shift (): T | undefined {
    if (this.head >= this.items.length) return undefined
    const item = this.items[this.head]
    this.items[this.head++] = undefined
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return item
  }
}
