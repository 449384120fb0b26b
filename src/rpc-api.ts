/**
 * The product's RPC API: every service and method any component offers, and
 * who may call each remotely. Adding a method to a service type without an
 * entry in `clusterMethods` fails to compile.
 *
 * Starting point: IPFS Cluster's rpc_policy.go. Everything not listed there as
 * open or trusted is closed.
 */
import type { IDJson, VersionJson } from './api/types.ts'
import type { RpcClient } from './rpc/client.ts'
import type { RpcServer } from './rpc/server.ts'
import type { MethodTable, StreamMethod, UnaryMethod } from './rpc/types.ts'

export type ClusterApi = {
  Cluster: {
    /** This peer's identity. */
    ID: UnaryMethod<void, IDJson>
    /** This peer's software version. */
    Version: UnaryMethod<void, VersionJson>
    /** The ID of every cluster peer, this one included; a peer that does not answer carries its `error`. */
    Peers: StreamMethod<void, IDJson>
  }
}

export const clusterMethods: MethodTable<ClusterApi> = {
  Cluster: {
    ID: { policy: 'open', kind: 'unary' },
    Version: { policy: 'open', kind: 'unary' },
    Peers: { policy: 'trusted', kind: 'stream' }
  }
}

export type ClusterRpcClient = RpcClient<ClusterApi>
export type ClusterRpcServer = RpcServer<ClusterApi>

/** What every component is handed: its RPC client and nothing else of the peer. */
export interface ComponentInit {
  rpc: ClusterRpcClient
}

/** Started and stopped explicitly; constructors do no I/O and start no timers. */
export interface Component {
  readonly name: string
  start(options?: { signal?: AbortSignal }): Promise<void>
  stop(options?: { signal?: AbortSignal }): Promise<void>
}
