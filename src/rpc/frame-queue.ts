/**
 * Reads the frames of a streaming call for a consumer that pulls at its own
 * pace. The server starts with STREAM_CREDIT items of credit; as the consumer
 * takes items, `grant` is told to let the server send more, so that what is
 * in flight or queued stays within STREAM_WINDOW bytes (counting each item as
 * its frame's size plus ITEM_OVERHEAD, sized on the largest item seen so
 * far), between STREAM_CREDIT and MAX_STREAM_CREDIT items. Small items thus
 * get a window large enough to keep the connection busy, and large ones the
 * same bound as before.
 */
import { Fifo } from '../util/fifo.ts'
import { RpcAbortError, RpcClientError } from './errors.ts'
import { FrameDecoder, FrameType, ITEM_OVERHEAD, MAX_STREAM_CREDIT, STREAM_CREDIT, STREAM_WINDOW } from './frames.ts'
import type { Frame } from './frames.ts'
import type { Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface'

export class FrameQueue {
  private readonly stream: Stream
  private readonly decoder: FrameDecoder
  private readonly frames = new Fifo<Frame>()
  private failure: Error | undefined
  private closed = false
  /** Items the server may send in all (its initial credit plus every grant). */
  private granted = STREAM_CREDIT
  /** Items handed to the consumer. */
  private consumed = 0
  /** The largest item cost seen (frame bytes + ITEM_OVERHEAD). */
  private itemCost = ITEM_OVERHEAD
  private window = STREAM_CREDIT
  private readonly grant: (n: number) => void
  private wake: (() => void) | undefined

  constructor (stream: Stream, maxFrameSize: number, grant: (n: number) => void) {
    this.stream = stream
    this.grant = grant
    this.decoder = new FrameDecoder(maxFrameSize)
    stream.addEventListener('message', this.onMessage)
    stream.addEventListener('close', this.onClose)
    stream.addEventListener('end', this.onEnd)
  }

  private readonly onFrame = (frame: Frame, size: number): void => {
    if (frame[0] === FrameType.Item && size + ITEM_OVERHEAD > this.itemCost) {
      this.itemCost = size + ITEM_OVERHEAD
      this.window = Math.min(MAX_STREAM_CREDIT, Math.max(STREAM_CREDIT, Math.floor(STREAM_WINDOW / this.itemCost)))
    }
    this.frames.push(frame)
  }

  private readonly onMessage = (evt: StreamMessageEvent): void => {
    try {
      this.decoder.decode(evt.data, this.onFrame)
    } catch (err) {
      this.failure = new RpcClientError(`bad frame from the server: ${(err as Error).message}`, { cause: err })
      this.stream.abort(this.failure)
    }
    this.notify()
  }

  // a graceful close may come before the last frames are read: only 'end' means no more
  private readonly onClose = (evt: StreamCloseEvent): void => {
    if (evt.error == null) return
    this.closed = true
    if (this.failure == null) {
      this.failure = new RpcClientError(`the stream closed: ${evt.error.message}`, { cause: evt.error })
    }
    this.detach()
    this.notify()
  }

  // a reset or abort ends the readable side too, just before its 'close' event says why:
  // keep listening for that event (the consumer wakes in a later microtask)
  private readonly onEnd = (): void => {
    this.closed = true
    this.stream.removeEventListener('message', this.onMessage)
    this.notify()
  }

  private notify (): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  private detach (): void {
    this.stream.removeEventListener('message', this.onMessage)
    this.stream.removeEventListener('close', this.onClose)
    this.stream.removeEventListener('end', this.onEnd)
  }

  /** The next frame if one is queued (no waiting); undefined otherwise. */
  poll (): Frame | undefined {
    const frame = this.frames.shift()
    if (frame === undefined) return undefined
    if (frame[0] === FrameType.Item) {
      this.consumed++
      // top the server's allowance back up to the window once half of it is used
      const outstanding = this.granted - this.consumed
      if (outstanding <= this.window / 2) {
        const more = this.window - outstanding
        this.granted += more
        this.grant(more)
      }
    }
    return frame
  }

  /** The next frame; throws if the stream failed or ended before one arrived. */
  async next (signal?: AbortSignal): Promise<Frame> {
    while (true) {
      const frame = this.poll()
      if (frame !== undefined) return frame
      if (this.failure != null) throw this.failure
      if (this.closed) throw new RpcClientError('the stream ended before the call completed')
      if (signal?.aborted === true) throw new RpcAbortError()
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => { reject(new RpcAbortError()) }
        this.wake = () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        }
        signal?.addEventListener('abort', onAbort, { once: true })
      })
    }
  }

  dispose (): void {
    this.detach()
  }
}
