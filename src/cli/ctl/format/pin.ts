/** A Pin as ipfs-cluster-ctl prints it (textFormatPrintPin), one line. */
import { ZERO_TIME } from '../../../api/types.ts'
import type { PinJson } from '../../../api/types.ts'

export function formatPin (pin: PinJson): string {
  const type = pin.type.toUpperCase() + (pin.mode === 'direct' ? '-DIRECT' : '')
  const replication = pin.replication_factor_min === -1 && pin.replication_factor_max === -1
    ? 'Repl. Factor: -1 | Allocations: [everywhere]'
    : `Repl. Factor: ${pin.replication_factor_min}--${pin.replication_factor_max} | Allocations: [${[...pin.allocations].sort().join(' ')}]`
  const metadata = pin.metadata != null && Object.keys(pin.metadata).length > 0 ? 'yes' : 'no'
  return `${pin.cid} | ${pin.name} | ${type} | ${replication} | ${depth(pin.max_depth)} | Metadata: ${metadata}` +
    ` | Exp: ${dateOr(pin.expire_at, '∞')} | Added: ${dateOr(pin.timestamp, 'unknown')}\n`
}

function depth (maxDepth: number): string {
  if (maxDepth === 0) return 'Direct'
  if (maxDepth === -1) return 'Recursive'
  return `Recursive-${maxDepth}`
}

/**
 * Go's `Format("2006-01-02 15:04:05")` of an RFC 3339 date read from JSON:
 * the wall clock as written, in its own offset; `zero` for Go's zero time.
 */
function dateOr (date: string, zero: string): string {
  if (date === '' || Date.parse(date) === Date.parse(ZERO_TIME)) return zero
  return `${date.slice(0, 10)} ${date.slice(11, 19)}`
}
