/**
 * Routes whose settings say `ignoresBody` are registered in a fastify scope
 * whose only content-type parser takes any body, of any type, without reading
 * it: a client sending `Content-Type: application/json` with an empty body,
 * or a form, to `POST /pins/{cid}` gets what IPFS Cluster would answer rather
 * than a 400 or 415. Node discards an unread body once the answer is written.
 */
import type { RouteSettings } from './context.ts'
import type { FastifyInstance, RouteOptions } from 'fastify'

export function ignoresBody (route: RouteOptions): boolean {
  return (route.config as RouteSettings | undefined)?.ignoresBody === true
}

export function registerIgnoringBodies (app: FastifyInstance, routes: RouteOptions[]): void {
  if (routes.length === 0) return
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_request, _payload, done) => { done(null, undefined) })
    for (const route of routes) scope.route(route)
  })
}
