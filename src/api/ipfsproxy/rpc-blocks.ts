/**
 * Blocks of the IPFS node through IPFSConnector.BlockGet, as a read-only
 * blockstore (what ipfs-unixfs-exporter reads files through) and as decoded
 * IPLD nodes.
 */
import type { CID } from 'multiformats/cid'
import { codecOf } from './codecs.ts'
import type { ClusterRpcClient } from '../../rpc-api.ts'
import type { ReadableStorage } from 'ipfs-unixfs-exporter'

export class RpcBlocks {
  private readonly rpc: ClusterRpcClient
  private readonly signal: AbortSignal

  constructor (rpc: ClusterRpcClient, signal: AbortSignal) {
    this.rpc = rpc
    this.signal = signal
  }

  async get (cid: CID): Promise<Uint8Array> {
    return this.rpc.call(undefined, 'IPFSConnector', 'BlockGet', cid.toString(), { signal: this.signal })
  }

  async decoded (cid: CID): Promise<unknown> {
    return codecOf(cid.code).decode(await this.get(cid))
  }

  storage (): ReadableStorage {
    const get = async (cid: CID): Promise<Uint8Array> => this.get(cid)
    return {
      get: async function * (cid: CID) {
        yield await get(cid)
      }
    }
  }
}
