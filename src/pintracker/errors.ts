/** The tracker's queues hold max_pin_queue_size operations already. */
export class PinQueueFullError extends Error {
  static readonly NAME = 'PinQueueFullError'
  constructor (max: number) {
    super(`pin/unpin operation queue is full (${max} operations): try increasing pin_tracker.stateless.max_pin_queue_size`)
    this.name = PinQueueFullError.NAME
  }
}

/** An operation was cancelled by a newer one for the same CID (an unpin arriving while pinning). */
export class OperationCancelledError extends Error {
  static readonly NAME = 'OperationCancelledError'
  constructor (cid: string, by: string) {
    super(`the operation on ${cid} was cancelled by ${by}`)
    this.name = OperationCancelledError.NAME
  }
}
