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
