/**
 * The paths pin commands take: a CID, `<cid>/<path>`, or `/ipfs/...`,
 * `/ipld/...`, `/ipns/...` (as Kubo's PathOrCidPath reads them). A bare CID
 * needs no resolving; anything else is resolved by the IPFS node. Checked
 * before anything is done, so a bad one changes nothing.
 */
import { canonicalCid } from '../../cid.ts'
import { checkIpfsPath } from '../../ipfs-path.ts'
import { badRequest } from '../kubo-error.ts'
import { quote } from '../args.ts'
import type { ClusterRpcClient } from '../../../rpc-api.ts'

export type Target = { arg: string, cid: string } | { arg: string, path: string }

export function parseTarget (arg: string): Target {
  const text = arg.trim()
  if (!text.startsWith('/') && !text.includes('/')) {
    try {
      return { arg, cid: canonicalCid(text) }
    } catch (err) {
      throw badRequest(`invalid path ${quote(arg)}: ${(err as Error).message}`)
    }
  }
  let path: string
  try {
    path = checkIpfsPath(text.startsWith('/') ? text : `/ipfs/${text}`)
  } catch (err) {
    throw badRequest((err as Error).message)
  }
  const [, namespace, root, ...rest] = path.split('/')
  if (namespace !== 'ipns' && root != null && rest.length === 0) return { arg, cid: canonicalCid(root) }
  return { arg, path }
}

/** The CID a target stands for (paths resolved by the IPFS node). */
export async function targetCid (rpc: ClusterRpcClient, target: Target, signal: AbortSignal): Promise<string> {
  if ('cid' in target) return target.cid
  return canonicalCid(await rpc.call(undefined, 'IPFSConnector', 'Resolve', target.path, { signal }))
}
