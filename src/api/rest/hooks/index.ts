/**
 * Request hooks, in the order they run, before any route handler.
 * Later work plugs in here, ahead of the others: CORS (answers preflight
 * OPTIONS), then authentication (Basic and JWT bearer, skipping OPTIONS and
 * routes whose config says `public: true`, such as GET /health), then request
 * logging to `http_log_file`.
 */
import { addExtraHeaders } from './extra-headers.ts'
import { addWriteTimeout } from './write-timeout.ts'
import type { RestApiSection } from '../../../config/types.ts'
import type { FastifyInstance } from 'fastify'

export function addHooks (app: FastifyInstance, config: RestApiSection): void {
  addWriteTimeout(app, config.write_timeout)
  addExtraHeaders(app, config.headers)
}
