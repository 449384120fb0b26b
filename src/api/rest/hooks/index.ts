/**
 * Request hooks, in the order they run, before any route handler:
 * the request log (first, so it sees every answer, 401s and preflights
 * included), the write timeout, the extra `headers` (on every answer, errors
 * included), CORS (answers preflight OPTIONS; its headers go on 401s too, so
 * browsers can read them), then authentication (Basic and JWT bearer,
 * skipping OPTIONS and routes whose config says `public: true`, such as
 * GET /health).
 */
import { addAuthentication } from './auth.ts'
import { addCors } from './cors.ts'
import { addExtraHeaders } from './extra-headers.ts'
import { addRequestLog } from './request-log.ts'
import { addWriteTimeout } from './write-timeout.ts'
import type { RequestLogSink } from './request-log.ts'
import type { RestApiSection } from '../../../config/types.ts'
import type { Authenticator } from '../auth/authenticator.ts'
import type { FastifyInstance } from 'fastify'

export interface HookInit {
  /** undefined: no authentication (`basic_auth_credentials` is null). */
  auth?: Authenticator
  /** undefined: no request log. */
  requestLog?: RequestLogSink
}

export function addHooks (app: FastifyInstance, config: RestApiSection, init: HookInit = {}): void {
  addRequestLog(app, init.requestLog)
  addWriteTimeout(app, config.write_timeout)
  addExtraHeaders(app, config.headers)
  addCors(app, config)
  addAuthentication(app, init.auth)
}
