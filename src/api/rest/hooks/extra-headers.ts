/** The `headers` config key: extra headers on every answer, errors included. */
import type { FastifyInstance, FastifyReply } from 'fastify'

export function addExtraHeaders (app: FastifyInstance, headers: Record<string, string[]>): void {
  if (Object.keys(headers).length === 0) return
  app.addHook('onRequest', async (_request, reply) => { setExtraHeaders(reply, headers) })
}

/** For answers given outside the hooks (errors the router raises before any route). */
export function setExtraHeaders (reply: FastifyReply, headers: Record<string, string[]>): void {
  for (const [name, values] of Object.entries(headers)) {
    if (values.length > 0) reply.header(name, values.length === 1 ? values[0] : values)
  }
}
