/**
 * ServiceConfig -> service.json text: every key, in the schema's order,
 * durations as Go strings and the secret as hex, so that parseServiceConfig
 * gives back an equal object.
 */
import { leaves, getAt } from './schema.ts'
import type { ServiceConfig } from './types.ts'

export function serializeServiceConfig (config: ServiceConfig): string {
  const out: Record<string, unknown> = {}
  for (const leaf of leaves()) {
    let node = out
    for (const name of leaf.path.slice(0, -1)) {
      node[name] ??= {}
      node = node[name] as Record<string, unknown>
    }
    node[leaf.path.at(-1) ?? ''] = leaf.field.kind.write(getAt(config, leaf.path))
  }
  return JSON.stringify(out, null, 2) + '\n'
}
