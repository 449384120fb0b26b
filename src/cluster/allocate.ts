/**
 * The Cluster's allocation step (IPFS Cluster's allocate.go): which peers a
 * pin goes to, given its replication factors, the peers holding it already
 * and the user's allocations.
 *
 * 1. -1/-1 means every peer: the answer is [] (no allocations).
 * 2. The monitor's latest metrics (`ping`, and every metric the Allocator
 *    orders by: Allocator.Metrics, i.e. `allocate_by`) say which members of
 *    the peerset are usable: those with a valid ping and every allocate_by
 *    metric. Others (down, or an informer failing) are neither kept nor
 *    chosen, as in IPFS Cluster.
 * 3. Current allocations still usable are kept (the first `rmax` of them);
 *    when they are at least `rmin`, they are the answer.
 * 4. Otherwise the Allocator orders the user's allocations (priority) and
 *    the other usable members, and the first ones are added: at least
 *    `rmin` in total, at most `rmax`. Fewer than `rmin` possible:
 *    InsufficientAllocationsError.
 */
import { logger } from '@libp2p/logger'
import { PING_METRIC } from '../informer/ping.ts'
import type { MetricJson } from '../api/types.ts'
import type { ClusterRpcClient, PeerMetrics } from '../rpc-api.ts'

const log = logger('pincluster:cluster:allocate')

export interface AllocateOptions {
  cid: string
  /** Replication factors, as resolved against the configuration (no 0): -1/-1, or 1 ≤ rmin ≤ rmax. */
  rmin: number
  rmax: number
  /** The pin's existing allocations: kept while usable. */
  current: string[]
  /** The user's allocations, taken first when usable. */
  userAllocations: string[] | null
  /** The consensus peerset. */
  peers: string[]
  signal?: AbortSignal
}

/** Fewer peers than the pin's minimum replication can take it. */
export class InsufficientAllocationsError extends Error {
  static readonly NAME = 'InsufficientAllocationsError'
  readonly cid: string
  /** New allocations needed (rmin minus the usable current ones). */
  readonly needed: number
  /** New allocations wanted at most (rmax minus the usable current ones). */
  readonly wanted: number
  /** Peers that could have taken it. */
  readonly available: string[]

  constructor (cid: string, needed: number, wanted: number, available: string[], details = '') {
    super(`not enough peers to allocate CID. Needed at least: ${needed}. Wanted at most: ${wanted}. ` +
      `Available candidates: ${available.length}.${details === '' ? '' : ' ' + details}`)
    this.name = InsufficientAllocationsError.NAME
    this.cid = cid
    this.needed = needed
    this.wanted = wanted
    this.available = available
  }
}

/** The peers `cid` is allocated to ([] meaning every peer). */
export async function allocate (rpc: ClusterRpcClient, options: AllocateOptions): Promise<string[]> {
  const { cid, rmin, rmax, signal } = options
  checkFactors(rmin, rmax)
  if (rmin === -1 && rmax === -1) return []

  const allocateBy = await rpc.call(undefined, 'Allocator', 'Metrics', undefined, { signal })
  const names = unique([PING_METRIC, ...allocateBy])
  const members = new Set(options.peers)
  const metrics = await latestMetrics(rpc, names, members, signal)
  const usable = (peer: string): boolean => names.every((name) => metrics.get(peer)?.has(name) === true)

  const current = unique(options.current).filter((p) => members.has(p) && usable(p))
  if (current.length > rmax) return current.slice(0, rmax)
  if (current.length >= rmin) return current

  const needed = rmin - current.length
  const wanted = rmax - current.length
  const kept = new Set(current)
  const priority = unique(options.userAllocations ?? []).filter((p) => members.has(p) && usable(p) && !kept.has(p))
  const prioritySet = new Set(priority)
  const candidates = unique(options.peers).filter((p) => usable(p) && !kept.has(p) && !prioritySet.has(p))
  const available = [...priority, ...candidates]
  const details = (): string => describeExclusions(options.peers, names, metrics, current.length)
  if (available.length < needed) throw failure(cid, needed, wanted, available, details())

  const byName = (peers: string[]): PeerMetrics => Object.fromEntries(peers.map((p) =>
    [p, allocateBy.map((name) => metrics.get(p)?.get(name) as MetricJson)]))
  const ordered = await rpc.call(undefined, 'Allocator', 'Allocate', {
    cid, current: byName(current), candidates: byName(candidates), priority: byName(priority)
  }, { signal })
  // the allocator may veto peers: only what was offered, once
  const offered = new Set(available)
  const chosen = unique(ordered).filter((p) => offered.has(p))
  if (chosen.length < needed) throw failure(cid, needed, wanted, chosen, details())
  const allocations = [...current, ...chosen.slice(0, wanted)]
  log('%s allocated to %s', cid, allocations.join(', '))
  return allocations
}

function failure (cid: string, needed: number, wanted: number, available: string[], details: string): InsufficientAllocationsError {
  const err = new InsufficientAllocationsError(cid, needed, wanted, available, details)
  log.error('cannot allocate %s: %s', cid, err.message)
  return err
}

/** IPFS Cluster's rules: -1 both or neither; then 1 ≤ min ≤ max. */
function checkFactors (rmin: number, rmax: number): void {
  const everywhere = rmin === -1 && rmax === -1
  const bounded = Number.isInteger(rmin) && Number.isInteger(rmax) && rmin >= 1 && rmin <= rmax
  if (!everywhere && !bounded) {
    throw new RangeError(`invalid replication factors: min ${rmin}, max ${rmax} (both -1, or 1 <= min <= max)`)
  }
}

/** The members' valid metrics by peer and name. */
async function latestMetrics (rpc: ClusterRpcClient, names: string[], members: ReadonlySet<string>, signal?: AbortSignal): Promise<Map<string, Map<string, MetricJson>>> {
  const lists = await Promise.all(names.map(async (name) => rpc.call(undefined, 'PeerMonitor', 'LatestMetrics', name, { signal })))
  const out = new Map<string, Map<string, MetricJson>>()
  names.forEach((name, i) => {
    for (const metric of lists[i] ?? []) {
      if (!members.has(metric.peer) || !metric.valid || metric.name !== name) continue
      let byName = out.get(metric.peer)
      if (byName == null) {
        byName = new Map()
        out.set(metric.peer, byName)
      }
      byName.set(name, metric)
    }
  })
  return out
}

/** Why peers were left out: "Cluster peers: 4. Kept: 0. Without a valid metric: 3 (ping: 2, freespace: 1)." */
function describeExclusions (peers: string[], names: string[], metrics: Map<string, Map<string, MetricJson>>, kept: number): string {
  const members = unique(peers)
  const lacking = names.map((name) => [name, members.filter((p) => metrics.get(p)?.has(name) !== true).length] as const)
    .filter(([, n]) => n > 0)
  const excluded = members.filter((p) => names.some((name) => metrics.get(p)?.has(name) !== true)).length
  let text = `Cluster peers: ${members.length}. Current allocations kept: ${kept}. Peers without a valid metric: ${excluded}`
  if (lacking.length > 0) text += ` (${lacking.map(([name, n]) => `${name}: ${n}`).join(', ')})`
  return text + '.'
}

function unique (items: string[]): string[] {
  return [...new Set(items)]
}
