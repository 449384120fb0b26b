import type { VersionJson } from '../../types.ts'
import type { RouteModule } from './context.ts'

/** GET /version: `{"version": "..."}`. */
export const versionRoutes: RouteModule = ({ rpc, signals }) => [{
  method: 'GET',
  url: '/version',
  handler: async (request, reply): Promise<VersionJson> => {
    const { version } = await rpc.call(undefined, 'Cluster', 'Version', undefined, { signal: signals.forCall(reply) })
    return { version }
  }
}]
