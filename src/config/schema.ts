/**
 * The table of service.json: every key of ServiceConfig with its kind and
 * its own rule. The mapped types make a key added to types.ts without an
 * entry here fail to compile. Rules between keys live in validate.ts.
 */
import {
  booleanKind, credentialsKind, enumKind, durationKind, headersKind, integerKind,
  multiaddrKind, multiaddrsKind, peerMultiaddrsKind, secretKind, stringKind, stringListKind, stringMapKind
} from './kinds.ts'
import type { Kind } from './kinds.ts'
import { peerIdFromString } from '@libp2p/peer-id'
import type { BalancedAllocatorSection, ClusterSection, EmbeddedIpfsSection, HttpAccessKeys, HttpServerKeys, InformerSections, IpfsConnectorType, IpfsHttpSection, IpfsProxySection, MonitorSection, PinSvcApiSection, RaftSection, RestApiSection, RpcSection, ServiceConfig, StatelessTrackerSection } from './types.ts'

export interface Field<T> {
  kind: Kind<T>
  /** Returns the problem with a well-typed value, if any. */
  check?: (value: T) => string | undefined
  /** Whether "" means "use the default", overriding the kind's choice. */
  emptyIsDefault?: boolean
}

export interface Group<T> {
  fields: Schema<T>
  /** Environment variable prefix of a section, e.g. CLUSTER_RESTAPI. */
  env?: string
}

export type Schema<T> = { [K in keyof T]-?: Field<T[K]> | Group<T[K]> }

type AnySpec = Field<any> | { fields: object, env?: string }

function isGroup (spec: AnySpec): spec is { fields: object, env?: string } {
  return 'fields' in spec
}

const positive = (value: number): string | undefined => value > 0 ? undefined : 'must be greater than 0'
const notNegative = (value: number): string | undefined => value >= 0 ? undefined : 'must not be negative'
const notEmpty = (value: unknown[]): string | undefined => value.length > 0 ? undefined : 'must have at least one address'
const atLeast = (min: number, why: string) => (value: number): string | undefined =>
  value >= min ? undefined : `must be at least ${min} (${why})`
const replicationFactor = (value: number): string | undefined =>
  value === -1 || value >= 1 ? undefined : 'must be -1 (every peer) or at least 1'

const cluster: Schema<ClusterSection> = {
  // as in IPFS Cluster, an empty peername means the hostname
  peername: { kind: stringKind, emptyIsDefault: true },
  secret: { kind: secretKind },
  leave_on_shutdown: { kind: booleanKind },
  listen_multiaddress: { kind: multiaddrsKind, check: notEmpty },
  announce_multiaddress: { kind: multiaddrsKind },
  connection_manager: {
    fields: {
      high_water: { kind: integerKind, check: positive },
      low_water: { kind: integerKind, check: positive },
      grace_period: { kind: durationKind, check: positive }
    }
  },
  state_sync_interval: { kind: durationKind, check: positive },
  pin_recover_interval: { kind: durationKind, check: positive },
  replication_factor_min: { kind: integerKind, check: replicationFactor },
  replication_factor_max: { kind: integerKind, check: replicationFactor },
  monitor_ping_interval: { kind: durationKind, check: positive },
  peer_watch_interval: { kind: durationKind, check: positive },
  disable_repinning: { kind: booleanKind },
  peer_addresses: { kind: peerMultiaddrsKind }
}

const peerIds = (value: string[]): string | undefined => {
  for (const id of value) {
    try {
      peerIdFromString(id)
    } catch {
      return `${JSON.stringify(id)} is not a peer id`
    }
  }
  return undefined
}

const raft: Schema<RaftSection> = {
  init_peerset: { kind: stringListKind, check: peerIds },
  wait_for_leader_timeout: { kind: durationKind, check: positive },
  network_timeout: { kind: durationKind, check: positive },
  commit_retries: { kind: integerKind, check: notNegative },
  commit_retry_delay: { kind: durationKind, check: notNegative },
  heartbeat_timeout: { kind: durationKind, check: positive },
  election_timeout: { kind: durationKind, check: positive },
  snapshot_threshold: { kind: integerKind, check: atLeast(16, 'compacting more often than that only costs') }
}

const rpc: Schema<RpcSection> = {
  max_frame_size: { kind: integerKind, check: atLeast(1024, 'smaller frames cannot carry an ordinary call') }
}

const httpServer: Schema<HttpServerKeys> = {
  read_timeout: { kind: durationKind, check: notNegative },
  read_header_timeout: { kind: durationKind, check: notNegative },
  write_timeout: { kind: durationKind, check: notNegative },
  idle_timeout: { kind: durationKind, check: notNegative },
  max_header_bytes: { kind: integerKind, check: atLeast(4096, 'as in IPFS Cluster') }
}

const httpAccess: Schema<HttpAccessKeys> = {
  basic_auth_credentials: {
    kind: credentialsKind,
    check: value => value === null || Object.keys(value).length > 0 ? undefined : 'must be null (no authentication) or have at least one user'
  },
  jwt_expiry: { kind: durationKind, check: notNegative },
  headers: { kind: headersKind },
  cors_allowed_origins: { kind: stringListKind },
  cors_allowed_methods: { kind: stringListKind },
  cors_allowed_headers: { kind: stringListKind },
  cors_exposed_headers: { kind: stringListKind },
  cors_allow_credentials: { kind: booleanKind },
  cors_max_age: { kind: durationKind, check: notNegative }
}

const restapi: Schema<RestApiSection> = {
  http_listen_multiaddress: { kind: multiaddrsKind, check: notEmpty },
  ssl_cert_file: { kind: stringKind },
  ssl_key_file: { kind: stringKind },
  ...httpServer,
  ...httpAccess,
  http_log_file: { kind: stringKind }
}

const ipfsproxy: Schema<IpfsProxySection> = {
  // an empty list turns the proxy off
  listen_multiaddress: { kind: multiaddrsKind },
  // "" (the default): the kubo connector's node_multiaddress
  node_multiaddress: { kind: multiaddrKind, emptyIsDefault: true },
  ...httpServer,
  extract_headers_extra: { kind: stringListKind },
  extract_headers_path: { kind: stringKind, check: value => value.startsWith('/') ? undefined : 'must be a path starting with /' },
  extract_headers_ttl: { kind: durationKind, check: notNegative }
}

const pinsvcapi: Schema<PinSvcApiSection> = {
  // an empty list turns the Pinning Service API off
  http_listen_multiaddress: { kind: multiaddrsKind },
  ...httpServer,
  ...httpAccess
}

const ipfshttp: Schema<IpfsHttpSection> = {
  node_multiaddress: { kind: multiaddrKind },
  connect_swarms_delay: { kind: durationKind, check: notNegative },
  ipfs_request_timeout: { kind: durationKind, check: positive },
  pin_timeout: { kind: durationKind, check: positive },
  unpin_timeout: { kind: durationKind, check: positive },
  repogc_timeout: { kind: durationKind, check: positive }
}

const embedded: Schema<EmbeddedIpfsSection> = {
  listen_multiaddress: { kind: multiaddrsKind, check: notEmpty },
  announce_multiaddress: { kind: multiaddrsKind },
  connect_swarms_delay: { kind: durationKind, check: notNegative },
  pin_timeout: { kind: durationKind, check: positive },
  unpin_timeout: { kind: durationKind, check: positive },
  storage_max: { kind: integerKind, check: notNegative }
}

const stateless: Schema<StatelessTrackerSection> = {
  max_pin_queue_size: { kind: integerKind, check: positive },
  concurrent_pins: { kind: integerKind, check: positive },
  priority_pin_max_age: { kind: durationKind, check: notNegative },
  priority_pin_max_retries: { kind: integerKind, check: notNegative }
}

const monitor: Schema<MonitorSection> = {
  check_interval: { kind: durationKind, check: positive }
}

const balanced: Schema<BalancedAllocatorSection> = {
  allocate_by: { kind: stringListKind }
}

const ttl = { kind: durationKind, check: positive }

const informer: Schema<InformerSections> = {
  disk: {
    fields: {
      metric_ttl: ttl,
      metric_type: { kind: enumKind('freespace', 'reposize') }
    },
    env: 'CLUSTER_DISK'
  },
  tags: { fields: { metric_ttl: ttl, tags: { kind: stringMapKind } }, env: 'CLUSTER_TAGS' },
  pinqueue: { fields: { metric_ttl: ttl, weight_bucket_size: { kind: integerKind, check: positive } }, env: 'CLUSTER_PINQUEUE' },
  numpin: { fields: { metric_ttl: ttl }, env: 'CLUSTER_NUMPIN' }
}

export const serviceSchema: Schema<ServiceConfig> = {
  cluster: { fields: cluster, env: 'CLUSTER' },
  consensus: { fields: { raft: { fields: raft, env: 'CLUSTER_RAFT' } } },
  rpc: { fields: rpc, env: 'CLUSTER_RPC' },
  ipfs_connector: {
    fields: {
      type: { kind: enumKind<IpfsConnectorType>('embedded', 'kubo') },
      ipfshttp: { fields: ipfshttp, env: 'CLUSTER_IPFSHTTP' },
      embedded: { fields: embedded, env: 'CLUSTER_EMBEDDED' }
    },
    env: 'CLUSTER_IPFSCONNECTOR'
  },
  pin_tracker: { fields: { stateless: { fields: stateless, env: 'CLUSTER_STATELESS' } } },
  monitor: { fields: monitor, env: 'CLUSTER_MONITOR' },
  allocator: { fields: { balanced: { fields: balanced, env: 'CLUSTER_BALANCED' } } },
  informer: { fields: informer },
  api: {
    fields: {
      restapi: { fields: restapi, env: 'CLUSTER_RESTAPI' },
      ipfsproxy: { fields: ipfsproxy, env: 'CLUSTER_IPFSPROXY' },
      pinsvcapi: { fields: pinsvcapi, env: 'CLUSTER_PINSVCAPI' }
    }
  }
}

export interface Leaf {
  /** Path from the top of service.json, e.g. ['cluster', 'connection_manager', 'high_water']. */
  path: string[]
  /** Dotted path, as in error messages. */
  key: string
  field: Field<any>
  /** Environment variable names, envconfig's form first. */
  env: string[]
}

/** Every key of service.json, in file order, with its environment variable names. */
export function leaves (): Leaf[] {
  const out: Leaf[] = []
  const walk = (schema: object, path: string[], section: { prefix: string, path: string[] } | undefined): void => {
    for (const [name, spec] of Object.entries(schema) as Array<[string, AnySpec]>) {
      const here = [...path, name]
      if (isGroup(spec)) {
        walk(spec.fields, here, spec.env !== undefined ? { prefix: spec.env, path: here } : section)
        continue
      }
      const env: string[] = []
      if (section !== undefined) {
        const inner = here.slice(section.path.length)
        env.push(`${section.prefix}_${inner.map(p => p.replaceAll('_', '').toUpperCase()).join('_')}`)
        const underscored = `${section.prefix}_${inner.map(p => p.toUpperCase()).join('_')}`
        if (underscored !== env[0]) env.push(underscored)
      }
      out.push({ path: here, key: here.join('.'), field: spec, env })
    }
  }
  walk(serviceSchema, [], undefined)
  return out
}

/** Reads the value at `path` of a config object. */
export function getAt (config: unknown, path: string[]): unknown {
  return path.reduce<unknown>((node, name) => (node as Record<string, unknown>)[name], config)
}

/** Sets the value at `path`; every group on the way exists. */
export function setAt (config: unknown, path: string[], value: unknown): void {
  const parent = getAt(config, path.slice(0, -1)) as Record<string, unknown>
  parent[path.at(-1) ?? ''] = value
}
