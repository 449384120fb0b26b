/**
 * Node HTTP server options from an API's config section, with the meaning
 * IPFS Cluster's Go server gives the same keys (all durations in ms, 0 = none).
 */
import type { HttpServerKeys } from '../../config/types.ts'
import type { ServerOptions } from 'node:http'


/** Go's http.Server reads this much beyond MaxHeaderBytes before refusing; keep configs written for it working. */
const GO_HEADER_SLACK = 4096
/** Go's default when max_header_bytes is 0. */
const GO_DEFAULT_MAX_HEADER_BYTES = 1 << 20

export function httpServerOptions (config: HttpServerKeys): ServerOptions {
  const readTimeout = Math.max(0, config.read_timeout)
  // Go: a zero read_header_timeout falls back to read_timeout; Node refuses headersTimeout > requestTimeout
  let headersTimeout = config.read_header_timeout > 0 ? config.read_header_timeout : readTimeout
  if (readTimeout > 0) headersTimeout = Math.min(headersTimeout, readTimeout)
  // Go: a zero idle_timeout falls back to read_timeout
  const keepAliveTimeout = config.idle_timeout > 0 ? config.idle_timeout : readTimeout
  const maxHeaderBytes = config.max_header_bytes > 0 ? config.max_header_bytes : GO_DEFAULT_MAX_HEADER_BYTES
  return {
    requestTimeout: readTimeout,
    headersTimeout,
    keepAliveTimeout,
    maxHeaderSize: maxHeaderBytes + GO_HEADER_SLACK
  }
}
