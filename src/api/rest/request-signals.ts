/**
 * The AbortSignals handed to RPC calls made for a request. Every signal aborts
 * when the HTTP client goes away (fastify's `request.signal`: the request's
 * socket closed). Stopping the API happens in two steps: `drain()` ends
 * streams, which could otherwise run forever, while unary calls finish;
 * `halt()` aborts everything.
 */
import { ApiStoppingError } from './errors.ts'
import type { FastifyRequest } from 'fastify'

export class RequestSignals {
  private readonly draining = new AbortController()
  private readonly halted = new AbortController()

  /** For a unary RPC call. */
  forCall (request: FastifyRequest): AbortSignal {
    return AbortSignal.any([request.signal, this.halted.signal])
  }

  /** For a streaming RPC call. */
  forStream (request: FastifyRequest): AbortSignal {
    return AbortSignal.any([request.signal, this.draining.signal])
  }

  get stopping (): boolean {
    return this.draining.signal.aborted
  }

  drain (): void {
    if (!this.draining.signal.aborted) this.draining.abort(new ApiStoppingError())
  }

  halt (): void {
    this.drain()
    if (!this.halted.signal.aborted) this.halted.abort(new ApiStoppingError())
  }
}
