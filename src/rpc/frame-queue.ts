/**
 * Reads frames from a stream for a consumer that pulls at its own pace. The
 * server sends at most STREAM_CREDIT items ahead; every half of that the
 * consumer takes, `grant` is told to let the server send as many more, so the
 * queue never holds more than STREAM_CREDIT items.
 */
import { RpcAbortError, RpcClientError } from './errors.ts'
import { FrameDecoder, FrameType, STREAM_CREDIT } from './frames.ts'
import type { Frame } from './frames.ts'
import type { Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface'

const GRANT_EVERY = Math.max(1, STREAM_CREDIT / 2)

export class FrameQueue {
  private readonly stream: Stream
  private readonly decoder: FrameDecoder
  private readonly frames: Frame[] = []
  private head = 0
  private failure: Error | undefined
  private closed = false
  private consumed = 0
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

  private readonly onMessage = (evt: StreamMessageEvent): void => {
    try {
      for (const frame of this.decoder.decode(evt.data)) this.frames.push(frame)
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

  /** The next frame; throws if the stream failed or ended before one arrived. */
  async next (signal?: AbortSignal): Promise<Frame> {
    while (true) {
      if (this.head < this.frames.length) {
        const frame = this.frames[this.head++] as Frame
        if (this.head === this.frames.length) {
          this.frames.length = 0
          this.head = 0
        }
        if (frame[0] === FrameType.Item && ++this.consumed === GRANT_EVERY) {
          this.consumed = 0
          this.grant(GRANT_EVERY)
        }
        return frame
      }
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
