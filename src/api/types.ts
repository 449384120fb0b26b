/**
 * The shapes users and clients know from IPFS Cluster (api/types.go), with
 * their exact JSON field names. These objects cross the RPC as they are and are
 * written to HTTP answers as they are.
 */

/** The IPFS node behind a cluster peer, as shown in ID. */
export interface IPFSIDJson {
  id: string
  addresses: string[]
  error: string
}

/** A cluster peer's identity (`GET /id`, one item of `GET /peers`). */
export interface IDJson {
  id: string
  addresses: string[]
  cluster_peers: string[]
  cluster_peers_addresses: string[]
  version: string
  commit: string
  rpc_protocol_version: string
  error: string
  ipfs: IPFSIDJson
  peername: string
}

/** `GET /version`. */
export interface VersionJson {
  version: string
}

/** The error body of every failed HTTP call. */
export interface ApiErrorJson {
  code: number
  message: string
}

/** How IPFS pins the content: the whole DAG or the root block only. */
export type PinMode = 'recursive' | 'direct'

/** What a cluster pin stands for (IPFS Cluster's PinType, as its JSON names it). */
export type PinType = 'pin' | 'meta-pin' | 'clusterdag-pin' | 'shard-pin'

/** Go's zero `time.Time` as RFC 3339: IPFS Cluster's "no date" (e.g. no expiry). */
export const ZERO_TIME = '0001-01-01T00:00:00Z'

/** IPFS Cluster's PinOptions, field names and order as its JSON has them. */
export interface PinOptionsJson {
  /** 0: the cluster's default; -1: every peer. */
  replication_factor_min: number
  /** 0: the cluster's default; -1: every peer. */
  replication_factor_max: number
  name: string
  mode: PinMode
  shard_size: number
  /** Peer ids the user asked for, or null. */
  user_allocations: string[] | null
  /** RFC 3339; ZERO_TIME for "never expires". */
  expire_at: string
  metadata: Record<string, string> | null
  /** The CID whose options and allocations this pin copies, or null. */
  pin_update: string | null
  /** Multiaddresses (with /p2p/) of peers that hold the content. */
  origins: string[]
}

/** IPFS Cluster's Pin: its options first, then what the cluster decided. */
export interface PinJson extends PinOptionsJson {
  cid: string
  type: PinType
  /** Peer ids this pin is allocated to; empty with replication -1 means every peer. */
  allocations: string[]
  /** -1: recursive to any depth; 0: direct. */
  max_depth: number
  /** The CID of the pin this one belongs to (shards, cluster DAGs), or null. */
  reference: string | null
  /** RFC 3339. */
  timestamp: string
}

/** What a peer's pin tracker says of one pin (IPFS Cluster's TrackerStatus names). */
export type TrackerStatus =
  | 'undefined'
  | 'cluster_error'
  | 'pin_error'
  | 'unpin_error'
  | 'pinned'
  | 'pinning'
  | 'unpinning'
  | 'unpinned'
  | 'remote'
  | 'pin_queued'
  | 'unpin_queued'
  | 'sharded'
  | 'unexpectedly_unpinned'

/** Statuses users may filter by: every TrackerStatus, plus `error` (the three errors) and `queued`. */
export type TrackerStatusFilter = TrackerStatus | 'error' | 'queued'

/** One peer's part in a pin (IPFS Cluster's PinInfoShort). */
export interface PinInfoShortJson {
  peername: string
  /** Omitted when unknown. */
  ipfs_peer_id?: string
  /** Omitted when unknown. */
  ipfs_peer_addresses?: string[]
  status: TrackerStatus
  /** RFC 3339: when the status last changed. */
  timestamp: string
  error: string
  attempt_count: number
  priority_pin: boolean
}

/** One peer's status for one pin (IPFS Cluster's PinInfo, flattened as its JSON is). */
export interface PinInfoJson extends PinInfoShortJson {
  cid: string
  name: string
  /** The cluster peer this status comes from. */
  peer: string
  allocations: string[]
  origins: string[]
  /** RFC 3339: the pin's timestamp. */
  created: string
  metadata: Record<string, string> | null
}

/** Every peer's status for one pin (`GET /pins/{cid}`, items of `GET /pins`). */
export interface GlobalPinInfoJson {
  cid: string
  name: string
  allocations: string[]
  origins: string[]
  created: string
  metadata: Record<string, string> | null
  peer_map: Record<string, PinInfoShortJson>
}

/** A metric a peer publishes (IPFS Cluster's Metric). */
export interface MetricJson {
  name: string
  peer: string
  value: string
  /** Unix time in nanoseconds when the metric stops being valid. */
  expire: number
  valid: boolean
  /** How allocators order by this metric (higher first). */
  weight: number
  /** Whether allocators partition peers by its value (tags). */
  partitionable: boolean
  /** Unix time in nanoseconds when this peer received it. */
  received_at: number
}

/** A metric that expired: its peer stopped publishing it. */
export interface AlertJson extends MetricJson {
  /** RFC 3339. */
  triggered_at: string
}

/** IPFS Cluster's IPFSRepoStat. */
export interface IPFSRepoStatJson {
  repo_size: number
  storage_max: number
}

/** One peer's garbage collection (IPFS Cluster's RepoGC). */
export interface RepoGCJson {
  peer: string
  peername: string
  keys: Array<{ key: string, error: string }>
  error: string
}

export interface GlobalRepoGCJson {
  peer_map: Record<string, RepoGCJson>
}

/** How IPFS holds a CID: IPFS's pin types, or `unpinned`. */
export type IpfsPinType = 'recursive' | 'direct' | 'indirect' | 'unpinned'

/**
 * Who is connected to whom (IPFS Cluster's ConnectGraph, `GET /health/graph`):
 * cluster peers to the cluster peers they reach, to their IPFS nodes, and
 * IPFS nodes to their swarm peers. Keys and values are peer ids.
 */
export interface ConnectGraphJson {
  /** The peer that built the graph. */
  cluster_id: string
  id_to_peername: Record<string, string>
  /** IPFS node -> the IPFS nodes it is connected to. */
  ipfs_links: Record<string, string[]>
  /** Cluster peer -> the cluster peers it reached. */
  cluster_links: Record<string, string[]>
  /** Cluster peer -> whether the peer that built the graph trusts it. */
  cluster_trust_links: Record<string, boolean>
  /** Cluster peer -> its IPFS node. */
  cluster_to_ipfs: Record<string, string>
}

/** Bytes through one libp2p protocol of the cluster host (IPFS Cluster's Bandwidth). */
export interface BandwidthJson {
  total_in: number
  total_out: number
  /** Bytes per second, recently. */
  rate_in: number
  rate_out: number
}

/** `GET /health/bandwidth`: by protocol id. */
export type BandwidthByProtocolJson = Record<string, BandwidthJson>
