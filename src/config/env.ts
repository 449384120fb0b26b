/**
 * Environment overrides, named as IPFS Cluster's envconfig names them:
 * CLUSTER_<KEY> for the cluster section, CLUSTER_RESTAPI_<KEY> for
 * api.restapi and CLUSTER_RPC_<KEY> for rpc, KEY being the key upper-cased
 * without underscores (CLUSTER_LISTENMULTIADDRESS); the underscored form
 * (CLUSTER_LISTEN_MULTIADDRESS) is accepted too. Empty variables are ignored.
 * Values are logged by variable name only.
 */
import { logger } from '@libp2p/logger'
import { ConfigError, ValueProblem } from './errors.ts'
import { readField } from './parse.ts'
import { leaves, setAt } from './schema.ts'
import type { ServiceConfig } from './types.ts'

const log = logger('pincluster:config')

export interface EnvVariable {
  /** Dotted key in service.json. */
  key: string
  /** Accepted variable names, envconfig's form first. */
  names: string[]
}

export interface EnvOverride {
  variable: string
  key: string
}

export type Environment = Record<string, string | undefined>

/** Every variable that overrides a key. */
export function envVariables (): EnvVariable[] {
  return leaves().map(leaf => ({ key: leaf.key, names: [...leaf.env] }))
}

export function envSource (variable: string): string {
  return `environment variable ${variable}`
}

/**
 * Returns a copy of `config` with the environment's overrides applied, each
 * checked with the key's own rule; the rules between keys are left to the
 * caller, who knows which keys were overridden.
 */
export function applyEnvOverrides (config: ServiceConfig, env: Environment = process.env): { config: ServiceConfig, overrides: EnvOverride[] } {
  const result = structuredClone(config)
  const overrides: EnvOverride[] = []

  for (const leaf of leaves()) {
    const set = leaf.env.filter(name => env[name] !== undefined && env[name] !== '')
    const variable = set[0]
    if (variable === undefined) continue
    const text = env[variable] ?? ''
    const conflicting = set.find(name => env[name] !== text)
    if (conflicting !== undefined) {
      throw new ConfigError({ source: `environment variables ${variable} and ${conflicting}`, key: leaf.key, problem: 'both set, to different values: set only one' })
    }

    const source = envSource(variable)
    let json: unknown
    try {
      json = leaf.field.kind.fromEnv(text)
    } catch (err) {
      if (!(err instanceof ValueProblem)) throw err
      throw new ConfigError({ source, key: leaf.key, problem: err.message })
    }
    const value = readField(leaf, json, source)
    if (value === undefined) continue
    setAt(result, leaf.path, value)
    overrides.push({ variable, key: leaf.key })
    log('%s overrides %s', variable, leaf.key)
  }
  return { config: result, overrides }
}
