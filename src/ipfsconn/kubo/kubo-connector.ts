/**
 * The `kubo` IPFS connector: kubo-rpc-client against the Kubo RPC API at
 * `node_multiaddress`. The daemon may be down when the peer starts and may
 * go away later: ID then answers with `error` set, every other call fails
 * with IpfsUnavailableError.
 */
import { logger } from '@libp2p/logger'
import { create } from 'kubo-rpc-client'
import { CID } from 'multiformats/cid'
import { withDeadline } from '../../util/deadline.ts'
import { blockCid, codecCode, DEFAULT_MHTYPE, hasherFor, parseCid } from '../block-cid.ts'
import { connectTargets, swarmTargets } from '../connect-swarms.ts'
import { DelayedTask } from '../delayed-task.ts'
import { IpfsRequestError, IpfsUnavailableError, UnpinTimeoutError } from '../errors.ts'
import { formatIpfsPath, parseIpfsPath } from '../ipfs-path.ts'
import { kuboApiUrl } from './api-url.ts'
import { toIpfsError } from './kubo-errors.ts'
import { kuboNodeInfo, kuboSwarmConnections } from './node-info.ts'
import { kuboPin } from './pin.ts'
import { kuboPost } from './raw-post.ts'
import type { IPFSIDJson, IPFSRepoStatJson, IpfsPinType } from '../../api/types.ts'
import type { IpfsHttpSection } from '../../config/types.ts'
import type { BlockPutRequest, ClusterApi, ComponentInit, IpfsPinLsItem, IpfsPinRequest } from '../../rpc-api.ts'
import type { IpfsConnector } from '../types.ts'
import type { KuboRPCClient } from 'kubo-rpc-client'

const log = logger('pincluster:ipfsconn:kubo')

export interface KuboConnectorInit extends ComponentInit {
  config: IpfsHttpSection
}

function isNotPinned (err: unknown): boolean {
  return /not pinned/i.test((err as Error).message ?? '')
}

function pinTypeOf (type: string): IpfsPinType {
  if (type === 'recursive' || type === 'direct') return type
  // Kubo: "indirect through <cid>"
  if (type.startsWith('indirect')) return 'indirect'
  return 'unpinned'
}

export class KuboConnector implements IpfsConnector {
  readonly name = 'ipfsconnector'
  private readonly rpc: KuboConnectorInit['rpc']
  private readonly config: IpfsHttpSection
  private readonly api: URL
  private readonly connectLater = new DelayedTask()
  private client?: KuboRPCClient

  constructor (init: KuboConnectorInit) {
    this.rpc = init.rpc
    this.config = init.config
    this.api = kuboApiUrl(init.config.node_multiaddress)
  }

  async start (): Promise<void> {
    if (this.client != null) return
    // no request here: the daemon may come up after the peer; ID reports it meanwhile
    this.client = create({ url: this.api })
    this.connectLater.schedule(this.config.connect_swarms_delay, async (signal) => { await this.connectSwarms(signal) },
      (err) => { log.error('connecting the IPFS node to the other peers\' failed: %s', err.message) })
    log('using the IPFS API at %s', this.api.origin)
  }

  async stop (): Promise<void> {
    await this.connectLater.cancel()
    this.client = undefined
  }

  service (): ClusterApi['IPFSConnector'] {
    return {
      ID: async (_arg, { signal }) => this.id(signal),
      Pin: async (request, { signal }) => { await this.pin(request, signal) },
      Unpin: async (cid, { signal }) => { await this.unpin(cid, signal) },
      PinLsCid: async (cid, { signal }) => this.request('pin/ls', signal, async (s) => this.pinLsCid(parseCid(cid), s)),
      PinLs: (arg, { signal }) => this.pinLs(arg.type, signal),
      RepoStat: async (_arg, { signal }) => this.request('repo/stat', signal, async (s) => this.repoStat(s)),
      RepoGC: (_arg, { signal }) => this.repoGC(signal),
      ConnectSwarms: async (_arg, { signal }) => { await this.connectSwarms(signal) },
      SwarmPeers: async (_arg, { signal }) => this.request('swarm/peers', signal, async (s) => this.swarmPeers(s)),
      BlockPut: async (request, { signal }) => this.request('block/put', signal, async (s) => this.blockPut(request, s)),
      BlockGet: async (cid, { signal }) => this.request('block/get', signal, async (s) => this.kubo().block.get(parseCid(cid), { signal: s })),
      Resolve: async (path, { signal }) => this.request('resolve', signal, async (s) => this.resolve(path, s)),
      NodeInfo: async (_arg, { signal }) => this.request('id', signal, async (s) => kuboNodeInfo(this.kubo(), s)),
      SwarmConnections: async (_arg, { signal }) => this.request('swarm/peers', signal, async (s) => kuboSwarmConnections(this.kubo(), s))
    }
  }

  private kubo (): KuboRPCClient {
    if (this.client == null) throw new IpfsUnavailableError('the kubo IPFS connector is not started')
    return this.client
  }

  /** One request bounded by ipfs_request_timeout, its errors typed. */
  private async request<T> (what: string, signal: AbortSignal, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await withDeadline(signal, this.config.ipfs_request_timeout, fn)
    } catch (err) {
      throw toIpfsError(err, this.api, what)
    }
  }

  private async id (signal: AbortSignal): Promise<IPFSIDJson> {
    try {
      const answer = await this.request('id', signal, async (s) => this.kubo().id({ signal: s }))
      return { id: answer.id.toString(), addresses: answer.addresses.map((a) => a.toString()), error: '' }
    } catch (err) {
      signal.throwIfAborted()
      return { id: '', addresses: [], error: (err as Error).message }
    }
  }

  private async pinLsCid (cid: CID, signal: AbortSignal): Promise<IpfsPinType> {
    try {
      for await (const pin of this.kubo().pin.ls({ paths: cid, type: 'all', signal })) return pinTypeOf(pin.type)
      return 'unpinned'
    } catch (err) {
      if (isNotPinned(err)) return 'unpinned'
      throw err
    }
  }

  private async pin (request: IpfsPinRequest, signal: AbortSignal): Promise<void> {
    const cid = parseCid(request.cid)
    const now = await this.request('pin/ls', signal, async (s) => this.pinLsCid(cid, s))
    // a recursive pin holds the root block too: a direct pin asks nothing more of IPFS
    if (now === 'recursive' || (request.mode === 'direct' && now === 'direct')) return
    log('pinning %s (%s)', cid, request.mode)
    try {
      await kuboPin({ client: this.kubo(), api: this.api, cid, mode: request.mode, pinTimeout: this.config.pin_timeout, signal, log })
    } catch (err) {
      throw toIpfsError(err, this.api, `pinning ${cid.toString()}`)
    }
    log('pinned %s', cid)
  }

  private async unpin (text: string, signal: AbortSignal): Promise<void> {
    const cid = parseCid(text)
    const timeout = this.config.unpin_timeout
    try {
      await withDeadline(signal, timeout, async (s) => {
        const now = await this.pinLsCid(cid, s)
        if (now !== 'recursive' && now !== 'direct') return
        try {
          await this.kubo().pin.rm(cid, { recursive: true, signal: s })
        } catch (err) {
          if (!isNotPinned(err)) throw err
        }
        log('unpinned %s', cid)
      })
    } catch (err) {
      if (!signal.aborted && (err as Error).name === 'TimeoutError') throw new UnpinTimeoutError(cid.toString(), timeout)
      throw toIpfsError(err, this.api, `unpinning ${cid.toString()}`)
    }
  }

  private async * pinLs (type: 'recursive' | 'direct' | 'all', signal: AbortSignal): AsyncGenerator<IpfsPinLsItem> {
    // never type=all: Kubo would list every indirectly pinned block too
    const types: Array<'recursive' | 'direct'> = type === 'all' ? ['recursive', 'direct'] : [type]
    try {
      for (const t of types) {
        for await (const pin of this.kubo().pin.ls({ type: t, signal })) {
          const kind = pinTypeOf(pin.type)
          if (kind === 'recursive' || kind === 'direct') yield { cid: pin.cid.toString(), type: kind }
        }
      }
    } catch (err) {
      throw toIpfsError(err, this.api, 'pin/ls')
    }
  }

  private async repoStat (signal: AbortSignal): Promise<IPFSRepoStatJson> {
    this.kubo()
    const response = await kuboPost(this.api, 'repo/stat', [['size-only', 'true']], signal)
    const body = await response.json() as { RepoSize?: unknown, StorageMax?: unknown }
    return { repo_size: Number(body.RepoSize ?? 0), storage_max: Number(body.StorageMax ?? 0) }
  }

  private async * repoGC (signal: AbortSignal): AsyncGenerator<{ key: string, error: string }> {
    const client = this.kubo()
    const controller = new AbortController()
    const timer = setTimeout(() => { controller.abort(new DOMException(`repo/gc took more than ${this.config.repogc_timeout} ms`, 'TimeoutError')) }, this.config.repogc_timeout)
    const onAbort = (): void => { controller.abort(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      for await (const item of client.repo.gc({ signal: controller.signal })) {
        yield { key: item.cid?.toString() ?? '', error: item.err?.message ?? '' }
      }
    } catch (err) {
      throw toIpfsError(err, this.api, 'repo/gc')
    } finally {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
    }
  }

  private async connectSwarms (signal: AbortSignal): Promise<void> {
    const self = await this.request('id', signal, async (s) => this.kubo().id({ signal: s }))
    const targets = await swarmTargets(this.rpc, {
      signal,
      selfIpfsId: self.id.toString(),
      // Kubo dials whatever transport the other node offers; it refuses what it cannot
      dialable: () => true,
      log
    })
    const result = await connectTargets(targets, async (address, s) => {
      await this.request('swarm/connect', s, async (s2) => this.kubo().swarm.connect(address, { signal: s2 }))
    }, { signal, log })
    log('ConnectSwarms: connected to %d IPFS nodes, %d failed', result.connected.length, result.failed.length)
  }

  private async swarmPeers (signal: AbortSignal): Promise<string[]> {
    const peers = await this.kubo().swarm.peers({ signal })
    return [...new Set(peers.map((p) => p.peer.toString()))]
  }

  private async blockPut (request: BlockPutRequest, signal: AbortSignal): Promise<string> {
    const mhtype = request.mhtype ?? DEFAULT_MHTYPE
    const code = codecCode(request.codec)
    const expected = hasherFor(mhtype) != null ? await blockCid(request.data, request.codec, mhtype) : undefined
    // `format` is the option both Kubo (legacy name of cid-codec) and js-ipfs take
    const stored = await this.kubo().block.put(request.data, { format: request.codec, mhtype, signal })
    if (expected != null && !equalBytes(stored.multihash.bytes, expected.multihash.bytes)) {
      throw new IpfsRequestError(`block/put: the IPFS node stored the block as ${stored.toString()}, expected ${expected.toString()}`)
    }
    // the same CID whatever version the node chose: v1, the requested codec
    return (expected ?? CID.createV1(code, stored.multihash)).toString()
  }

  private async resolve (text: string, signal: AbortSignal): Promise<string> {
    const path = parseIpfsPath(text)
    if (path.namespace !== 'ipns' && path.rest.length === 0) return path.root.toString()
    const resolved = await this.kubo().resolve(formatIpfsPath(path), { signal })
    // "/ipfs/<cid>" (js-ipfs answers CIDv1 in base58btc): canonical text
    return parseCid(resolved.replace(/^\/ipfs\//, '').split('/')[0] ?? '').toString()
  }
}

function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}
