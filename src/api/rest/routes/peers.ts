import { sendNdjson } from '../ndjson.ts'
import type { RouteModule } from './context.ts'

/** GET /peers: the ID of every cluster peer, streamed. */
export const peersRoutes: RouteModule = ({ rpc, signals, log }) => [{
  method: 'GET',
  url: '/peers',
  handler: async (request, reply) => {
    const signal = signals.forStream(request)
    return sendNdjson(reply, rpc.stream(undefined, 'Cluster', 'Peers', undefined, { signal }), signal, log)
  }
}]
