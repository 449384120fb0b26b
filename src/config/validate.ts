/**
 * Rules that involve more than one key, or a key that has no usable default
 * (the secret), checked once the file and the environment are both applied.
 */
import { SECRET_BYTES } from './kinds.ts'
import type { ServiceConfig } from './types.ts'

export interface Violation {
  /** The key the message is about. */
  key: string
  /** Every key whose value contributes, to tell which source to blame. */
  keys: string[]
  problem: string
}

export function findViolation (config: ServiceConfig): Violation | undefined {
  const { cluster } = config
  const restapi = config.api.restapi

  if (cluster.secret.byteLength === 0) {
    return { key: 'cluster.secret', keys: ['cluster.secret'], problem: 'is missing: set it in service.json or with CLUSTER_SECRET' }
  }
  if (cluster.secret.byteLength !== SECRET_BYTES) {
    return { key: 'cluster.secret', keys: ['cluster.secret'], problem: `must be ${SECRET_BYTES * 2} hexadecimal characters (${SECRET_BYTES} bytes)` }
  }

  const { low_water: low, high_water: high } = cluster.connection_manager
  if (low > high) {
    return {
      key: 'cluster.connection_manager.low_water',
      keys: ['cluster.connection_manager.low_water', 'cluster.connection_manager.high_water'],
      problem: `is ${low}, more than high_water (${high})`
    }
  }

  const min = cluster.replication_factor_min
  const max = cluster.replication_factor_max
  const minKey = 'cluster.replication_factor_min'
  const replication = [minKey, 'cluster.replication_factor_max']
  if ((min === -1) !== (max === -1)) {
    return { key: minKey, keys: replication, problem: `is ${min} and replication_factor_max is ${max}: both must be -1 when one of them is` }
  }
  if (min > max) {
    return { key: minKey, keys: replication, problem: `is ${min}, more than replication_factor_max (${max})` }
  }

  const ssl = ['api.restapi.ssl_cert_file', 'api.restapi.ssl_key_file']
  if ((restapi.ssl_cert_file === '') !== (restapi.ssl_key_file === '')) {
    const missing = restapi.ssl_cert_file === '' ? 'ssl_cert_file' : 'ssl_key_file'
    return { key: `api.restapi.${missing}`, keys: ssl, problem: 'must be set too: TLS needs both ssl_cert_file and ssl_key_file' }
  }

  return undefined
}
