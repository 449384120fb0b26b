/**
 * Pin status, metrics, alerts and repo GC results as ipfs-cluster-ctl prints
 * them (textFormatPrintGPInfo, textFormatPrintMetric, textFormatPrintAlert,
 * textFormatPrintGlobalRepoGC). Peers are listed in peer id order, each under
 * its peer name when it has one.
 */
import { humanBytes, humanTime } from './humanize.ts'
import type { AlertJson, GlobalPinInfoJson, GlobalRepoGCJson, MetricJson } from '../../../api/types.ts'

/**
 * ```
 * <cid> | <name>:
 *     > <peer name, padded to 20> : <STATUS>[: <error>] | <timestamp> | Attempts: <n> | Priority: <bool>
 * ```
 */
export function formatGlobalPinInfo (info: GlobalPinInfoJson): string {
  const lines = [`${info.cid}${info.name !== '' ? ` | ${info.name}` : ''}:`]
  for (const peer of Object.keys(info.peer_map).sort()) {
    const short = info.peer_map[peer]
    if (short == null) continue
    const label = short.peername !== '' ? short.peername : peer
    const error = short.error !== '' ? `: ${short.error}` : ''
    lines.push(`    > ${label.padEnd(20)} : ${short.status.toUpperCase()}${error} | ${short.timestamp}` +
      ` | Attempts: ${short.attempt_count} | Priority: ${short.priority_pin}`)
  }
  return lines.join('\n') + '\n'
}

/** `<peer> | <name>: <value> | Expires in: <relative time>`; freespace in bytes (from its weight). */
export function formatMetric (metric: MetricJson, now: number): string {
  const value = metric.name === 'freespace' && metric.weight > 0 ? humanBytes(metric.weight) : metric.value
  return `${metric.peer} | ${metric.name}: ${value} | Expires in: ${humanTime(metric.expire / 1e6, now)}\n`
}

/** `<peer>: <name>. Expired at: <relative time>. Triggered at: <relative time>` */
export function formatAlert (alert: AlertJson, now: number): string {
  return `${alert.peer}: ${alert.name}. Expired at: ${humanTime(alert.expire / 1e6, now)}.` +
    ` Triggered at: ${humanTime(Date.parse(alert.triggered_at), now)}\n`
}

/** Per peer: its name (padded to 15), `| ERROR: ...` if it failed, then the CIDs it removed. */
export function formatGlobalRepoGC (gc: GlobalRepoGCJson): string {
  const lines: string[] = []
  for (const peer of Object.keys(gc.peer_map).sort()) {
    const item = gc.peer_map[peer]
    if (item == null) continue
    const label = (item.peername !== '' ? item.peername : peer).padEnd(15)
    lines.push(item.error !== '' ? `${label} | ERROR: ${item.error}` : label)
    lines.push('  > CIDs:')
    for (const key of item.keys) lines.push(key.error !== '' ? `    - ERROR: ${key.error}` : `    - ${key.key}`)
  }
  return lines.map((l) => l + '\n').join('')
}

/** A list of names (metric names): one per line. */
export function formatLines (names: string[]): string {
  return names.map((n) => `${n}\n`).join('')
}
