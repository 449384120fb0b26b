/**
 * IPFS Cluster's defaults for every key of service.json. Durations in
 * milliseconds.
 */
import { hostname } from 'node:os'
import { SECRET_BYTES } from './kinds.ts'
import type { HttpAccessKeys, ServiceConfig } from './types.ts'

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE

/** A fresh random cluster secret. */
/** Authentication, headers and CORS of the REST API and the Pinning Service API, as IPFS Cluster's defaults. */
const httpAccessDefaults: HttpAccessKeys = {
  basic_auth_credentials: null,
  jwt_expiry: 0,
  headers: {},
  cors_allowed_origins: ['*'],
  cors_allowed_methods: ['GET'],
  cors_allowed_headers: [],
  cors_exposed_headers: ['Content-Type', 'X-Stream-Output', 'X-Chunked-Output', 'X-Content-Length'],
  cors_allow_credentials: true,
  cors_max_age: 0
}

export function randomSecret (): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(SECRET_BYTES))
}

export interface DefaultsInit {
  /** Defaults to a fresh random secret. */
  secret?: Uint8Array
  /** Defaults to the machine's hostname. */
  peername?: string
}

/** A complete default configuration; every call returns new objects. */
export function defaultServiceConfig (init: DefaultsInit = {}): ServiceConfig {
  return {
    cluster: {
      peername: init.peername ?? hostname(),
      secret: init.secret ?? randomSecret(),
      leave_on_shutdown: false,
      listen_multiaddress: ['/ip4/0.0.0.0/tcp/9096'],
      announce_multiaddress: [],
      connection_manager: {
        high_water: 400,
        low_water: 100,
        grace_period: 2 * MINUTE
      },
      state_sync_interval: 5 * MINUTE,
      pin_recover_interval: 12 * MINUTE,
      replication_factor_min: -1,
      replication_factor_max: -1,
      monitor_ping_interval: 15 * SECOND,
      peer_watch_interval: 5 * SECOND,
      disable_repinning: true,
      peer_addresses: []
    },
    consensus: {
      raft: {
        init_peerset: [],
        wait_for_leader_timeout: 15 * SECOND,
        network_timeout: 10 * SECOND,
        commit_retries: 1,
        commit_retry_delay: 200,
        heartbeat_timeout: 100,
        election_timeout: SECOND,
        snapshot_threshold: 8192
      }
    },
    rpc: {
      max_frame_size: 4 * 1024 * 1024
    },
    ipfs_connector: {
      type: 'embedded',
      ipfshttp: {
        node_multiaddress: '/ip4/127.0.0.1/tcp/5001',
        connect_swarms_delay: 30 * SECOND,
        ipfs_request_timeout: 5 * MINUTE,
        pin_timeout: 2 * MINUTE,
        unpin_timeout: 3 * HOUR,
        repogc_timeout: 24 * HOUR
      },
      embedded: {
        listen_multiaddress: ['/ip4/0.0.0.0/tcp/4001'],
        announce_multiaddress: [],
        connect_swarms_delay: 30 * SECOND,
        pin_timeout: 2 * MINUTE,
        unpin_timeout: 3 * HOUR,
        storage_max: 0
      }
    },
    pin_tracker: {
      stateless: {
        max_pin_queue_size: 1_000_000,
        concurrent_pins: 10,
        priority_pin_max_age: 24 * HOUR,
        priority_pin_max_retries: 5
      }
    },
    monitor: {
      check_interval: 15 * SECOND
    },
    allocator: {
      balanced: {
        allocate_by: ['tag:group', 'freespace']
      }
    },
    informer: {
      disk: { metric_ttl: 30 * SECOND, metric_type: 'freespace' },
      tags: { metric_ttl: 30 * SECOND, tags: { group: 'default' } },
      pinqueue: { metric_ttl: 30 * SECOND, weight_bucket_size: 100_000 },
      numpin: { metric_ttl: 10 * SECOND }
    },
    api: {
      restapi: {
        http_listen_multiaddress: ['/ip4/127.0.0.1/tcp/9094'],
        ssl_cert_file: '',
        ssl_key_file: '',
        read_timeout: 0,
        read_header_timeout: 5 * SECOND,
        write_timeout: 0,
        idle_timeout: 2 * MINUTE,
        max_header_bytes: 4096,
        ...httpAccessDefaults,
        jwt_expiry: HOUR,
        http_log_file: ''
      },
      ipfsproxy: {
        listen_multiaddress: ['/ip4/127.0.0.1/tcp/9095'],
        node_multiaddress: '',
        read_timeout: 0,
        read_header_timeout: 5 * SECOND,
        write_timeout: 0,
        idle_timeout: MINUTE,
        max_header_bytes: 4096,
        extract_headers_extra: [],
        extract_headers_path: '/api/v0/version',
        extract_headers_ttl: 5 * MINUTE
      },
      pinsvcapi: {
        http_listen_multiaddress: ['/ip4/127.0.0.1/tcp/9097'],
        read_timeout: 0,
        read_header_timeout: 5 * SECOND,
        write_timeout: 0,
        idle_timeout: 2 * MINUTE,
        max_header_bytes: 4096,
        ...httpAccessDefaults,
        // access tokens are stored in IPFS nodes and kept: they never expire
        jwt_expiry: 0
      }
    }
  }
}
