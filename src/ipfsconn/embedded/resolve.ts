/**
 * Resolve on the embedded node: `/ipfs/` and `/ipld/` paths walked through
 * UnixFS directories (and dag-cbor / dag-json fields) with
 * ipfs-unixfs-exporter, fetching missing blocks through bitswap. `/ipns/`
 * needs IPNS, which the embedded node does not run.
 */
import { walkPath } from 'ipfs-unixfs-exporter'
import { IpfsRequestError, IpnsUnavailableError } from '../errors.ts'
import { parseIpfsPath } from '../ipfs-path.ts'
import type { EmbeddedHelia } from './node.ts'
import type { CID } from 'multiformats/cid'

export async function resolvePath (helia: EmbeddedHelia, text: string, signal: AbortSignal): Promise<string> {
  const path = parseIpfsPath(text)
  if (path.namespace === 'ipns') throw new IpnsUnavailableError(text)
  if (path.rest.length === 0) return path.root.toString()
  let last: CID | undefined
  try {
    for await (const entry of walkPath(`${path.root.toString()}/${path.rest.join('/')}`, helia.blockstore, { signal })) {
      last = entry.cid
    }
  } catch (err) {
    signal.throwIfAborted()
    throw new IpfsRequestError(`cannot resolve ${text}: ${(err as Error).message}`, { cause: err })
  }
  if (last == null) throw new IpfsRequestError(`cannot resolve ${text}`)
  return last.toString()
}
