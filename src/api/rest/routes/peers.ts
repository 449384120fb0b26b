import { peerIdFromString } from '@libp2p/peer-id'
import { HttpError } from '../errors.ts'
import { sendNdjson } from '../ndjson.ts'
import type { RouteModule } from './context.ts'

/** GET /peers: the ID of every cluster peer, streamed. DELETE /peers/{peer}: removes a peer (204). */
export const peersRoutes: RouteModule = ({ rpc, signals, log }) => [{
  method: 'GET',
  url: '/peers',
  handler: async (request, reply) => {
    const signal = signals.forStream(request)
    return sendNdjson(reply, rpc.stream(undefined, 'Cluster', 'Peers', undefined, { signal }), signal, log)
  }
}, {
  method: 'DELETE',
  url: '/peers/:peer',
  handler: async (request, reply) => {
    const { peer } = request.params as { peer: string }
    try {
      peerIdFromString(peer)
    } catch {
      throw new HttpError(400, `invalid peer id: ${JSON.stringify(peer)}`)
    }
    await rpc.call(undefined, 'Cluster', 'PeerRemove', peer, { signal: signals.forCall(request) })
    return reply.code(204).send()
  }
}]
