/**
 * service.json text plus the environment -> the configuration the daemon
 * runs with. A rule broken between keys is blamed on the environment
 * variable that set one of them, else on the file.
 */
import { ConfigError } from './errors.ts'
import { applyEnvOverrides, envSource } from './env.ts'
import { SERVICE_FILE, decodeServiceConfig } from './parse.ts'
import { findViolation } from './validate.ts'
import type { Environment } from './env.ts'
import type { ServiceConfig } from './types.ts'

export function resolveServiceConfig (text: string, source = SERVICE_FILE, env: Environment = process.env): ServiceConfig {
  const { config, overrides } = applyEnvOverrides(decodeServiceConfig(text, source), env)
  const violation = findViolation(config)
  if (violation !== undefined) {
    const override = overrides.find(o => violation.keys.includes(o.key))
    throw new ConfigError({
      source: override === undefined ? source : envSource(override.variable),
      key: violation.key,
      problem: violation.problem
    })
  }
  return config
}
