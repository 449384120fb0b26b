/** Bandwidth by protocol as ipfs-cluster-ctl prints it (textFormatPrintBandwidthByProtocol): one line per protocol, sorted. */
import { humanBytes } from './humanize.ts'
import type { BandwidthByProtocolJson } from '../../../api/types.ts'

/** `<protocol, right-aligned in 25>: In: <bytes, in 7>. Out: <bytes, in 7>. RateIn: <n.nn>B/s. RateOut: <n.nn>B/s` */
export function formatBandwidth (bandwidth: BandwidthByProtocolJson): string {
  return Object.keys(bandwidth).sort().map((protocol) => {
    const b = bandwidth[protocol] as BandwidthByProtocolJson[string]
    return `${protocol.padStart(25)}: In: ${humanBytes(b.total_in).padStart(7)}. Out: ${humanBytes(b.total_out).padStart(7)}.` +
      ` RateIn: ${b.rate_in.toFixed(2)}B/s. RateOut: ${b.rate_out.toFixed(2)}B/s\n`
  }).join('')
}
