/**
 * The `Cluster` RPC service: this peer's identity and the cluster's peers.
 * It reads the libp2p host (which the Cluster component owns) and reaches
 * other peers only through the RPC client.
 */
import { RPC_PROTOCOL } from '../rpc/protocol.ts'
import { COMMIT, VERSION } from '../version.ts'
import type { IDJson } from '../api/types.ts'
import type { ClusterApi, ClusterRpcClient } from '../rpc-api.ts'
import type { Libp2p, PeerId } from '@libp2p/interface'

export interface ClusterServiceInit {
  host: Pick<Libp2p, 'peerId' | 'getMultiaddrs' | 'getPeers' | 'getConnections'>
  rpc: ClusterRpcClient
  peername: string
  /** How long one peer may take to answer ID when listing peers. */
  peerTimeout: number
}

export class ClusterService implements Readonly<ClusterApi['Cluster']> {
  private readonly host: ClusterServiceInit['host']
  private readonly rpc: ClusterRpcClient
  private readonly peername: string
  private readonly peerTimeout: number

  constructor (init: ClusterServiceInit) {
    this.host = init.host
    this.rpc = init.rpc
    this.peername = init.peername
    this.peerTimeout = init.peerTimeout
  }

  /** The peers of this cluster, this one first. Until consensus keeps a peerset, the connected peers. */
  clusterPeers (): PeerId[] {
    return [this.host.peerId, ...this.host.getPeers()]
  }

  ID = async (): Promise<IDJson> => {
    const peers = this.clusterPeers()
    return {
      id: this.host.peerId.toString(),
      addresses: this.host.getMultiaddrs().map((ma) => ma.toString()),
      cluster_peers: peers.map((p) => p.toString()),
      cluster_peers_addresses: this.host.getConnections()
        .map((c) => c.remoteAddr.encapsulate(`/p2p/${c.remotePeer.toString()}`).toString()),
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

  Peers = async function * (this: ClusterService, _arg: void, { signal }: { signal: AbortSignal }): AsyncGenerator<IDJson> {
    const peers = this.clusterPeers()
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
