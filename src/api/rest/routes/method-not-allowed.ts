/**
 * 405 for a known path asked with a method it does not serve (fastify alone
 * answers 404). OPTIONS is left alone: CORS preflight will answer it.
 */
import { HttpError } from '../errors.ts'
import type { FastifyInstance, HTTPMethods, RouteOptions } from 'fastify'

const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']

export function answerMethodNotAllowed (app: FastifyInstance, routes: RouteOptions[]): void {
  const allowedByUrl = new Map<string, Set<string>>()
  for (const route of routes) {
    const allowed = allowedByUrl.get(route.url) ?? new Set<string>()
    for (const method of [route.method].flat()) allowed.add(method.toUpperCase())
    allowedByUrl.set(route.url, allowed)
  }
  for (const [url, allowed] of allowedByUrl) {
    const others = METHODS.filter((m) => !allowed.has(m))
    if (others.length === 0) continue
    const allow = [...allowed].join(', ')
    app.route({
      method: others,
      url,
      // answered before the body is read: a bad body must not turn a 405 into a 400
      onRequest: async (request, reply) => {
        reply.header('allow', allow)
        throw new HttpError(405, `method ${request.method} not allowed on ${url}; allowed: ${allow}`)
      },
      handler: async () => { throw new HttpError(405, 'method not allowed') }
    })
  }
}
