import { cidFromPath } from '../cid-param.ts'
import { sendJsonLines, sendNdjson } from '../ndjson.ts'
import { queryOf } from '../query.ts'
import { canonicalGlobalPinInfo, globalFromLocal, globalPinInfoJson } from '../status-json.ts'
import { cidsFromQuery, localFromQuery, statusFilterFromQuery } from '../status-query.ts'
import type { GlobalPinInfoJson } from '../../types.ts'
import type { RouteModule, RouteSettings } from './context.ts'

// IPFS Cluster reads no body on its POST routes
const settings: RouteSettings = { ignoresBody: true }

/**
 * Pin status and recovery, every peer's (GlobalPinInfo) or with
 * `?local=true` this peer's only (its PinInfo in the same shape, one
 * `peer_map` entry):
 * - GET /pins: status of every pin, streamed; `?filter=<statuses>`, `?cids=c1,c2`
 * - GET /pins/{cid}: status of one CID (`unpinned` everywhere when not pinned)
 * - POST /pins/{cid}/recover: re-queues a failed pin, answers its status
 * - POST /pins/recover: re-queues every failed pin, streaming what was re-queued
 */
export const statusRoutes: RouteModule = ({ rpc, signals, log }) => [{
  method: 'GET',
  url: '/pins',
  handler: async (request, reply) => {
    const query = queryOf(request)
    const local = localFromQuery(query)
    const cids = cidsFromQuery(query)
    const arg = { filter: statusFilterFromQuery(query), ...(cids !== undefined ? { cids } : {}) }
    const signal = signals.forStream(reply)
    return local
      ? sendJsonLines(reply, rpc.stream(undefined, 'Cluster', 'StatusAllLocal', arg, { signal }), signal, log, (info) => globalPinInfoJson(globalFromLocal(info)))
      : sendJsonLines(reply, rpc.stream(undefined, 'Cluster', 'StatusAll', arg, { signal }), signal, log, globalPinInfoJson)
  }
}, {
  method: 'GET',
  url: '/pins/:cid',
  handler: async (request, reply): Promise<GlobalPinInfoJson> => {
    const cid = cidFromPath(request)
    const signal = signals.forCall(reply)
    return localFromQuery(queryOf(request))
      ? globalFromLocal(await rpc.call(undefined, 'Cluster', 'StatusLocal', cid, { signal }))
      : canonicalGlobalPinInfo(await rpc.call(undefined, 'Cluster', 'Status', cid, { signal }))
  }
}, {
  method: 'POST',
  url: '/pins/:cid/recover',
  config: settings,
  handler: async (request, reply): Promise<GlobalPinInfoJson> => {
    const cid = cidFromPath(request)
    const signal = signals.forCall(reply)
    return localFromQuery(queryOf(request))
      ? globalFromLocal(await rpc.call(undefined, 'Cluster', 'RecoverLocal', cid, { signal }))
      : canonicalGlobalPinInfo(await rpc.call(undefined, 'Cluster', 'Recover', cid, { signal }))
  }
}, {
  method: 'POST',
  url: '/pins/recover',
  config: settings,
  handler: async (request, reply) => {
    const local = localFromQuery(queryOf(request))
    const signal = signals.forStream(reply)
    return local
      ? sendNdjson(reply, rpc.stream(undefined, 'Cluster', 'RecoverAllLocal', undefined, { signal }), signal, log, globalFromLocal)
      : sendNdjson(reply, rpc.stream(undefined, 'Cluster', 'RecoverAll', undefined, { signal }), signal, log, canonicalGlobalPinInfo)
  }
}]
