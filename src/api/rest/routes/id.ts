import { canonicalId } from '../id-json.ts'
import type { IDJson } from '../../types.ts'
import type { RouteModule } from './context.ts'

/** GET /id: this peer's ID. */
export const idRoutes: RouteModule = ({ rpc, signals }) => [{
  method: 'GET',
  url: '/id',
  handler: async (request, reply): Promise<IDJson> =>
    canonicalId(await rpc.call(undefined, 'Cluster', 'ID', undefined, { signal: signals.forCall(reply) }))
}]
