import { peerIdFromString } from '@libp2p/peer-id'
import { canonicalId } from '../id-json.ts'
import { HttpError } from '../errors.ts'
import { readJsonBody } from '../json-body.ts'
import { sendNdjson } from '../ndjson.ts'
import { quote } from '../query.ts'
import type { IDJson } from '../../types.ts'
import type { RouteModule, RouteSettings } from './context.ts'

// the body is read as JSON whatever its Content-Type, as IPFS Cluster does
const readsOwnBody: RouteSettings = { ignoresBody: true }

/**
 * GET /peers: the ID of every cluster peer, streamed. POST /peers with
 * `{"peer_id": "<id>"}`: adds that peer to the cluster (it must answer
 * first), answering its ID. DELETE /peers/{peer}: removes a peer (204).
 */
export const peersRoutes: RouteModule = ({ rpc, signals, log }) => [{
  method: 'GET',
  url: '/peers',
  handler: async (request, reply) => {
    const signal = signals.forStream(reply)
    return sendNdjson(reply, rpc.stream(undefined, 'Cluster', 'Peers', undefined, { signal }), signal, log, canonicalId)
  }
}, {
  method: 'POST',
  url: '/peers',
  config: readsOwnBody,
  handler: async (request, reply): Promise<IDJson> => {
    const peer = peerIdOfBody(await readJsonBody(request))
    return canonicalId(await rpc.call(undefined, 'Cluster', 'PeerAdd', peer, { signal: signals.forCall(reply) }))
  }
}, {
  method: 'DELETE',
  url: '/peers/:peer',
  handler: async (request, reply) => {
    const { peer } = request.params as { peer: string }
    await rpc.call(undefined, 'Cluster', 'PeerRemove', peerIdParam(peer), { signal: signals.forCall(reply) })
    return reply.code(204).send()
  }
}]

/** `{"peer_id": "<peer id>"}` (other fields ignored, as IPFS Cluster does): the peer id, checked. */
function peerIdOfBody (body: unknown): string {
  if (body == null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'the request body must be a JSON object: {"peer_id": "<peer id>"}')
  }
  const value = (body as { peer_id?: unknown }).peer_id
  if (typeof value !== 'string') throw new HttpError(400, 'the request body has no "peer_id" string: {"peer_id": "<peer id>"}')
  return peerIdParam(value)
}

function peerIdParam (text: string): string {
  try {
    return peerIdFromString(text).toString()
  } catch {
    throw new HttpError(400, `invalid peer id: ${quote(text)}`)
  }
}
