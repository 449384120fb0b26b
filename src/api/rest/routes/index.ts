/**
 * Every route of the REST API, registered from this one list. A new endpoint
 * is a module returning its routes, added to ROUTE_MODULES.
 */
import { answerMethodNotAllowed } from './method-not-allowed.ts'
import { acceptUploads, addRoutes } from './add.ts'
import { allocationsRoutes } from './allocations.ts'
import { healthRoutes } from './health.ts'
import { idRoutes } from './id.ts'
import { ignoresBody, registerIgnoringBodies } from './ignored-bodies.ts'
import { ipfsRoutes } from './ipfs.ts'
import { monitorRoutes } from './monitor.ts'
import { peersRoutes } from './peers.ts'
import { pinPathRoutes } from './pin-paths.ts'
import { pinsRoutes } from './pins.ts'
import { statusRoutes } from './status.ts'
import { tokenRoutes } from './token.ts'
import { versionRoutes } from './version.ts'
import type { RouteContext, RouteModule } from './context.ts'
import type { FastifyInstance } from 'fastify'

const ROUTE_MODULES: RouteModule[] = [
  idRoutes,
  versionRoutes,
  peersRoutes,
  pinsRoutes,
  pinPathRoutes,
  addRoutes,
  statusRoutes,
  allocationsRoutes,
  monitorRoutes,
  ipfsRoutes,
  healthRoutes,
  tokenRoutes
]

export function registerRoutes (app: FastifyInstance, ctx: RouteContext): void {
  const routes = ROUTE_MODULES.flatMap((module) => module(ctx))
  acceptUploads(app)
  for (const route of routes.filter((r) => !ignoresBody(r))) app.route(route)
  registerIgnoringBodies(app, routes.filter(ignoresBody))
  answerMethodNotAllowed(app, routes)
}
