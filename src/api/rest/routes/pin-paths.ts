import { PATH_NAMESPACES, checkIpfsPath } from '../../ipfs-path.ts'
import { canonicalPin } from '../../pin.ts'
import { HttpError } from '../errors.ts'
import { pinOptionsFromQuery } from '../pin-options.ts'
import { queryOf } from '../query.ts'
import type { PinJson } from '../../types.ts'
import type { RouteModule, RouteSettings } from './context.ts'
import type { FastifyRequest, RouteOptions } from 'fastify'

// IPFS Cluster reads no body here, whatever the client sends
const settings: RouteSettings = { ignoresBody: true }

/**
 * POST /pins/{ipfs,ipns,ipld}/{path...}: pins what the path resolves to, with
 * the pin options of the query (as POST /pins/{cid}), answering the Pin as
 * committed. DELETE of the same: unpins what it resolves to, answering the Pin
 * as it was stored. A malformed path is a 400 (InvalidPathError) before any
 * RPC call; a path the IPFS node cannot resolve (no such link) is a 400 too.
 */
export const pinPathRoutes: RouteModule = ({ rpc, signals }) => PATH_NAMESPACES.flatMap((namespace): RouteOptions[] => [{
  method: 'POST',
  url: `/pins/${namespace}/*`,
  config: settings,
  handler: async (request, reply): Promise<PinJson> => {
    const path = pathOf(namespace, request)
    const options = pinOptionsFromQuery(queryOf(request), Date.now())
    return canonicalPin(await unresolvedIsBadInput(rpc.call(undefined, 'Cluster', 'PinPath', { path, options }, { signal: signals.forCall(reply) })))
  }
}, {
  method: 'DELETE',
  url: `/pins/${namespace}/*`,
  config: settings,
  handler: async (request, reply): Promise<PinJson> => {
    const path = pathOf(namespace, request)
    return canonicalPin(await unresolvedIsBadInput(rpc.call(undefined, 'Cluster', 'UnpinPath', path, { signal: signals.forCall(reply) })))
  }
}])

/** The path of a request to `/pins/<namespace>/*`, checked (the router has decoded it). */
function pathOf (namespace: string, request: FastifyRequest): string {
  return checkIpfsPath(`/${namespace}/${(request.params as { '*': string })['*']}`)
}

/**
 * Of PinPath and UnpinPath, only resolving the path asks the IPFS node: its
 * refusal (an IpfsRequestError: no such link, not a directory) says the path
 * is wrong, the client's mistake (IPFS Cluster answers 500).
 */
async function unresolvedIsBadInput<T> (call: Promise<T>): Promise<T> {
  try {
    return await call
  } catch (err) {
    if ((err as Error).name === 'IpfsRequestError') throw new HttpError(400, (err as Error).message)
    throw err
  }
}
