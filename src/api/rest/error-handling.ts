/** Makes every error fastify sees, its own included, answer `{code, message}`. */
import { errorBody, statusOf } from './errors.ts'
import type { Logger } from '@libp2p/logger'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

export function sendError (reply: FastifyReply, err: unknown, log: Logger): FastifyReply {
  const status = statusOf(err)
  // a client that went away aborted its own RPC calls: not a fault worth an error line
  if (status >= 500 && !reply.raw.destroyed) {
    log.error('%s %s -> %d: %s', reply.request.method, reply.request.url, status, (err as Error)?.message)
  } else {
    log('%s %s -> %d: %s', reply.request.method, reply.request.url, status, (err as Error)?.message)
  }
  return reply.code(status).type('application/json').send(errorBody(status, err))
}

export function installErrorHandling (app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((err: FastifyError, _request: FastifyRequest, reply: FastifyReply) => sendError(reply, err, log))
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody(404, `not found: ${request.method} ${request.url}`)))
}
