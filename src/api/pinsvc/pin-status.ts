/**
 * A request's status and delegates, from the cluster's global status of its
 * CID (Cluster.Status: every peer's tracker). Only the peers the pin is
 * allocated to count (all of them for replication -1):
 *
 * - `failed`: one of them has `pin_error` or `unpin_error`, or none can be
 *   reached (`cluster_error`), or the CID is not in the cluster's pinset any
 *   more;
 * - `queued`: one of them has it queued, or has not picked it up yet
 *   (`unexpectedly_unpinned`: allocated, not in its IPFS node, no operation
 *   yet; the tracker or its recover pass pins it), or none has it yet;
 * - `pinning`: one of them is fetching it;
 * - `pinned`: one of them has it pinned, and none of the above holds.
 *
 * This is IPFS Cluster's order (errors, then queued, then pinning, then
 * pinned), except that peers not allocated the pin, and unreachable peers
 * next to ones that hold it, do not make it fail.
 */
import { inPinset } from './in-pinset.ts'
import type { GlobalPinInfoJson, PinInfoShortJson, TrackerStatus } from '../types.ts'
import type { SpecStatus } from './types.ts'
import type { ClusterRpcClient } from '../../rpc-api.ts'

/** The spec allows at most 20 delegates. */
const MAX_DELEGATES = 20
const MAX_DETAILS = 1000
/** How long this peer's own IPFS addresses (the fallback delegates) are reused. */
const OWN_ADDRESSES_TTL = 30_000

const FAILED: ReadonlySet<TrackerStatus> = new Set(['pin_error', 'unpin_error'])

export interface LiveStatus {
  status: SpecStatus
  delegates: string[]
  /** Why it failed, for `info.status_details`. */
  details?: string
}

/** The status the allocated peers' answers add up to; undefined when none of them has the pin in any way. */
export function foldStatus (global: GlobalPinInfoJson): { status?: SpecStatus, details?: string } {
  const relevant = allocatedInfos(global)
  const failures = relevant.filter(([, info]) => FAILED.has(info.status))
  if (failures.length > 0) return { status: 'failed', details: describe(failures) }
  const has = (status: TrackerStatus): boolean => relevant.some(([, info]) => info.status === status)
  if (has('pin_queued') || has('unexpectedly_unpinned')) return { status: 'queued' }
  if (has('pinning')) return { status: 'pinning' }
  if (has('pinned')) return { status: 'pinned' }
  const unreachable = relevant.filter(([, info]) => info.status === 'cluster_error')
  if (unreachable.length > 0 && unreachable.length === relevant.length) return { status: 'failed', details: describe(unreachable) }
  return {}
}

/** The IPFS multiaddrs of the peers the pin is allocated to, as far as they are known. */
export function delegatesOf (global: GlobalPinInfoJson): string[] {
  const addresses = new Set<string>()
  for (const [, info] of allocatedInfos(global)) {
    for (const addr of info.ipfs_peer_addresses ?? []) {
      if (addresses.size < MAX_DELEGATES) addresses.add(addr)
    }
  }
  return [...addresses]
}

function allocatedInfos (global: GlobalPinInfoJson): Array<[string, PinInfoShortJson]> {
  const all = Object.entries(global.peer_map)
  if (global.allocations.length === 0) return all
  const allocated = new Set(global.allocations)
  return all.filter(([peer]) => allocated.has(peer))
}

function describe (infos: Array<[string, PinInfoShortJson]>): string {
  const text = infos.map(([peer, info]) => `${info.peername !== '' ? info.peername : peer}: ${info.status}${info.error !== '' ? `: ${info.error}` : ''}`).join('; ')
  return text.length > MAX_DETAILS ? text.slice(0, MAX_DETAILS - 3) + '...' : text
}

/** Asks the cluster for the live status of CIDs. */
export class StatusLookup {
  private readonly rpc: ClusterRpcClient
  private own: { addresses: string[], until: number } | undefined

  constructor (rpc: ClusterRpcClient) {
    this.rpc = rpc
  }

  async of (cid: string, signal: AbortSignal): Promise<LiveStatus> {
    const global = await this.rpc.call(undefined, 'Cluster', 'Status', cid, { signal })
    let { status, details } = foldStatus(global)
    if (status == null) {
      // no allocated peer shows it (yet): either they have not applied the pin, or it is gone from the pinset
      if (await inPinset(this.rpc, cid, signal)) {
        status = 'queued'
      } else {
        status = 'failed'
        details = 'the CID is not in the cluster pinset: it was unpinned by other means than this API'
      }
    }
    let delegates = delegatesOf(global)
    if (delegates.length === 0) delegates = await this.ownAddresses(signal)
    return details == null ? { status, delegates } : { status, delegates, details }
  }

  /** This peer's IPFS node, the delegate of last resort (the spec wants at least one). */
  private async ownAddresses (signal: AbortSignal): Promise<string[]> {
    if (this.own != null && this.own.until > Date.now()) return this.own.addresses
    let addresses: string[]
    try {
      addresses = (await this.rpc.call(undefined, 'IPFSConnector', 'ID', undefined, { signal })).addresses.slice(0, MAX_DELEGATES)
    } catch (err) {
      if (signal.aborted) throw err
      // no delegates is better than no answer: the status still stands
      return []
    }
    this.own = { addresses, until: Date.now() + OWN_ADDRESSES_TTL }
    return addresses
  }
}
