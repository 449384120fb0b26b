/**
 * The tracker's two queues, as IPFS Cluster's stateless tracker has them: a
 * priority queue (young pins that have not failed often) served before the
 * normal one, together bounded by max_pin_queue_size. Workers `take()` and
 * wait when both are empty.
 */
import { Fifo } from './fifo.ts'
import { PinQueueFullError } from './errors.ts'
import type { Operation } from './operation.ts'

export class OperationQueue {
  private readonly priority = new Fifo<Operation>()
  private readonly normal = new Fifo<Operation>()
  private readonly max: number
  private waiters: Array<(op: Operation) => void> = []

  constructor (max: number) {
    this.max = max
  }

  get size (): number {
    return this.priority.size + this.normal.size
  }

  /** Throws PinQueueFullError when the queues are full. */
  push (op: Operation): void {
    const waiter = this.waiters.shift()
    if (waiter != null) {
      waiter(op)
      return
    }
    if (this.size >= this.max) throw new PinQueueFullError(this.max)
    ;(op.priority ? this.priority : this.normal).push(op)
  }

  /** The next operation (priority first), waiting for one; rejects when `signal` aborts. */
  async take (signal: AbortSignal): Promise<Operation> {
    signal.throwIfAborted()
    const next = this.priority.shift() ?? this.normal.shift()
    if (next != null) return next
    const { promise, resolve, reject } = Promise.withResolvers<Operation>()
    const onAbort = (): void => {
      this.waiters = this.waiters.filter((w) => w !== waiter)
      reject(signal.reason)
    }
    const waiter = (op: Operation): void => {
      signal.removeEventListener('abort', onAbort)
      resolve(op)
    }
    this.waiters.push(waiter)
    signal.addEventListener('abort', onAbort, { once: true })
    return promise
  }
}
