/**
 * The fastify application of the REST API: options, hooks, error handling and
 * routes. It does no I/O; the listeners feed it requests through `routing`.
 */
import Fastify from 'fastify'
import { Authenticator } from './auth/authenticator.ts'
import { installErrorHandling, sendError } from './error-handling.ts'
import { setExtraHeaders } from './hooks/extra-headers.ts'
import { addHooks } from './hooks/index.ts'
import { registerRoutes } from './routes/index.ts'
import type { RequestLogSink } from './hooks/request-log.ts'
import type { RequestSignals } from './request-signals.ts'
import type { RestApiSection } from '../../config/types.ts'
import type { ClusterRpcClient } from '../../rpc-api.ts'
import type { Logger } from '@libp2p/logger'
import type { FastifyInstance } from 'fastify'

/** Go's default max_header_bytes: no URL gets past Node's header limit anyway. */
const MAX_PARAM_LENGTH = 1 << 20

export interface AppInit {
  rpc: ClusterRpcClient
  config: RestApiSection
  signals: RequestSignals
  log: Logger
  /** Where the request log lines go; undefined: nowhere. */
  requestLog?: RequestLogSink
}

export function buildApp ({ rpc, config, signals, log, requestLog }: AppInit): FastifyInstance {
  const app = Fastify({
    logger: false,
    // HEAD is not part of IPFS Cluster's API; asking it gets a 405
    exposeHeadRoutes: false,
    // a path parameter is a CID, which can be long (sha2-512, base16...): max_header_bytes bounds it, not the router
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // errors the router raises before any route (a malformed URL) keep our shape too
    frameworkErrors: (err, _request, reply) => {
      setExtraHeaders(reply, config.headers)
      sendError(reply, err, log)
    }
  })
  installErrorHandling(app, log)
  const credentials = config.basic_auth_credentials
  const auth = credentials == null ? undefined : new Authenticator({ credentials, tokenLifetime: config.jwt_expiry })
  addHooks(app, config, { auth, requestLog })
  registerRoutes(app, { rpc, signals, log, auth })
  return app
}
