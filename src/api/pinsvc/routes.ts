/**
 * The routes of the spec (GET/POST /pins, GET/POST/DELETE /pins/{requestid})
 * and POST /token. Inputs are checked before anything else: a bad one is a
 * 400 and changes nothing.
 */
import { PinSvcError, badRequest } from './errors.ts'
import { filtersFromQuery } from './list-query.ts'
import { listRequests } from './listing.ts'
import { pinFromBody } from './pin-body.ts'
import type { Authenticator } from './auth.ts'
import type { StatusLookup } from './pin-status.ts'
import type { Requests } from './requests.ts'
import type { RequestStore } from './store/request-store.ts'
import type { PinResultsJson, PinStatusJson } from './types.ts'
import type { Logger } from '@libp2p/logger'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

export interface RouteContext {
  store: RequestStore
  lookup: StatusLookup
  requests: Requests
  /** The signal of a request's work: aborts when its client goes away or the API halts. */
  signalOf: (request: FastifyRequest) => AbortSignal
  auth?: Authenticator
  /** The user each authenticated request proved. */
  users: WeakMap<object, string>
  log: Logger
}

const OTHER_METHODS = ['PUT', 'PATCH'] as const

export function registerRoutes (app: FastifyInstance, ctx: RouteContext): void {
  const { store, lookup, requests, signalOf } = ctx

  app.get('/pins', async (request): Promise<PinResultsJson> => {
    const filters = filtersFromQuery(queryOf(request))
    return listRequests(store, lookup, filters, signalOf(request))
  })

  app.post('/pins', async (request, reply): Promise<PinStatusJson> => {
    const pin = pinFromBody(request.body)
    const status = await requests.create(pin, signalOf(request))
    reply.code(202)
    return status
  })

  app.get('/pins/:requestid', async (request): Promise<PinStatusJson> => requests.get(requestIdOf(request), signalOf(request)))

  app.post('/pins/:requestid', async (request, reply): Promise<PinStatusJson> => {
    const id = requestIdOf(request)
    const pin = pinFromBody(request.body)
    const status = await requests.replace(id, pin, signalOf(request))
    reply.code(202)
    return status
  })

  app.delete('/pins/:requestid', async (request, reply): Promise<FastifyReply> => {
    await requests.remove(requestIdOf(request), signalOf(request))
    return reply.code(202).send()
  })

  app.post('/token', async (request): Promise<{ token: string }> => {
    const user = ctx.users.get(request)
    if (ctx.auth == null || user == null) throw badRequest('no basic_auth_credentials are configured: this API needs no token')
    return { token: await ctx.auth.issueToken(user) }
  })

  for (const [url, allowed] of [['/pins', 'GET, POST'], ['/pins/:requestid', 'GET, POST, DELETE'], ['/token', 'POST']] as const) {
    app.route({
      method: [...OTHER_METHODS, ...(url === '/token' ? ['GET', 'DELETE'] : url === '/pins' ? ['DELETE'] : [])],
      url,
      handler: async (request, reply) => {
        reply.header('allow', allowed)
        throw new PinSvcError(405, `${request.method} is not allowed on ${url}: ${allowed}`)
      }
    })
  }
}

function requestIdOf (request: FastifyRequest): string {
  return (request.params as { requestid: string }).requestid
}

function queryOf (request: FastifyRequest): URLSearchParams {
  const start = request.url.indexOf('?')
  return new URLSearchParams(start < 0 ? '' : request.url.slice(start + 1))
}
