import type { RouteModule, RouteSettings } from './context.ts'

const settings: RouteSettings = { public: true }

/** GET /health: 204 while the API is up; for load balancers and probes, so never authenticated. */
export const healthRoutes: RouteModule = () => [{
  method: 'GET',
  url: '/health',
  config: settings,
  handler: async (_request, reply) => reply.code(204).send()
}]
