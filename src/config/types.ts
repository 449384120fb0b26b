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

export interface ServiceConfig {
  cluster: ClusterSection
  rpc: RpcSection
  api: {
    restapi: RestApiSection
  }
}
