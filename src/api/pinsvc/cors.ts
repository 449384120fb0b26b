/**
 * The `cors_*` keys as IPFS Cluster's rs/cors reads them, for @fastify/cors:
 * "*" among the origins allows any origin (echoed back, so credentials work);
 * no allowed headers means rs/cors's defaults; `cors_max_age` 0 sends none.
 * Preflight OPTIONS requests are answered before authentication.
 */
import type { PinSvcApiSection } from '../../config/types.ts'
import type { FastifyCorsOptions } from '@fastify/cors'

const RS_CORS_DEFAULT_HEADERS = ['Origin', 'Accept', 'Content-Type', 'X-Requested-With']

export function corsOptions (config: PinSvcApiSection): FastifyCorsOptions {
  const origins = config.cors_allowed_origins
  return {
    origin: origins.includes('*') ? true : origins,
    methods: config.cors_allowed_methods,
    allowedHeaders: config.cors_allowed_headers.length > 0 ? config.cors_allowed_headers : RS_CORS_DEFAULT_HEADERS,
    exposedHeaders: config.cors_exposed_headers,
    credentials: config.cors_allow_credentials,
    ...(config.cors_max_age > 0 ? { maxAge: Math.ceil(config.cors_max_age / 1000) } : {})
  }
}
