/**
 * The `write_timeout` config key as Go's http.Server reads it: the whole
 * answer must be written within this time of the request arriving, or the
 * connection is cut. Node has no such server option, hence this hook.
 */
import type { FastifyInstance } from 'fastify'

export function addWriteTimeout (app: FastifyInstance, timeoutMs: number): void {
  if (timeoutMs <= 0) return
  app.addHook('onRequest', async (_request, reply) => {
    const res = reply.raw
    const timer = setTimeout(() => { res.destroy() }, timeoutMs)
    res.once('close', () => { clearTimeout(timer) })
  })
}
