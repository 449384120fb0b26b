/**
 * The tracker's two queues, as IPFS Cluster's stateless tracker has them: a
 * priority queue (young pins that have not failed often) served before the
 * normal one, together bounded by max_pin_queue_size. Workers `take()` and
 * wait when both are empty.
 */
import { Fifo } from '../util/fifo.ts'
import { PinQueueFullError } from './errors.ts'
import type { Operation } from './operation.ts'

export class OperationQueue {
  private readonly priority = new Fifo<Operation>()
  private readonly normal = new Fifo<Operation>()
  private readonly max: number
  private waiters: Array<(op: Operation) => void> = []
  private roomWaiters: Array<{ below: number, resolve: () => void }> = []

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

  /** Resolves once fewer than `below` operations are queued; rejects when `signal` aborts. */
  async room (below: number, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted()
    if (this.size < below) return
    const { promise, resolve, reject } = Promise.withResolvers<void>()
    const waiter = { below, resolve }
    const onAbort = (): void => {
      this.roomWaiters = this.roomWaiters.filter((w) => w !== waiter)
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    this.roomWaiters.push(waiter)
    try {
      await promise
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }

  /** The next operation (priority first), waiting for one; rejects when `signal` aborts. */
  async take (signal: AbortSignal): Promise<Operation> {
    signal.throwIfAborted()
    const next = this.priority.shift() ?? this.normal.shift()
    if (next != null) {
      this.wakeRoomWaiters()
      return next
    }
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

  private wakeRoomWaiters (): void {
    if (this.roomWaiters.length === 0) return
    const size = this.size
    const ready = this.roomWaiters.filter((w) => size < w.below)
    if (ready.length === 0) return
    this.roomWaiters = this.roomWaiters.filter((w) => size >= w.below)
    for (const w of ready) w.resolve()
  }
}
