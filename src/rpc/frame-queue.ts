/**
 * Reads frames from a stream for a consumer that pulls at its own pace:
 * frames queue up to a high-water mark, then the stream is paused (the muxer's
 * flow control then stops the sender) until the consumer catches up.
 */
import { RpcAbortError, RpcClientError } from './errors.ts'
import { FrameDecoder } from './frames.ts'
import type { Frame } from './frames.ts'
import type { Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface'

const HIGH_WATER = 64
const LOW_WATER = 16

export class FrameQueue {
  private readonly stream: Stream
  private readonly decoder: FrameDecoder
  private readonly frames: Frame[] = []
  private head = 0
  private failure: Error | undefined
  private closed = false
  private paused = false
  private wake: (() => void) | undefined

  constructor (stream: Stream, maxFrameSize: number) {
    this.stream = stream
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
    if (!this.paused && this.frames.length - this.head >= HIGH_WATER && this.stream.readStatus === 'readable') {
      this.paused = true
      this.stream.pause()
    }
    this.notify()
  }

  // a graceful close may leave frames in the paused stream's buffer: only 'end' means no more
  private readonly onClose = (evt: StreamCloseEvent): void => {
    if (evt.error == null) return
    this.closed = true
    if (this.failure == null) {
      this.failure = new RpcClientError(`the stream closed: ${evt.error.message}`, { cause: evt.error })
    }
    this.detach()
    this.notify()
  }

  private readonly onEnd = (): void => {
    this.closed = true
    this.detach()
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
        if (this.paused && this.frames.length - this.head <= LOW_WATER) {
          this.paused = false
          if (this.stream.readStatus === 'paused') this.stream.resume()
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
