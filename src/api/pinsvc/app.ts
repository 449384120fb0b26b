/**
 * The fastify application: hooks (write timeout, extra headers, CORS,
 * authentication), the spec's routes, and every error answered as the spec's
 * Failure object. It does no I/O; the listeners feed it requests.
 */
import cors from '@fastify/cors'
import Fastify from 'fastify'
import { corsOptions } from './cors.ts'
import { failureBody, statusOf } from './errors.ts'
import { registerRoutes } from './routes.ts'
import type { Authenticator } from './auth.ts'
import type { RequestSignals } from './request-signals.ts'
import type { RouteContext } from './routes.ts'
import type { PinSvcApiSection } from '../../config/types.ts'
import type { Logger } from '@libp2p/logger'
import type { FastifyInstance, FastifyReply } from 'fastify'

const REALM = 'Restricted IPFS Pinning Service API'

export interface AppInit extends Omit<RouteContext, 'users' | 'signalOf'> {
  config: PinSvcApiSection
  signals: RequestSignals
  /** Absent: no authentication. */
  auth?: Authenticator
}

export async function buildApp (init: AppInit): Promise<FastifyInstance> {
  const { config, auth, signals, log } = init
  const app = Fastify({
    logger: false,
    // a path parameter is a request id (26 characters); anything longer is still answered, as a 400
    routerOptions: { maxParamLength: 1024 },
    frameworkErrors: (err, _request, reply) => { sendFailure(reply, err, log) }
  })
  app.setErrorHandler((err, _request, reply) => sendFailure(reply, err, log))
  app.setNotFoundHandler((request, reply) => sendFailure(reply, Object.assign(new Error(`not found: ${request.method} ${request.url.split('?')[0] ?? ''}`), { statusCode: 404 }), log))

  if (config.write_timeout > 0) {
    app.addHook('onRequest', async (_request, reply) => {
      const timer = setTimeout(() => { reply.raw.destroy() }, config.write_timeout)
      reply.raw.once('close', () => { clearTimeout(timer) })
    })
  }
  if (Object.keys(config.headers).length > 0) {
    app.addHook('onRequest', async (_request, reply) => {
      for (const [name, values] of Object.entries(config.headers)) if (values.length > 0) reply.header(name, values.length === 1 ? values[0] : values)
    })
  }
  signals.install(app)
  await app.register(cors, corsOptions(config))

  const users = new WeakMap<object, string>()
  if (auth != null) {
    app.addHook('onRequest', async (request, reply) => {
      if (request.method === 'OPTIONS') return
      const result = await auth.authenticate(request.headers.authorization)
      if ('user' in result) {
        users.set(request, result.user)
        return
      }
      if (result.failure === 'missing') {
        reply.header('www-authenticate', [`Bearer realm="${REALM}"`, `Basic realm="${REALM}"`])
        return reply.code(401).send(failureBody(401, new Error('an access token is needed: Authorization: Bearer <token>')))
      }
      reply.header('www-authenticate', `Bearer realm="${REALM}", error="invalid_token"`)
      return reply.code(401).send(failureBody(401, new Error('the access token or credentials are invalid')))
    })
  }
  registerRoutes(app, { ...init, users, signalOf: (request) => signals.of(request) })
  return app
}

function sendFailure (reply: FastifyReply, err: unknown, log: Logger): FastifyReply {
  const status = statusOf(err)
  const message = (err as Error)?.message
  if (status >= 500 && !reply.raw.destroyed) log.error('%s %s -> %d: %s', reply.request.method, reply.request.url, status, message)
  else log('%s %s -> %d: %s', reply.request.method, reply.request.url, status, message)
  return reply.code(status).type('application/json').send(failureBody(status, err))
}
