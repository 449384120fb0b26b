/**
 * Authentication of every request when `basic_auth_credentials` is set:
 * HTTP Basic or a Bearer token. OPTIONS (CORS preflight, answered before
 * this hook anyway) and routes whose settings say `public` pass without.
 */
import { UnauthorizedError } from '../auth/unauthorized.ts'
import type { Authenticator } from '../auth/authenticator.ts'
import type { RouteSettings } from '../routes/context.ts'
import type { FastifyInstance } from 'fastify'

export function addAuthentication (app: FastifyInstance, auth: Authenticator | undefined): void {
  if (auth == null) return
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'OPTIONS') return
    if ((request.routeOptions.config as RouteSettings | undefined)?.public === true) return
    try {
      await auth.authenticate(request.headers.authorization)
    } catch (err) {
      if (err instanceof UnauthorizedError) err.challenge(reply)
      throw err
    }
  })
}
