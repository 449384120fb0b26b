/**
 * The AbortSignals handed to RPC calls made for a request. Every signal aborts
 * when the HTTP client goes away: the answer closed before it was finished.
 * Stopping the API happens in two steps: `drain()` ends streams, which could
 * otherwise run forever, while unary calls finish; `halt()` aborts everything.
 *
 * Not fastify's `request.signal` combined with AbortSignal.any: that signal
 * aborts on every request's 'close', a finished one too (a DOMException and
 * the abort of every composite signal, for each request), and AbortSignal.any
 * on a long-lived signal is costly; together about a tenth of the CPU of a
 * peer answering `POST /pins/{cid}` at full speed. Each request gets a plain
 * AbortController instead, aborted only when its client goes away, and the
 * controllers of the requests in flight are kept to abort them on stop.
 */
import { ApiStoppingError } from './errors.ts'
import type { FastifyReply } from 'fastify'

export class RequestSignals {
  private readonly draining = new AbortController()
  private readonly halted = new AbortController()

  /** Unary calls in flight: aborted by halt(). */
  private readonly calls = new Set<AbortController>()
  /** Streams in flight: aborted by drain(). */
  private readonly streams = new Set<AbortController>()

  /** For a unary RPC call. */
  forCall (reply: FastifyReply): AbortSignal {
    return this.watch(reply, this.calls, this.halted.signal)
  }

  /** For a streaming RPC call. */
  forStream (reply: FastifyReply): AbortSignal {
    return this.watch(reply, this.streams, this.draining.signal)
  }

  private watch (reply: FastifyReply, live: Set<AbortController>, stopped: AbortSignal): AbortSignal {
    const controller = new AbortController()
    if (stopped.aborted) {
      controller.abort(stopped.reason)
      return controller.signal
    }
    live.add(controller)
    const res = reply.raw
    res.once('close', () => {
      live.delete(controller)
      if (!res.writableFinished) controller.abort(new DOMException('the client went away', 'AbortError'))
    })
    return controller.signal
  }

  /**
   * For a request whose body is read while it is answered (an upload):
   * fastify's `request.signal` aborts as soon as the body has been read
   * (the request's 'close'), so the client going away is seen on the
   * answer instead: closed before it was finished.
   */
  forUpload (reply: FastifyReply): AbortSignal {
    const gone = new AbortController()
    const res = reply.raw
    res.once('close', () => { if (!res.writableFinished) gone.abort(new DOMException('the client went away', 'AbortError')) })
    return AbortSignal.any([gone.signal, this.draining.signal])
  }

  get stopping (): boolean {
    return this.draining.signal.aborted
  }

  drain (): void {
    if (!this.draining.signal.aborted) this.draining.abort(new ApiStoppingError())
    for (const controller of this.streams) controller.abort(this.draining.signal.reason)
    this.streams.clear()
  }

  halt (): void {
    this.drain()
    if (!this.halted.signal.aborted) this.halted.abort(new ApiStoppingError())
    for (const controller of this.calls) controller.abort(this.halted.signal.reason)
    this.calls.clear()
  }
}
