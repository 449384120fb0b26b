/**
 * The AbortSignal of each request's work: it aborts when the client goes
 * away before its answer is written, or when the API halts. (fastify's
 * `request.signal` follows the request stream's 'close', which Node emits as
 * soon as a body has been read: too early for a POST.)
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'

export class RequestSignals {
  private readonly halted = new AbortController()
  private readonly signals = new WeakMap<FastifyRequest, AbortSignal>()

  install (app: FastifyInstance): void {
    app.addHook('onRequest', async (request, reply) => {
      const gone = new AbortController()
      const res = reply.raw
      res.once('close', () => { if (!res.writableFinished) gone.abort(new Error('the client went away')) })
      this.signals.set(request, AbortSignal.any([gone.signal, this.halted.signal]))
    })
  }

  of (request: FastifyRequest): AbortSignal {
    return this.signals.get(request) ?? this.halted.signal
  }

  halt (reason: Error): void {
    if (!this.halted.signal.aborted) this.halted.abort(reason)
  }
}
