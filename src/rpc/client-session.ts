/**
 * The client end of a call session: many unary calls multiplexed on one
 * long-lived stream, each with an id. Sharing a stream saves opening and
 * negotiating a stream per call, which the RPC benchmark showed to dominate the
 * cost of small calls.
 */
import { RpcAbortError, RpcClientError, fromWireError, isWireError } from './errors.ts'
import { FrameDecoder, FrameType, encodeFrame } from './frames.ts'
import type { Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface'

interface Pending {
  resolve: (value: unknown) => void
  reject: (err: Error) => void
}

export class ClientSession {
  private readonly stream: Stream
  private readonly maxFrameSize: number
  private readonly decoder: FrameDecoder
  private readonly pending = new Map<number, Pending>()
  private nextId = 0
  private failure: Error | undefined
  private readonly onEnd: () => void

  constructor (stream: Stream, maxFrameSize: number, onEnd: () => void) {
    this.stream = stream
    this.maxFrameSize = maxFrameSize
    this.decoder = new FrameDecoder(maxFrameSize)
    this.onEnd = onEnd
    stream.addEventListener('message', this.onMessage)
    stream.addEventListener('close', this.onClose, { once: true })
  }

  get usable (): boolean {
    return this.failure == null && this.stream.writeStatus === 'writable'
  }

  call (service: string, method: string, arg: unknown, signal?: AbortSignal): Promise<unknown> {
    if (this.failure != null) return Promise.reject(this.failure)
    const id = this.nextId++
    // encode before registering so an oversized argument fails only this call
    const bytes = encodeFrame([FrameType.Call, id, service, method, arg], this.maxFrameSize)
    const { promise, resolve, reject } = Promise.withResolvers<unknown>()
    if (signal == null) {
      this.pending.set(id, { resolve, reject })
    } else {
      const onAbort = (): void => {
        if (!this.pending.delete(id)) return
        reject(new RpcAbortError())
        this.send(encodeFrame([FrameType.Cancel, id], this.maxFrameSize))
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.pending.set(id, {
        resolve: (v) => { signal.removeEventListener('abort', onAbort); resolve(v) },
        reject: (e) => { signal.removeEventListener('abort', onAbort); reject(e) }
      })
    }
    this.send(bytes)
    return promise
  }

  /** Ends the session, failing whatever is still pending. */
  close (reason: Error): void {
    this.fail(reason)
    this.stream.abort(reason)
  }

  private send (bytes: Uint8Array): void {
    try {
      this.stream.send(bytes)
    } catch (err) {
      this.close(new RpcClientError(`cannot write to the call session: ${(err as Error).message}`, { cause: err }))
    }
  }

  private readonly onMessage = (evt: StreamMessageEvent): void => {
    try {
      for (const frame of this.decoder.decode(evt.data)) {
        if (frame[0] !== FrameType.Result && frame[0] !== FrameType.Failure) {
          throw new RpcClientError(`unexpected frame of type ${frame[0]} in a call session`)
        }
        const waiter = this.pending.get(frame[1])
        if (waiter == null) continue // cancelled: the answer crossed our cancel frame
        this.pending.delete(frame[1])
        if (frame[0] === FrameType.Result) {
          waiter.resolve(frame[2])
        } else {
          waiter.reject(isWireError(frame[2]) ? fromWireError(frame[2]) : new RpcClientError('malformed error frame'))
        }
      }
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
    for (const waiter of this.pending.values()) waiter.reject(reason)
    this.pending.clear()
    this.onEnd()
  }
}
