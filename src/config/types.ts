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

export interface RestApiSection {
  http_listen_multiaddress: string[]
  read_timeout: number
  read_header_timeout: number
  write_timeout: number
  idle_timeout: number
  max_header_bytes: number
  /** null: no authentication. */
  basic_auth_credentials: BasicAuthCredentials | null
  http_log_file: string
  headers: Record<string, string[]>
  cors_allowed_origins: string[]
  cors_allowed_methods: string[]
  cors_allowed_headers: string[]
  cors_exposed_headers: string[]
  cors_allow_credentials: boolean
  cors_max_age: number
  ssl_cert_file: string
  ssl_key_file: string
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

export interface ServiceConfig {
  cluster: ClusterSection
  consensus: {
    raft: RaftSection
  }
  rpc: RpcSection
  api: {
    restapi: RestApiSection
  }
}
