/**
 * The product's RPC API: every service and method any component offers, and
 * who may call each remotely. Adding a method to a service type without an
 * entry in `clusterMethods` fails to compile.
 *
 * Starting point: IPFS Cluster's rpc_policy.go. Everything not listed there as
 * open or trusted is closed.
 */
import type { IDJson, PinJson, PinOptionsJson, VersionJson } from './api/types.ts'
import type { Message } from './consensus/raft/types.ts'
import type { SnapshotItem } from './state/pin-state.ts'
import type { TrackedPin } from './pintracker/pin-tracker.ts'
import type { RpcClient } from './rpc/client.ts'
import type { RpcServer } from './rpc/server.ts'
import type { MethodTable, StreamMethod, UnaryMethod } from './rpc/types.ts'

/** A pin request: the CID (any base, v0 or v1) and the options users give. */
export interface PinRequest {
  cid: string
  options: Partial<PinOptionsJson>
}

export type ClusterApi = {
  Cluster: {
    /** This peer's identity. */
    ID: UnaryMethod<void, IDJson>
    /** This peer's software version. */
    Version: UnaryMethod<void, VersionJson>
    /** The ID of every cluster peer, this one included; a peer that does not answer carries its `error`. */
    Peers: StreamMethod<void, IDJson>
    /** Asks this member to add a peer to the cluster (after checking it can reach it); answers the new peer's ID. */
    PeerAdd: UnaryMethod<string, IDJson>
    /** Removes a peer from the cluster. */
    PeerRemove: UnaryMethod<string, void>
    /** Asks the peer to shut down (it was removed from the cluster). */
    Shutdown: UnaryMethod<string, void>
    /** Tells a peer it was removed from the cluster (the leader stops replicating to it, so it may never see the entry). */
    Removed: UnaryMethod<void, void>
    /** Pins a CID with options (0 replication factors: the configured defaults); answers the Pin as committed. */
    Pin: UnaryMethod<PinRequest, PinJson>
    /** Unpins a CID; answers the Pin as it was stored. PinNotFoundError when not pinned. */
    Unpin: UnaryMethod<string, PinJson>
    /** One Pin of the pinset. PinNotFoundError when not pinned. */
    PinGet: UnaryMethod<string, PinJson>
    /** The pinset, streamed in CID order. */
    Pins: StreamMethod<void, PinJson>
  }
  Consensus: {
    /** Raft messages from another member, delivered in order. */
    RaftMessages: UnaryMethod<Message[], void>
    /** The whole pinset from one consistent view, for a member installing a snapshot. */
    SnapshotStream: StreamMethod<void, SnapshotItem>
    /** Commits a pin (forwarded to the leader by followers); resolves once committed. */
    LogPin: UnaryMethod<PinJson, void>
    LogUnpin: UnaryMethod<PinJson, void>
    /** Membership changes, through the leader. */
    AddPeer: UnaryMethod<string, void>
    RmPeer: UnaryMethod<string, void>
    /** The voters, as this peer knows them. */
    Peers: UnaryMethod<void, string[]>
    /** The leader's peer id, waiting for one up to wait_for_leader_timeout. */
    Leader: UnaryMethod<void, string>
    /** Resolves once everything committed so far is applied here. */
    WaitForSync: UnaryMethod<void, void>
    PinGet: UnaryMethod<string, PinJson>
    Pins: StreamMethod<void, PinJson>
    IsTrustedPeer: UnaryMethod<string, boolean>
    /** Removes this peer from the peerset, handing over leadership first. */
    Leave: UnaryMethod<void, void>
    /** This peer's commit index (asked of the leader by a peer catching up). */
    CommitIndex: UnaryMethod<void, number>
  }
  PinTracker: {
    /** A pin entered the pinset (or changed): track this peer's part in it. */
    Track: UnaryMethod<PinJson, void>
    /** A pin left the pinset. */
    Untrack: UnaryMethod<string, void>
    /** This peer's status for one CID; null when not tracked. */
    Status: UnaryMethod<string, TrackedPin | null>
    StatusAll: StreamMethod<void, TrackedPin>
  }
}

export const clusterMethods: MethodTable<ClusterApi> = {
  Cluster: {
    ID: { policy: 'open', kind: 'unary' },
    Version: { policy: 'open', kind: 'unary' },
    Peers: { policy: 'trusted', kind: 'stream' },
    // any peer with the secret may ask to join; the member checks it can reach it first
    PeerAdd: { policy: 'open', kind: 'unary' },
    PeerRemove: { policy: 'trusted', kind: 'unary' },
    Shutdown: { policy: 'closed', kind: 'unary' },
    // only a member the removed peer still trusts can tell it so
    Removed: { policy: 'trusted', kind: 'unary' },
    Pin: { policy: 'closed', kind: 'unary' },
    Unpin: { policy: 'closed', kind: 'unary' },
    PinGet: { policy: 'closed', kind: 'unary' },
    Pins: { policy: 'closed', kind: 'stream' }
  },
  Consensus: {
    // Raft protects itself (terms, leases); a joining peer must hear from members before it knows them
    RaftMessages: { policy: 'open', kind: 'unary' },
    SnapshotStream: { policy: 'trusted', kind: 'stream' },
    LogPin: { policy: 'trusted', kind: 'unary' },
    LogUnpin: { policy: 'trusted', kind: 'unary' },
    AddPeer: { policy: 'trusted', kind: 'unary' },
    RmPeer: { policy: 'trusted', kind: 'unary' },
    Peers: { policy: 'closed', kind: 'unary' },
    Leader: { policy: 'closed', kind: 'unary' },
    WaitForSync: { policy: 'closed', kind: 'unary' },
    PinGet: { policy: 'closed', kind: 'unary' },
    Pins: { policy: 'closed', kind: 'stream' },
    IsTrustedPeer: { policy: 'closed', kind: 'unary' },
    Leave: { policy: 'closed', kind: 'unary' },
    CommitIndex: { policy: 'trusted', kind: 'unary' }
  },
  PinTracker: {
    Track: { policy: 'closed', kind: 'unary' },
    Untrack: { policy: 'closed', kind: 'unary' },
    Status: { policy: 'trusted', kind: 'unary' },
    StatusAll: { policy: 'trusted', kind: 'stream' }
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
