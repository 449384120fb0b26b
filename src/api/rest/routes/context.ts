/** What route handlers get: the RPC client and the signals to pass to its calls. */
import type { ClusterRpcClient } from '../../../rpc-api.ts'
import type { Authenticator } from '../auth/authenticator.ts'
import type { RequestSignals } from '../request-signals.ts'
import type { Logger } from '@libp2p/logger'
import type { RouteOptions } from 'fastify'

export interface RouteContext {
  rpc: ClusterRpcClient
  signals: RequestSignals
  log: Logger
  /** undefined: no authentication (`basic_auth_credentials` is null). */
  auth?: Authenticator
}

/** One route module's contribution: a function of the context to its routes. */
export type RouteModule = (ctx: RouteContext) => RouteOptions[]

/**
 * Per-route settings read by hooks and by registration (fastify's route `config`).
 * `public`: no authentication, once authentication exists.
 * `ignoresBody`: the route takes no body and ignores one, whatever its
 * Content-Type (as IPFS Cluster's routes do), instead of parsing it.
 */
export interface RouteSettings {
  public?: boolean
  ignoresBody?: boolean
}
