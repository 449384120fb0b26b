/**
 * The `Cluster` RPC service: this peer's identity and the cluster's peers.
 * It reads the libp2p host (which the Cluster component owns) and reaches
 * other peers only through the RPC client.
 */
import { logger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { parsePin } from '../api/pin.ts'
import { RPC_PROTOCOL } from '../rpc/protocol.ts'
import { COMMIT, VERSION } from '../version.ts'
import { PinWrites } from './pin-writes.ts'
import { connectGraph } from './connect-graph.ts'
import { StatusReads } from './status-reads.ts'
import type { BandwidthByProtocolJson, ConnectGraphJson } from '../api/types.ts'
import type { AlertJson, GlobalPinInfoJson, GlobalRepoGCJson, IDJson, IPFSIDJson, PinInfoJson, PinJson, PinOptionsJson, RepoGCJson } from '../api/types.ts'
import type { ClusterApi, ClusterRpcClient, PinPathRequest, PinRequest, StatusAllRequest } from '../rpc-api.ts'
import type { Libp2p, PeerId } from '@libp2p/interface'

const log = logger('pincluster:cluster')

type Ctx = { signal: AbortSignal }

export interface ClusterServiceInit {
  host: Pick<Libp2p, 'peerId' | 'getMultiaddrs' | 'peerStore'>
  rpc: ClusterRpcClient
  peername: string
  /** How long one peer may take to answer ID when listing peers. */
  peerTimeout: number
  /** Replication factors for pins that ask for the default (0). */
  replication: { min: number, max: number }
  /** Called when the peer is asked to shut down. */
  onShutdown: (reason: string) => void
  /** cluster.disable_repinning: when false, the leader moves a lost peer's pins elsewhere. */
  disableRepinning: boolean
  /** The host's byte counts by protocol; none: an empty answer. */
  bandwidth?: { byProtocol: () => BandwidthByProtocolJson }
}

/** PeerAdd: the peer to add did not answer, so it was not added. */
export class PeerUnreachableError extends Error {
  static readonly NAME = 'PeerUnreachableError'
  constructor (peer: string, reason: string) {
    super(`cannot add ${peer}: it does not answer (${reason})`)
    this.name = PeerUnreachableError.NAME
  }
}

export class ClusterService implements Readonly<ClusterApi['Cluster']> {
  private readonly host: ClusterServiceInit['host']
  private readonly rpc: ClusterRpcClient
  private readonly peername: string
  private readonly peerTimeout: number
  private readonly replication: { min: number, max: number }
  private readonly onShutdown: (reason: string) => void
  private readonly disableRepinning: boolean
  private readonly bandwidth: ClusterServiceInit['bandwidth']
  private readonly writes: PinWrites
  private readonly reads: StatusReads

  constructor (init: ClusterServiceInit) {
    this.host = init.host
    this.rpc = init.rpc
    this.peername = init.peername
    this.peerTimeout = init.peerTimeout
    this.replication = init.replication
    this.onShutdown = init.onShutdown
    this.disableRepinning = init.disableRepinning
    this.bandwidth = init.bandwidth
    this.writes = new PinWrites({ rpc: init.rpc, replication: init.replication })
    this.reads = new StatusReads({ rpc: init.rpc, peers: async (signal) => this.clusterPeers(signal) })
  }

  /** The peers of this cluster (the consensus peerset), this one first when it is a member. */
  async clusterPeers (signal?: AbortSignal): Promise<PeerId[]> {
    const voters = await this.rpc.call(undefined, 'Consensus', 'Peers', undefined, { signal })
    const self = this.host.peerId.toString()
    return [...voters.filter((v) => v === self), ...voters.filter((v) => v !== self)].map((v) => peerIdFromString(v))
  }

  ID = async (_arg: void, ctx?: { signal?: AbortSignal }): Promise<IDJson> => {
    const peers = await this.clusterPeers(ctx?.signal)
    return {
      id: this.host.peerId.toString(),
      addresses: this.host.getMultiaddrs().map((ma) => ma.toString()),
      cluster_peers: peers.map((p) => p.toString()),
      cluster_peers_addresses: await this.knownAddresses(peers),
      version: VERSION,
      commit: COMMIT,
      rpc_protocol_version: RPC_PROTOCOL,
      error: '',
      ipfs: await this.ipfsId(ctx?.signal),
      peername: this.peername
    }
  }

  private async ipfsId (signal?: AbortSignal): Promise<IPFSIDJson> {
    try {
      const timeout = AbortSignal.timeout(this.peerTimeout)
      return await this.rpc.call(undefined, 'IPFSConnector', 'ID', undefined, { signal: signal == null ? timeout : AbortSignal.any([signal, timeout]) })
    } catch (err) {
      return { id: '', addresses: [], error: (err as Error).message }
    }
  }

  Version = async (): Promise<{ version: string }> => ({ version: VERSION })

  /** The addresses the peers announced (identify), not the ports their connections came from. */
  private async knownAddresses (peers: PeerId[]): Promise<string[]> {
    const out: string[] = []
    for (const peer of peers) {
      if (peer.equals(this.host.peerId)) continue
      try {
        for (const a of (await this.host.peerStore.get(peer)).addresses) out.push(a.multiaddr.encapsulate(`/p2p/${peer.toString()}`).toString())
      } catch {
        // never seen
      }
    }
    return out
  }

  PeerAdd = async (id: string, { signal }: { signal: AbortSignal }): Promise<IDJson> => {
    const peer = peerIdFromString(id)
    // the new peer must answer before it becomes a voter: an unreachable voter would weaken the quorum
    let info: IDJson
    try {
      info = await this.rpc.call(peer, 'Cluster', 'ID', undefined, { signal: AbortSignal.any([signal, AbortSignal.timeout(this.peerTimeout)]) })
    } catch (err) {
      signal.throwIfAborted()
      throw new PeerUnreachableError(id, (err as Error).message)
    }
    await this.rpc.call(undefined, 'Consensus', 'AddPeer', id, { signal })
    return info
  }

  PeerRemove = async (id: string, { signal }: { signal: AbortSignal }): Promise<void> => {
    const peer = peerIdFromString(id)
    await this.rpc.call(undefined, 'Consensus', 'RmPeer', id, { signal })
    if (peer.equals(this.host.peerId)) return
    // best effort: a peer that cannot be told finds out when no member answers it any more
    await this.rpc.call(peer, 'Cluster', 'Removed', undefined, { signal: AbortSignal.any([signal, AbortSignal.timeout(this.peerTimeout)]) }).catch(() => {})
  }

  Removed = async (_arg: void, ctx: { peer?: PeerId }): Promise<void> => {
    this.onShutdown(`removed from the cluster (told by ${ctx.peer?.toString() ?? 'this peer'})`)
  }

  Shutdown = async (reason: string): Promise<void> => {
    this.onShutdown(reason)
  }

  Pin = async (request: PinRequest, { signal }: Ctx): Promise<PinJson> => this.writes.pin(request, signal)
  BlockAllocate = async (options: Partial<PinOptionsJson>, { signal }: Ctx): Promise<string[]> => this.writes.blockAllocate(options, signal)
  Unpin = async (cid: string, { signal }: Ctx): Promise<PinJson> => this.writes.unpin(cid, signal)
  PinPath = async (request: PinPathRequest, { signal }: Ctx): Promise<PinJson> => this.writes.pinPath(request, signal)
  UnpinPath = async (path: string, { signal }: Ctx): Promise<PinJson> => this.writes.unpinPath(path, signal)

  PinGet = async (cid: string, { signal }: Ctx): Promise<PinJson> =>
    this.rpc.call(undefined, 'Consensus', 'PinGet', parsePin({ cid }).cid, { signal })

  Pins = (_arg: void, { signal }: Ctx): AsyncIterable<PinJson> =>
    this.rpc.stream(undefined, 'Consensus', 'Pins', undefined, { signal })

  Status = async (cid: string, { signal }: Ctx): Promise<GlobalPinInfoJson> => this.reads.status(cid, signal)
  StatusAll = (request: StatusAllRequest, { signal }: Ctx): AsyncIterable<GlobalPinInfoJson> => this.reads.statusAll(request, signal)
  StatusLocal = async (cid: string, { signal }: Ctx): Promise<PinInfoJson> => this.reads.statusLocal(cid, signal)
  StatusAllLocal = (request: StatusAllRequest, { signal }: Ctx): AsyncIterable<PinInfoJson> => this.reads.statusAllLocal(request, signal)
  Recover = async (cid: string, { signal }: Ctx): Promise<GlobalPinInfoJson> => this.reads.recover(cid, signal)
  RecoverAll = (_arg: void, { signal }: Ctx): AsyncIterable<GlobalPinInfoJson> => this.reads.recoverAll(signal)
  RecoverLocal = async (cid: string, { signal }: Ctx): Promise<PinInfoJson> => this.reads.recoverLocal(cid, signal)
  RecoverAllLocal = (_arg: void, { signal }: Ctx): AsyncIterable<PinInfoJson> => this.reads.recoverAllLocal(signal)

  RepoGC = async (_arg: void, { signal }: Ctx): Promise<GlobalRepoGCJson> => {
    const answers = await this.rpc.multiCall(await this.clusterPeers(signal), 'Cluster', 'RepoGCLocal', undefined, { signal })
    const peerMap: Record<string, RepoGCJson> = {}
    for (const a of answers) {
      const peer = a.peer.toString()
      peerMap[peer] = a.error == null ? a.value : { peer, peername: peer, keys: [], error: a.error.message }
    }
    return { peer_map: peerMap }
  }

  RepoGCLocal = async (_arg: void, { signal }: Ctx): Promise<RepoGCJson> => {
    const result: RepoGCJson = { peer: this.host.peerId.toString(), peername: this.peername, keys: [], error: '' }
    try {
      for await (const key of this.rpc.stream(undefined, 'IPFSConnector', 'RepoGC', undefined, { signal })) result.keys.push(key)
    } catch (err) {
      if (signal.aborted) throw err
      result.error = (err as Error).message
    }
    return result
  }

  ConnectGraph = async (_arg: void, { signal }: Ctx): Promise<ConnectGraphJson> =>
    connectGraph({ rpc: this.rpc, self: this.host.peerId, members: await this.clusterPeers(signal), signal })

  BandwidthByProtocol = async (): Promise<BandwidthByProtocolJson> => this.bandwidth?.byProtocol() ?? {}

  Alerts = async (_arg: void, { signal }: Ctx): Promise<AlertJson[]> =>
    this.rpc.call(undefined, 'PeerMonitor', 'Alerts', undefined, { signal })

  /** A peer stopped answering (its liveness metric expired): the leader alone moves its pins, when re-pinning is on. */
  HandleAlert = async (alert: AlertJson, { signal }: Ctx): Promise<void> => {
    if (this.disableRepinning || alert.name !== 'ping') return
    const leader = await this.rpc.call(undefined, 'Consensus', 'Leader', undefined, { signal })
    if (leader !== this.host.peerId.toString()) return
    log('peer %s is down: re-allocating its pins', alert.peer)
    const moved = await this.writes.repinFrom(alert.peer, signal)
    log('re-allocated %d pins away from %s', moved, alert.peer)
  }

  Peers = async function * (this: ClusterService, _arg: void, { signal }: { signal: AbortSignal }): AsyncGenerator<IDJson> {
    const peers = await this.clusterPeers(signal)
    const timeout = AbortSignal.any([signal, AbortSignal.timeout(this.peerTimeout)])
    const results = await this.rpc.multiCall(peers, 'Cluster', 'ID', undefined, { signal: timeout })
    for (const r of results) {
      yield r.error == null ? r.value : unreachablePeer(r.peer, r.error)
    }
  }
}

function unreachablePeer (peer: PeerId, error: Error): IDJson {
  return {
    id: peer.toString(),
    addresses: [],
    cluster_peers: [],
    cluster_peers_addresses: [],
    version: '',
    commit: '',
    rpc_protocol_version: '',
    error: error.message,
    ipfs: { id: '', addresses: [], error: '' },
    peername: ''
  }
}
