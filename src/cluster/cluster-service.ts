/**
 * The `Cluster` RPC service: this peer's identity and the cluster's peers.
 * It reads the libp2p host (which the Cluster component owns) and reaches
 * other peers only through the RPC client.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { PinValidationError, parsePin } from '../api/pin.ts'
import { RPC_PROTOCOL } from '../rpc/protocol.ts'
import { COMMIT, VERSION } from '../version.ts'
import type { IDJson, PinJson } from '../api/types.ts'
import type { ClusterApi, ClusterRpcClient, PinRequest } from '../rpc-api.ts'
import type { Libp2p, PeerId } from '@libp2p/interface'

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
}

export class ClusterService implements Readonly<ClusterApi['Cluster']> {
  private readonly host: ClusterServiceInit['host']
  private readonly rpc: ClusterRpcClient
  private readonly peername: string
  private readonly peerTimeout: number
  private readonly replication: { min: number, max: number }
  private readonly onShutdown: (reason: string) => void

  constructor (init: ClusterServiceInit) {
    this.host = init.host
    this.rpc = init.rpc
    this.peername = init.peername
    this.peerTimeout = init.peerTimeout
    this.replication = init.replication
    this.onShutdown = init.onShutdown
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
      // filled by the IPFS connector once the cluster has one
      ipfs: { id: '', addresses: [], error: '' },
      peername: this.peername
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
    const info = await this.rpc.call(peer, 'Cluster', 'ID', undefined, { signal: AbortSignal.any([signal, AbortSignal.timeout(this.peerTimeout)]) })
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

  Pin = async ({ cid, options }: PinRequest, { signal }: { signal: AbortSignal }): Promise<PinJson> => {
    const pin = parsePin({ ...options, cid, type: 'pin', allocations: [], reference: null, timestamp: new Date().toISOString() })
    if (pin.replication_factor_min === 0) pin.replication_factor_min = this.replication.min
    if (pin.replication_factor_max === 0) pin.replication_factor_max = this.replication.max
    checkReplication(pin)
    // allocations stay empty ("every peer") until the allocator decides them
    await this.rpc.call(undefined, 'Consensus', 'LogPin', pin, { signal })
    return pin
  }

  Unpin = async (cid: string, { signal }: { signal: AbortSignal }): Promise<PinJson> => {
    const pin = await this.rpc.call(undefined, 'Consensus', 'PinGet', parsePin({ cid }).cid, { signal })
    await this.rpc.call(undefined, 'Consensus', 'LogUnpin', pin, { signal })
    return pin
  }

  PinGet = async (cid: string, { signal }: { signal: AbortSignal }): Promise<PinJson> =>
    this.rpc.call(undefined, 'Consensus', 'PinGet', parsePin({ cid }).cid, { signal })

  Pins = (_arg: void, { signal }: { signal: AbortSignal }): AsyncIterable<PinJson> =>
    this.rpc.stream(undefined, 'Consensus', 'Pins', undefined, { signal })

  Peers = async function * (this: ClusterService, _arg: void, { signal }: { signal: AbortSignal }): AsyncGenerator<IDJson> {
    const peers = await this.clusterPeers(signal)
    const timeout = AbortSignal.any([signal, AbortSignal.timeout(this.peerTimeout)])
    const results = await this.rpc.multiCall(peers, 'Cluster', 'ID', undefined, { signal: timeout })
    for (const r of results) {
      yield r.error == null ? r.value : unreachablePeer(r.peer, r.error)
    }
  }
}

function checkReplication (pin: PinJson): void {
  const min = pin.replication_factor_min
  const max = pin.replication_factor_max
  if (min < -1 || max < -1) throw new PinValidationError('replication_factor_min', 'must be -1 (every peer) or more')
  if ((min === -1) !== (max === -1)) throw new PinValidationError('replication_factor_min', `is ${min} and replication_factor_max is ${max}: both must be -1 when one is`)
  if (min > max) throw new PinValidationError('replication_factor_min', `${min} is more than replication_factor_max ${max}`)
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
