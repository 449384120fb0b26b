import { queryOf } from '../query.ts'
import { canonicalGlobalRepoGC, globalRepoGCFromLocal } from '../status-json.ts'
import { localFromQuery } from '../status-query.ts'
import type { GlobalRepoGCJson } from '../../types.ts'
import type { RouteModule, RouteSettings } from './context.ts'

// IPFS Cluster reads no body here, whatever the client sends
const settings: RouteSettings = { ignoresBody: true }

/**
 * POST /ipfs/gc: garbage-collects the IPFS repo of every peer, answering
 * what each removed (GlobalRepoGC); with `?local=true`, this peer's only, in
 * the same shape with one `peer_map` entry.
 */
export const ipfsRoutes: RouteModule = ({ rpc, signals }) => [{
  method: 'POST',
  url: '/ipfs/gc',
  config: settings,
  handler: async (request, reply): Promise<GlobalRepoGCJson> => {
    const signal = signals.forCall(reply)
    return localFromQuery(queryOf(request))
      ? globalRepoGCFromLocal(await rpc.call(undefined, 'Cluster', 'RepoGCLocal', undefined, { signal }))
      : canonicalGlobalRepoGC(await rpc.call(undefined, 'Cluster', 'RepoGC', undefined, { signal }))
  }
}]
