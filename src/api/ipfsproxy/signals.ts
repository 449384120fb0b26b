/**
 * The AbortSignal handed to the RPC calls made for a request: it aborts when
 * the client goes away before its answer is written, or the proxy stops.
 * (Not fastify's request.signal: it aborts when the request is closed, which
 * happens as soon as a request body has been read.)
 */
import type { FastifyReply } from 'fastify'

export class ProxyStoppingError extends Error {
  static readonly NAME = 'ProxyStoppingError'
  constructor () {
    super('the IPFS proxy is stopping')
    this.name = ProxyStoppingError.NAME
  }
}

export class RequestSignals {
  private readonly stopping = new AbortController()

  forRequest (reply: FastifyReply): AbortSignal {
    const gone = new AbortController()
    const res = reply.raw
    res.once('close', () => {
      if (!res.writableFinished) gone.abort(new DOMException('the client went away', 'AbortError'))
    })
    return AbortSignal.any([gone.signal, this.stopping.signal])
  }

  get stopped (): boolean {
    return this.stopping.signal.aborted
  }

  stop (): void {
    if (!this.stopping.signal.aborted) this.stopping.abort(new ProxyStoppingError())
  }
}
