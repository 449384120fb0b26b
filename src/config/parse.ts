/**
 * service.json text -> ServiceConfig. Missing keys (and null, except where
 * null is a value) take the defaults; unknown keys are ignored.
 */
import { defaultServiceConfig } from './defaults.ts'
import { ConfigError, ValueProblem } from './errors.ts'
import { formatJsonProblem, parseJsonText } from './json-syntax.ts'
import { describeJson } from './kinds.ts'
import { leaves, setAt } from './schema.ts'
import { findViolation } from './validate.ts'
import type { Leaf } from './schema.ts'
import type { ServiceConfig } from './types.ts'

export const SERVICE_FILE = 'service.json'

function isObject (json: unknown): json is Record<string, unknown> {
  return typeof json === 'object' && json !== null && !Array.isArray(json)
}

/**
 * Reads one key's JSON value; undefined when the default stays. Throws a
 * ConfigError naming `source` and the key.
 */
export function readField (leaf: Leaf, json: unknown, source: string): unknown {
  const { field } = leaf
  if (json === undefined || (json === null && field.kind.nullable !== true)) return undefined
  if (json === '' && (field.emptyIsDefault ?? field.kind.emptyIsDefault) === true) return undefined
  let value: unknown
  try {
    value = field.kind.read(json)
  } catch (err) {
    if (!(err instanceof ValueProblem)) throw err
    throw new ConfigError({ source, key: leaf.key, problem: err.message })
  }
  const problem = field.check?.(value)
  if (problem !== undefined) throw new ConfigError({ source, key: leaf.key, problem })
  return value
}

/** The JSON at a leaf's path; undefined when a group on the way is absent or null. */
function jsonAt (root: Record<string, unknown>, leaf: Leaf, source: string): unknown {
  let node: Record<string, unknown> = root
  for (let depth = 0; depth < leaf.path.length - 1; depth++) {
    const child = node[leaf.path[depth] ?? '']
    if (child === undefined || child === null) return undefined
    if (!isObject(child)) {
      throw new ConfigError({ source, key: leaf.path.slice(0, depth + 1).join('.'), problem: `expected an object, got ${describeJson(child)}` })
    }
    node = child
  }
  return node[leaf.path.at(-1) ?? '']
}

/**
 * Reads every key with its own rule, but not the rules between keys nor the
 * presence of the secret, which the environment may still supply.
 */
export function decodeServiceConfig (text: string, source = SERVICE_FILE): ServiceConfig {
  const parsed = parseJsonText(text)
  if ('problem' in parsed) throw new ConfigError({ source, problem: formatJsonProblem(parsed.problem) })
  if (!isObject(parsed.value)) throw new ConfigError({ source, problem: `must hold a JSON object, got ${describeJson(parsed.value)}` })

  const config = defaultServiceConfig({ secret: new Uint8Array(0) })
  for (const leaf of leaves()) {
    const value = readField(leaf, jsonAt(parsed.value, leaf, source), source)
    if (value !== undefined) setAt(config, leaf.path, value)
  }
  return config
}

/** Throws a ConfigError blaming `source` if the config breaks a rule between keys. */
export function validateServiceConfig (config: ServiceConfig, source = SERVICE_FILE): void {
  const violation = findViolation(config)
  if (violation !== undefined) throw new ConfigError({ source, key: violation.key, problem: violation.problem })
}

/** Parses and validates service.json text. `source` names the file in errors. */
export function parseServiceConfig (text: string, source = SERVICE_FILE): ServiceConfig {
  const config = decodeServiceConfig(text, source)
  validateServiceConfig(config, source)
  return config
}
