import { canonicalPin } from '../../pin.ts'
import { cidFromPath } from '../cid-param.ts'
import { pinOptionsFromQuery } from '../pin-options.ts'
import { queryOf } from '../query.ts'
import type { PinJson } from '../../types.ts'
import type { RouteModule, RouteSettings } from './context.ts'

// IPFS Cluster reads no body here, whatever the client sends
const settings: RouteSettings = { ignoresBody: true }

/**
 * POST /pins/{cid}: pins with the options of the query (see pin-options.ts),
 * answering the Pin as committed. DELETE /pins/{cid}: unpins, answering the
 * Pin as it was stored; 404 when it is not pinned.
 */
export const pinsRoutes: RouteModule = ({ rpc, signals }) => [{
  method: 'POST',
  url: '/pins/:cid',
  config: settings,
  handler: async (request, reply): Promise<PinJson> => {
    const cid = cidFromPath(request)
    const options = pinOptionsFromQuery(queryOf(request), Date.now())
    return canonicalPin(await rpc.call(undefined, 'Cluster', 'Pin', { cid, options }, { signal: signals.forCall(reply) }))
  }
}, {
  method: 'DELETE',
  url: '/pins/:cid',
  config: settings,
  handler: async (request, reply): Promise<PinJson> => {
    const cid = cidFromPath(request)
    return canonicalPin(await rpc.call(undefined, 'Cluster', 'Unpin', cid, { signal: signals.forCall(reply) }))
  }
}]
