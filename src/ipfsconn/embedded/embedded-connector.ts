/**
 * The `embedded` IPFS connector: a Helia node inside the daemon (see
 * node.ts), its data under `<folder>/ipfs/`. It runs from start() to stop();
 * in between, calls fail with IpfsUnavailableError and ID reports it.
 */
import { logger } from '@libp2p/logger'
import { concat } from 'uint8arrays/concat'
import { withDeadline } from '../../util/deadline.ts'
import { blockCid, codecCode, DEFAULT_MHTYPE, parseCid } from '../block-cid.ts'
import { connectTargets, isTcpAddress, swarmTargets } from '../connect-swarms.ts'
import { DelayedTask } from '../delayed-task.ts'
import { IpfsInvalidRequestError, IpfsUnavailableError, UnpinTimeoutError } from '../errors.ts'
import { collectGarbage } from './gc.ts'
import { startEmbeddedNode } from './node.ts'
import { listPins, pin, pinType, unpin } from './pins.ts'
import { nodeInfo, swarmConnections } from './node-info.ts'
import { repoStat } from './repo-stat.ts'
import { resolvePath } from './resolve.ts'
import type { GcItem } from './gc.ts'
import type { EmbeddedHelia, EmbeddedNode } from './node.ts'
import type { IPFSIDJson } from '../../api/types.ts'
import type { EmbeddedIpfsSection } from '../../config/types.ts'
import type { BlockPutRequest, ClusterApi, ComponentInit, IpfsPinLsItem } from '../../rpc-api.ts'
import type { IpfsConnector } from '../types.ts'

const log = logger('pincluster:ipfsconn:embedded')

export interface EmbeddedConnectorInit extends ComponentInit {
  config: EmbeddedIpfsSection
  /** The configuration folder; the node keeps its files in `<folder>/ipfs/`. */
  folder: string
}

export class EmbeddedConnector implements IpfsConnector {
  readonly name = 'ipfsconnector'
  private readonly rpc: EmbeddedConnectorInit['rpc']
  private readonly config: EmbeddedIpfsSection
  private readonly folder: string
  private readonly connectLater = new DelayedTask()
  private node?: EmbeddedNode

  constructor (init: EmbeddedConnectorInit) {
    this.rpc = init.rpc
    this.config = init.config
    this.folder = init.folder
  }

  async start (options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.node != null) return
    this.node = await startEmbeddedNode(this.folder, this.config, options.signal)
    const libp2p = this.node.helia.libp2p
    log('embedded IPFS node %p listening on %s', libp2p.peerId, libp2p.getMultiaddrs().map(String).join(', '))
    this.connectLater.schedule(this.config.connect_swarms_delay, async (signal) => { await this.connectSwarms(signal) },
      (err) => { log.error('connecting the IPFS node to the other peers\' failed: %s', err.message) })
  }

  async stop (): Promise<void> {
    await this.connectLater.cancel()
    const node = this.node
    this.node = undefined
    await node?.close()
  }

  service (): ClusterApi['IPFSConnector'] {
    return {
      ID: async () => this.id(),
      Pin: async (request, { signal }) => {
        await pin(this.helia(), { cid: parseCid(request.cid), mode: request.mode, pinTimeout: this.config.pin_timeout, signal, log })
      },
      Unpin: async (cid, { signal }) => { await this.unpin(cid, signal) },
      PinLsCid: async (cid, { signal }) => pinType(this.helia(), parseCid(cid), signal),
      PinLs: (arg, { signal }) => this.pinLs(arg.type, signal),
      RepoStat: async (_arg, { signal }) => {
        const node = this.running()
        return repoStat(node.blocksPath, await node.blockstore.size({ signal }), this.config.storage_max)
      },
      RepoGC: (_arg, { signal }) => this.repoGC(signal),
      ConnectSwarms: async (_arg, { signal }) => { await this.connectSwarms(signal) },
      SwarmPeers: async () => this.helia().libp2p.getPeers().map((p) => p.toString()),
      BlockPut: async (request, { signal }) => this.blockPut(request, signal),
      BlockGet: async (cid, { signal }) => {
        const chunks: Uint8Array[] = []
        for await (const chunk of this.helia().blockstore.get(parseCid(cid), { signal })) chunks.push(chunk)
        return concat(chunks)
      },
      Resolve: async (path, { signal }) => resolvePath(this.helia(), path, signal),
      NodeInfo: async () => nodeInfo(this.helia()),
      SwarmConnections: async () => swarmConnections(this.helia())
    }
  }

  private running (): EmbeddedNode {
    if (this.node == null) throw new IpfsUnavailableError('the embedded IPFS node is not running')
    return this.node
  }

  private helia (): EmbeddedHelia {
    return this.running().helia
  }

  private async * pinLs (type: 'recursive' | 'direct' | 'all', signal: AbortSignal): AsyncGenerator<IpfsPinLsItem> {
    yield * listPins(this.helia(), type, signal)
  }

  private async * repoGC (signal: AbortSignal): AsyncGenerator<GcItem> {
    yield * collectGarbage(this.helia(), signal)
  }

  private id (): IPFSIDJson {
    if (this.node == null) return { id: '', addresses: [], error: 'the embedded IPFS node is not running' }
    const libp2p = this.node.helia.libp2p
    return { id: libp2p.peerId.toString(), addresses: libp2p.getMultiaddrs().map((a) => a.toString()), error: '' }
  }

  private async unpin (text: string, signal: AbortSignal): Promise<void> {
    const cid = parseCid(text)
    const helia = this.helia()
    const timeout = this.config.unpin_timeout
    try {
      if (await withDeadline(signal, timeout, async (s) => unpin(helia, cid, s))) log('unpinned %s', cid)
    } catch (err) {
      if (!signal.aborted && (err as Error).name === 'TimeoutError') throw new UnpinTimeoutError(cid.toString(), timeout)
      throw err
    }
  }

  private async blockPut (request: BlockPutRequest, signal: AbortSignal): Promise<string> {
    const helia = this.helia()
    const cid = await blockCid(request.data, request.codec, request.mhtype ?? DEFAULT_MHTYPE)
    // a block that does not decode would break every walk of a DAG holding it (pins, gc)
    const codec = await helia.getCodec(codecCode(request.codec))
    try {
      codec.decode(request.data)
    } catch (err) {
      throw new IpfsInvalidRequestError(`the block is not valid ${request.codec}: ${(err as Error).message}`)
    }
    await helia.blockstore.put(cid, request.data, { signal })
    return cid.toString()
  }

  private async connectSwarms (signal: AbortSignal): Promise<void> {
    const libp2p = this.helia().libp2p
    const targets = await swarmTargets(this.rpc, { signal, selfIpfsId: libp2p.peerId.toString(), dialable: isTcpAddress, log })
    const result = await connectTargets(targets, async (address, s) => { await libp2p.dial(address, { signal: s }) }, { signal, log })
    log('ConnectSwarms: connected to %d IPFS nodes, %d failed', result.connected.length, result.failed.length)
  }
}
