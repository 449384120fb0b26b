import type { RouteModule } from './context.ts'

/** GET /id: this peer's ID. */
export const idRoutes: RouteModule = ({ rpc, signals }) => [{
  method: 'GET',
  url: '/id',
  handler: async (request) => rpc.call(undefined, 'Cluster', 'ID', undefined, { signal: signals.forCall(request) })
}]
