/**
 * CORS from the `cors_*` config keys, with the meaning rs/cors (IPFS
 * Cluster's library) gives them, through @fastify/cors. Preflight requests
 * are answered here, before authentication, since browsers send them
 * without credentials.
 */
import cors from '@fastify/cors'
import type { RestApiSection } from '../../../config/types.ts'
import type { FastifyCorsOptions } from '@fastify/cors'
import type { FastifyInstance } from 'fastify'

/** rs/cors's choices when the lists are empty. */
const DEFAULT_METHODS = ['GET', 'POST', 'HEAD']
const DEFAULT_HEADERS = ['Origin', 'Accept', 'Content-Type', 'X-Requested-With']

export function addCors (app: FastifyInstance, config: RestApiSection): void {
  void app.register(cors, corsOptions(config))
}

export function corsOptions (config: RestApiSection): FastifyCorsOptions {
  const options: FastifyCorsOptions = {
    origin: allowedOrigins(config.cors_allowed_origins),
    methods: config.cors_allowed_methods.length > 0 ? config.cors_allowed_methods : DEFAULT_METHODS,
    credentials: config.cors_allow_credentials,
    // an OPTIONS request that is no preflight gets an ordinary answer rather than a text/plain 400
    strictPreflight: false
  }
  // keys left out take @fastify/cors's defaults (an undefined value would be sent as is)
  const headers = config.cors_allowed_headers
  // with `*`, allowedHeaders stays out: the preflight's own list is echoed
  if (!headers.includes('*')) options.allowedHeaders = headers.length > 0 ? headers : DEFAULT_HEADERS
  if (config.cors_exposed_headers.length > 0) options.exposedHeaders = config.cors_exposed_headers
  const maxAgeSeconds = Math.floor(config.cors_max_age / 1000)
  if (maxAgeSeconds > 0) options.maxAge = maxAgeSeconds
  return options
}

/** `*` (or nothing) allows any origin; an origin may hold one `*` wildcard (`https://*.example.com`); case does not matter. */
function allowedOrigins (origins: string[]): '*' | RegExp[] {
  if (origins.length === 0 || origins.includes('*')) return '*'
  return origins.map((origin) => new RegExp('^' + origin.split('*').map(escapeRegExp).join('.*') + '$', 'i'))
}

function escapeRegExp (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
