/**
 * The client end of a call session: many unary calls multiplexed on one
 * long-lived stream, each with an id. Sharing a stream saves opening and
 * negotiating a stream per call, which the RPC benchmark showed to dominate the
 * cost of small calls; the calls made together leave in one write
 * (FrameWriter).
 */
import { RpcAbortError, RpcClientError, fromWireError, isWireError } from './errors.ts'
import { FrameDecoder, FrameType, FrameWriter, encodeBody, encodeCallBody } from './frames.ts'
import type { Frame, FrameBody } from './frames.ts'
import type { Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface'

/** A call waiting for its answer. Without a signal it needs no closure of its own. */
interface Pending {
  resolve: (value: unknown) => void
  reject: (err: Error) => void
  signal?: AbortSignal
  onAbort?: () => void
}

export class ClientSession {
  private readonly stream: Stream
  private readonly maxFrameSize: number
  private readonly decoder: FrameDecoder
  private readonly writer: FrameWriter
  private readonly pending = new Map<number, Pending>()
  private nextId = 0
  private failure: Error | undefined
  private readonly onEnd: () => void

  constructor (stream: Stream, maxFrameSize: number, onEnd: () => void) {
    this.stream = stream
    this.maxFrameSize = maxFrameSize
    this.decoder = new FrameDecoder(maxFrameSize)
    this.writer = new FrameWriter(stream, maxFrameSize, 'microtask', (err) => {
      this.close(new RpcClientError(`cannot write to the call session: ${err.message}`, { cause: err }))
    })
    this.onEnd = onEnd
    stream.addEventListener('message', this.onMessage)
    stream.addEventListener('close', this.onClose, { once: true })
  }

  get usable (): boolean {
    return this.failure == null && this.stream.writeStatus === 'writable'
  }

  /** One call. Throws (synchronously) FrameTooLargeError for an argument above the frame cap. */
  call (service: string, method: string, arg: unknown, signal?: AbortSignal): Promise<unknown> {
    if (this.failure != null) return Promise.reject(this.failure)
    const id = this.nextId++
    // encode before registering so an oversized argument fails only this call
    return this.send(id, encodeBody([FrameType.Call, id, service, method, arg], this.maxFrameSize), signal)
  }

  /** One call with its argument already encoded (the same bytes for every peer of a multiCall). */
  callEncoded (service: string, method: string, arg: Uint8Array, signal?: AbortSignal): Promise<unknown> {
    if (this.failure != null) return Promise.reject(this.failure)
    const id = this.nextId++
    return this.send(id, encodeCallBody(id, service, method, arg, this.maxFrameSize), signal)
  }

  private send (id: number, body: FrameBody, signal: AbortSignal | undefined): Promise<unknown> {
    const { promise, resolve, reject } = Promise.withResolvers<unknown>()
    const waiter: Pending = { resolve, reject }
    if (signal != null) {
      waiter.signal = signal
      waiter.onAbort = () => {
        if (this.pending.get(id) !== waiter) return
        this.pending.delete(id)
        reject(new RpcAbortError())
        this.write([FrameType.Cancel, id])
      }
      signal.addEventListener('abort', waiter.onAbort, { once: true })
    }
    this.pending.set(id, waiter)
    this.writer.writeBody(body)
    return promise
  }

  /** Ends the session, failing whatever is still pending. */
  close (reason: Error): void {
    this.fail(reason)
    this.stream.abort(reason)
  }

  private write (frame: Frame): void {
    try {
      this.writer.write(frame)
    } catch (err) {
      this.close(new RpcClientError(`cannot write to the call session: ${(err as Error).message}`, { cause: err }))
    }
  }

  private settle (waiter: Pending): void {
    if (waiter.onAbort != null) waiter.signal?.removeEventListener('abort', waiter.onAbort)
  }

  private readonly onFrame = (frame: Frame): void => {
    if (frame[0] !== FrameType.Result && frame[0] !== FrameType.Failure) {
      throw new RpcClientError(`unexpected frame of type ${frame[0]} in a call session`)
    }
    const waiter = this.pending.get(frame[1])
    if (waiter == null) return // cancelled: the answer crossed our cancel frame
    this.pending.delete(frame[1])
    this.settle(waiter)
    if (frame[0] === FrameType.Result) {
      waiter.resolve(frame[2])
    } else {
      waiter.reject(isWireError(frame[2]) ? fromWireError(frame[2]) : new RpcClientError('malformed error frame'))
    }
  }

  private readonly onMessage = (evt: StreamMessageEvent): void => {
    try {
      this.decoder.decode(evt.data, this.onFrame)
    } catch (err) {
      this.close(err instanceof RpcClientError ? err : new RpcClientError(`bad frame from the server: ${(err as Error).message}`, { cause: err }))
    }
  }

  private readonly onClose = (evt: StreamCloseEvent): void => {
    this.fail(new RpcClientError(
      evt.error != null ? `the call session was reset: ${evt.error.message}` : 'the call session closed',
      { cause: evt.error }
    ))
  }

  private fail (reason: Error): void {
    if (this.failure != null) return
    this.failure = reason
    this.stream.removeEventListener('message', this.onMessage)
    for (const waiter of this.pending.values()) {
      this.settle(waiter)
      waiter.reject(reason)
    }
    this.pending.clear()
    this.onEnd()
  }
}
