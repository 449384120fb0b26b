/**
 * The product's RPC API: every service and method any component offers, and
 * who may call each remotely. Adding a method to a service type without an
 * entry in `clusterMethods` fails to compile.
 *
 * Starting point: IPFS Cluster's rpc_policy.go. Everything not listed there as
 * open or trusted is closed.
 */
import type { BandwidthByProtocolJson, ConnectGraphJson } from './api/types.ts'
import type {
  AlertJson, GlobalPinInfoJson, GlobalRepoGCJson, IDJson, IPFSIDJson, IPFSRepoStatJson, IpfsPinType, MetricJson,
  PinInfoJson, PinInfoShortJson, PinJson, PinMode, PinOptionsJson, RepoGCJson, TrackerStatus, TrackerStatusFilter, VersionJson
} from './api/types.ts'
import type { Message } from './consensus/raft/types.ts'
import type { SnapshotItem } from './state/pin-state.ts'
import type { RpcClient } from './rpc/client.ts'
import type { RpcServer } from './rpc/server.ts'
import type { MethodTable, StreamMethod, UnaryMethod } from './rpc/types.ts'

/** A pin request: the CID (any base, v0 or v1) and the options users give. */
export interface PinRequest {
  cid: string
  options: Partial<PinOptionsJson>
  /**
   * Peers chosen beforehand (the adder's, from Cluster.BlockAllocate: where it
   * sent the blocks), kept instead of allocating again; ignored with -1 replication.
   */
  allocations?: string[]
}

/** A pin by IPFS path (`/ipfs/...`, `/ipns/...`, `/ipld/...`), resolved by the IPFS node. */
export interface PinPathRequest {
  path: string
  options: Partial<PinOptionsJson>
}

/** Which statuses to list (empty: all), and optionally which CIDs only. */
export interface StatusAllRequest {
  filter: TrackerStatusFilter[]
  /** Only these CIDs (as given by the user); absent: every pin. */
  cids?: string[]
  /** Only the pins in this key range (a merging peer re-listing a range it could not verify); absent: every pin. */
  range?: PinKeyRange
}

/** Pins by key (CID) order: after `after` (from the first when absent), up to and including `through` (to the last when absent). */
export interface PinKeyRange {
  after?: string
  through?: string
}

/**
 * One peer's statuses for a run of consecutive pins of its pinset (in key
 * order), for the peer merging a full listing: one byte per pin instead of one
 * item. The merging peer checks that it holds the same pins in the range
 * (count and digest), and re-lists the range with StatusAllCompact when not.
 * See src/api/status-range.ts.
 */
export interface StatusRange {
  /** The range's last key; absent in a stream's last range, which runs to the end. */
  through?: string
  count: number
  /** The sum of the pins' key hashes (cidHash), mod 2^32. */
  digest: number
  /** The time of the statuses given by `codes`. */
  timestamp: string
  /** One per pin: the index of its status in TRACKER_STATUSES, or DETAILED: the next of `details`. */
  codes: Uint8Array
  /** The statuses with more to say (an operation's time, attempts, error). */
  details: CompactPinStatus[]
  /** The answering peer's names: in the stream's first range only. */
  by?: CompactPinStatus['by']
}

/**
 * One peer's status for one pin without what its every answer repeats (the
 * pin's own fields, which the merging peer has in its state, and the peer's
 * names, sent once): a global status listing moves a quarter of the bytes.
 */
export interface CompactPinStatus {
  cid: string
  status: TrackerStatus
  timestamp: string
  /** Omitted when empty. */
  error?: string
  /** Omitted when 0. */
  attempt_count?: number
  /** Omitted when false. */
  priority_pin?: boolean
  /** The answering peer's names: in the stream's first item only. */
  by?: Pick<PinInfoShortJson, 'peername' | 'ipfs_peer_id' | 'ipfs_peer_addresses'>
}

/** What the IPFS node must pin: recursive (the whole DAG) or direct (the root block). */
export interface IpfsPinRequest {
  cid: string
  mode: PinMode
}

/** One pin of the IPFS node. */
export interface IpfsPinLsItem {
  cid: string
  type: 'recursive' | 'direct'
}

export interface BlockPutRequest {
  data: Uint8Array
  /** Multicodec name of the block: 'raw', 'dag-pb', 'dag-cbor'... */
  codec: string
  /** Multihash name; 'sha2-256' when absent. */
  mhtype?: string
}

/** What the IPFS node says of itself (Kubo's `id` and `version` answers), for the IPFS proxy. */
export interface IpfsNodeInfo {
  id: string
  /** The node's public key, protobuf-encoded, in base64 (Kubo's PublicKey). */
  public_key: string
  addresses: string[]
  agent_version: string
  protocols: string[]
  version: string
  commit: string
  repo: string
  /** `<arch>/<os>`, as Kubo writes it (amd64/linux). */
  system: string
}

/** One connection of the IPFS node (an item of Kubo's `swarm/peers`). */
export interface IpfsSwarmConnection {
  peer: string
  addr: string
  direction: 'inbound' | 'outbound'
}

/** Peer ids mapped to their latest metrics (one per allocate_by name they have). */
export type PeerMetrics = Record<string, MetricJson[]>

/** What the allocator chooses from (IPFS Cluster's Allocate arguments). */
export interface AllocateRequest {
  cid: string
  /** Peers that hold the pin already and keep it. */
  current: PeerMetrics
  /** Peers that may receive it. */
  candidates: PeerMetrics
  /** Peers to take first (the user's allocations). */
  priority: PeerMetrics
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
    /** Pins what an IPFS path resolves to. */
    PinPath: UnaryMethod<PinPathRequest, PinJson>
    /** Unpins what an IPFS path resolves to. */
    UnpinPath: UnaryMethod<string, PinJson>
    /** Every peer's status for one CID. */
    Status: UnaryMethod<string, GlobalPinInfoJson>
    /** Every peer's status for every pin, merged per CID as the peers' streams arrive (never the whole pinset in memory). */
    StatusAll: StreamMethod<StatusAllRequest, GlobalPinInfoJson>
    StatusLocal: UnaryMethod<string, PinInfoJson>
    StatusAllLocal: StreamMethod<StatusAllRequest, PinInfoJson>
    /** Re-queues a failed or unexpectedly unpinned CID on every peer. */
    Recover: UnaryMethod<string, GlobalPinInfoJson>
    /** Re-queues every failed pin on every peer; streams only what was re-queued. */
    RecoverAll: StreamMethod<void, GlobalPinInfoJson>
    RecoverLocal: UnaryMethod<string, PinInfoJson>
    RecoverAllLocal: StreamMethod<void, PinInfoJson>
    /** Garbage-collects every peer's IPFS repo. */
    RepoGC: UnaryMethod<void, GlobalRepoGCJson>
    RepoGCLocal: UnaryMethod<void, RepoGCJson>
    /** The monitor's recent alerts. */
    Alerts: UnaryMethod<void, AlertJson[]>
    /** The monitor reports an expired metric (re-pinning happens here when enabled). */
    HandleAlert: UnaryMethod<AlertJson, void>
    /**
     * The peers a new pin with these options would be allocated to now (every
     * peer with a valid ping metric for -1 replication): where the adder sends
     * blocks before pinning.
     */
    BlockAllocate: UnaryMethod<Partial<PinOptionsJson>, string[]>
    /** Which cluster peers and IPFS nodes are connected to which, as this peer can find out. */
    ConnectGraph: UnaryMethod<void, ConnectGraphJson>
    /** Bytes in and out of this peer's cluster host, by libp2p protocol. */
    BandwidthByProtocol: UnaryMethod<void, BandwidthByProtocolJson>
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
    /** The pins in key order; all of them, or those of a key range. */
    Pins: StreamMethod<PinKeyRange | undefined, PinJson>
    IsTrustedPeer: UnaryMethod<string, boolean>
    /** Removes this peer from the peerset, handing over leadership first. */
    Leave: UnaryMethod<void, void>
    /** This peer's commit index (asked of the leader by a peer catching up). */
    CommitIndex: UnaryMethod<void, number>
  }
  PinTracker: {
    /** A pin entered the pinset (or changed): pin it here when allocated here, else make sure it is not. */
    Track: UnaryMethod<PinJson, void>
    /** A pin left the pinset: unpin it here. */
    Untrack: UnaryMethod<string, void>
    /** This peer's status for one CID (`unpinned` when not in the pinset). */
    Status: UnaryMethod<string, PinInfoJson>
    /** This peer's status for every pin, in the pinset's CID order. */
    StatusAll: StreamMethod<StatusAllRequest, PinInfoJson>
    /** StatusAll in the compact form a peer merging every peer's stream asks for. */
    StatusAllCompact: StreamMethod<StatusAllRequest, CompactPinStatus>
    /** Every pin's status as StatusRanges, for the peer merging a full listing. */
    StatusRanges: StreamMethod<void, StatusRange>
    /** Re-queues a failed or unexpectedly unpinned CID. */
    Recover: UnaryMethod<string, PinInfoJson>
    /** Re-queues every failed or unexpectedly unpinned pin; streams what was re-queued. */
    RecoverAll: StreamMethod<void, PinInfoJson>
    /** Operations queued or in flight. */
    PinQueueSize: UnaryMethod<void, number>
  }
  IPFSConnector: {
    /** The IPFS node's identity; `error` set when it does not answer. */
    ID: UnaryMethod<void, IPFSIDJson>
    /** Pins; fails when no new block arrived for pin_timeout. */
    Pin: UnaryMethod<IpfsPinRequest, void>
    Unpin: UnaryMethod<string, void>
    /** How the IPFS node holds one CID. */
    PinLsCid: UnaryMethod<string, IpfsPinType>
    /** The IPFS node's recursive and/or direct pins, streamed. */
    PinLs: StreamMethod<{ type: 'recursive' | 'direct' | 'all' }, IpfsPinLsItem>
    RepoStat: UnaryMethod<void, IPFSRepoStatJson>
    /** Garbage-collects the repo; streams each removed key (or error). */
    RepoGC: StreamMethod<void, { key: string, error: string }>
    /** Connects this IPFS node to the other cluster peers' IPFS nodes. */
    ConnectSwarms: UnaryMethod<void, void>
    /** Peer ids of the IPFS node's connected peers. */
    SwarmPeers: UnaryMethod<void, string[]>
    /** Stores a block; answers its CID. */
    BlockPut: UnaryMethod<BlockPutRequest, string>
    BlockGet: UnaryMethod<string, Uint8Array>
    /** Resolves an IPFS path to a CID. */
    Resolve: UnaryMethod<string, string>
    /** The IPFS node's identity and version, as Kubo's `id` and `version` show them. */
    NodeInfo: UnaryMethod<void, IpfsNodeInfo>
    /** The IPFS node's connections: peer, remote address, direction. */
    SwarmConnections: UnaryMethod<void, IpfsSwarmConnection[]>
  }
  PeerMonitor: {
    /** A metric from a peer (or this one). */
    LogMetric: UnaryMethod<MetricJson, void>
    /** Sends a metric of this peer to every cluster peer. */
    PublishMetric: UnaryMethod<MetricJson, void>
    /** The latest valid metric of that name from each current peer. */
    LatestMetrics: UnaryMethod<string, MetricJson[]>
    MetricNames: UnaryMethod<void, string[]>
    Alerts: UnaryMethod<void, AlertJson[]>
  }
  Allocator: {
    /** Orders peers for a pin: priority peers first, then the best candidates; current ones are not repeated. */
    Allocate: UnaryMethod<AllocateRequest, string[]>
    /** The metric names it orders by (`allocate_by`): a peer lacking one is not allocated. */
    Metrics: UnaryMethod<void, string[]>
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
    Pins: { policy: 'closed', kind: 'stream' },
    PinPath: { policy: 'closed', kind: 'unary' },
    UnpinPath: { policy: 'closed', kind: 'unary' },
    Status: { policy: 'closed', kind: 'unary' },
    StatusAll: { policy: 'closed', kind: 'stream' },
    StatusLocal: { policy: 'closed', kind: 'unary' },
    StatusAllLocal: { policy: 'closed', kind: 'stream' },
    Recover: { policy: 'closed', kind: 'unary' },
    RecoverAll: { policy: 'closed', kind: 'stream' },
    RecoverLocal: { policy: 'trusted', kind: 'unary' },
    RecoverAllLocal: { policy: 'trusted', kind: 'stream' },
    RepoGC: { policy: 'closed', kind: 'unary' },
    RepoGCLocal: { policy: 'trusted', kind: 'unary' },
    Alerts: { policy: 'closed', kind: 'unary' },
    HandleAlert: { policy: 'closed', kind: 'unary' },
    BlockAllocate: { policy: 'closed', kind: 'unary' },
    ConnectGraph: { policy: 'closed', kind: 'unary' },
    BandwidthByProtocol: { policy: 'closed', kind: 'unary' }
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
    StatusAll: { policy: 'trusted', kind: 'stream' },
    StatusAllCompact: { policy: 'trusted', kind: 'stream' },
    StatusRanges: { policy: 'trusted', kind: 'stream' },
    Recover: { policy: 'trusted', kind: 'unary' },
    RecoverAll: { policy: 'trusted', kind: 'stream' },
    PinQueueSize: { policy: 'closed', kind: 'unary' }
  },
  IPFSConnector: {
    ID: { policy: 'closed', kind: 'unary' },
    Pin: { policy: 'closed', kind: 'unary' },
    Unpin: { policy: 'closed', kind: 'unary' },
    PinLsCid: { policy: 'closed', kind: 'unary' },
    PinLs: { policy: 'closed', kind: 'stream' },
    RepoStat: { policy: 'trusted', kind: 'unary' },
    RepoGC: { policy: 'closed', kind: 'stream' },
    ConnectSwarms: { policy: 'closed', kind: 'unary' },
    SwarmPeers: { policy: 'trusted', kind: 'unary' },
    // /add sends the blocks to the peers the pin is allocated to
    BlockPut: { policy: 'trusted', kind: 'unary' },
    BlockGet: { policy: 'closed', kind: 'unary' },
    Resolve: { policy: 'closed', kind: 'unary' },
    // the IPFS proxy answers `id`, `version` and `swarm/peers` from the embedded node with these
    NodeInfo: { policy: 'closed', kind: 'unary' },
    SwarmConnections: { policy: 'closed', kind: 'unary' }
  },
  PeerMonitor: {
    // every member publishes its metrics to every other
    LogMetric: { policy: 'trusted', kind: 'unary' },
    PublishMetric: { policy: 'closed', kind: 'unary' },
    LatestMetrics: { policy: 'closed', kind: 'unary' },
    MetricNames: { policy: 'closed', kind: 'unary' },
    Alerts: { policy: 'closed', kind: 'unary' }
  },
  Allocator: {
    Allocate: { policy: 'closed', kind: 'unary' },
    Metrics: { policy: 'closed', kind: 'unary' }
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
