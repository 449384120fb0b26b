/**
 * The parsed, validated configuration, one section per component, with IPFS
 * Cluster's key names (service.json). Durations are milliseconds here and Go
 * duration strings ("5m0s") in the file.
 */

export interface ClusterSection {
  peername: string
  /** 32 bytes; 64 hex characters in the file. Never logged or shown. */
  secret: Uint8Array
  leave_on_shutdown: boolean
  listen_multiaddress: string[]
  announce_multiaddress: string[]
  /** Multiaddrs (with /p2p/) of peers to dial at start, besides --bootstrap. */
  peer_addresses: string[]
  connection_manager: {
    high_water: number
    low_water: number
    grace_period: number
  }
  state_sync_interval: number
  pin_recover_interval: number
  replication_factor_min: number
  replication_factor_max: number
  monitor_ping_interval: number
  peer_watch_interval: number
  disable_repinning: boolean
}

export interface BasicAuthCredentials {
  [user: string]: string
}

/** The server keys every HTTP API section has, read as IPFS Cluster's Go server reads them (durations in ms, 0 = none). */
export interface HttpServerKeys {
  read_timeout: number
  read_header_timeout: number
  write_timeout: number
  idle_timeout: number
  max_header_bytes: number
}

/** Authentication, extra headers and CORS: the REST API's and the Pinning Service API's. */
export interface HttpAccessKeys {
  /** null: no authentication; otherwise HTTP Basic or `Authorization: Bearer <JWT>` from POST /token. */
  basic_auth_credentials: BasicAuthCredentials | null
  /** Lifetime of the tokens POST /token issues; 0: they never expire. */
  jwt_expiry: number
  headers: Record<string, string[]>
  cors_allowed_origins: string[]
  cors_allowed_methods: string[]
  cors_allowed_headers: string[]
  cors_exposed_headers: string[]
  cors_allow_credentials: boolean
  cors_max_age: number
}

export interface RestApiSection extends HttpServerKeys, HttpAccessKeys {
  http_listen_multiaddress: string[]
  http_log_file: string
  ssl_cert_file: string
  ssl_key_file: string
}

/** The IPFS Pinning Service API (IPFS Cluster's api.pinsvcapi), its requests kept under `<config folder>/pinsvc/`. */
export interface PinSvcApiSection extends HttpServerKeys, HttpAccessKeys {
  /** Empty: the API is off. */
  http_listen_multiaddress: string[]
}

/** The IPFS proxy (IPFS Cluster's api.ipfsproxy): the Kubo RPC API, pin calls going through the cluster. */
export interface IpfsProxySection extends HttpServerKeys {
  /** Empty: the proxy is off. */
  listen_multiaddress: string[]
  /** The Kubo RPC API calls are forwarded to; "": ipfs_connector.ipfshttp.node_multiaddress. */
  node_multiaddress: string
  /** Headers of the Kubo daemon's answers copied onto the proxy's own answers, besides Access-Control-Expose-Headers. */
  extract_headers_extra: string[]
  /** The Kubo call whose answer those headers are taken from. */
  extract_headers_path: string
  /** How long extracted headers are kept before they are asked again (0: always ask). */
  extract_headers_ttl: number
}

export interface RpcSection {
  /** Largest RPC frame accepted or sent, in bytes. */
  max_frame_size: number
}

export interface RaftSection {
  /** Peer ids of the peers a fresh cluster starts with (all started with the same list); empty: this peer alone, or --bootstrap. */
  init_peerset: string[]
  /** How long start() waits for a leader before failing. */
  wait_for_leader_timeout: number
  /** How long a forwarded write or a peer-add step may take. */
  network_timeout: number
  /** How many times a write that lost its leader is retried. */
  commit_retries: number
  commit_retry_delay: number
  /** Interval between the leader's heartbeats; also the Raft tick. */
  heartbeat_timeout: number
  /** Base election timeout, randomized up to twice this. */
  election_timeout: number
  /** Applied entries between two compactions of the log. */
  snapshot_threshold: number
}

/** Which IPFS connector the peer uses. */
export type IpfsConnectorType = 'embedded' | 'kubo'

/** The `kubo` connector: a Kubo RPC API next to the peer (IPFS Cluster's ipfshttp section). */
export interface IpfsHttpSection {
  /** The Kubo RPC API address. */
  node_multiaddress: string
  /** Wait after start before connecting this IPFS node to the other peers' nodes. */
  connect_swarms_delay: number
  /** Longest any IPFS request but pin, unpin and gc may take. */
  ipfs_request_timeout: number
  /** A pin fails after this long without a new block arriving (not after a fixed total). */
  pin_timeout: number
  unpin_timeout: number
  repogc_timeout: number
}

/** The `embedded` connector: a Helia node inside the daemon, stored under the config folder. */
export interface EmbeddedIpfsSection {
  /** Where the embedded IPFS node's own libp2p host listens (not the cluster's host). */
  listen_multiaddress: string[]
  announce_multiaddress: string[]
  connect_swarms_delay: number
  pin_timeout: number
  unpin_timeout: number
  /** Space the embedded repo may use, in bytes, as reported by RepoStat (0: the disk's free space). */
  storage_max: number
}

export interface IpfsConnectorSection {
  type: IpfsConnectorType
  ipfshttp: IpfsHttpSection
  embedded: EmbeddedIpfsSection
}

/** The stateless pin tracker (IPFS Cluster's pin_tracker.stateless). */
export interface StatelessTrackerSection {
  max_pin_queue_size: number
  concurrent_pins: number
  /** Pins younger than this go to the priority queue... */
  priority_pin_max_age: number
  /** ...while they have failed fewer times than this. */
  priority_pin_max_retries: number
}

export interface MonitorSection {
  /** How often metric expiry is checked (alerts). */
  check_interval: number
}

export interface BalancedAllocatorSection {
  /** Metric names partitioning and ordering candidates, e.g. ["tag:group", "freespace"]. */
  allocate_by: string[]
}

export interface InformerSections {
  disk: { metric_ttl: number, metric_type: 'freespace' | 'reposize' }
  tags: { metric_ttl: number, tags: Record<string, string> }
  pinqueue: { metric_ttl: number, weight_bucket_size: number }
  numpin: { metric_ttl: number }
}

export interface ServiceConfig {
  cluster: ClusterSection
  consensus: {
    raft: RaftSection
  }
  rpc: RpcSection
  ipfs_connector: IpfsConnectorSection
  pin_tracker: { stateless: StatelessTrackerSection }
  monitor: MonitorSection
  allocator: { balanced: BalancedAllocatorSection }
  informer: InformerSections
  api: {
    restapi: RestApiSection
    ipfsproxy: IpfsProxySection
    pinsvcapi: PinSvcApiSection
  }
}
