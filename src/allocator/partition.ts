/**
 * The balanced ordering (IPFS Cluster's allocator/balanced), pure.
 *
 * Peers are partitioned by the first `allocate_by` metric, each partition by
 * the next metric, and so on. A partitionable metric (a tag) groups the peers
 * sharing its value, the group weighing the sum of their weights; any other
 * metric (freespace...) puts each peer in a partition of its own, weighing
 * its metric's weight. At each level the partitions are ranked by weight,
 * then by the summed weight of everything under them, then by value (higher
 * weights first), and peers are taken one at a time from the partition
 * holding the fewest peers so far (ties: the best ranked), so that
 * allocations spread across tag values. Unlike IPFS Cluster, which starts
 * every round-robin from zero, the peers already holding the pin (and the
 * ones chosen before, e.g. priority peers) count: a new allocation goes to
 * the group that has the fewest.
 *
 * A peer lacking one of the metrics is left out, as in IPFS Cluster.
 */
import type { MetricJson } from '../api/types.ts'

/** Each peer's metrics by name. */
export type PeerMetricMap = Map<string, Map<string, MetricJson>>

interface Partition {
  value: string
  weight: number
  /** Its weight plus everything under it. */
  aggregated: number
  /** Peers of this partition holding the pin already, plus the ones taken from it. */
  count: number
  exhausted: boolean
  /** At the last level: the peers left, best first. */
  peers?: string[]
  sub?: Partition[]
}

function compareStrings (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** `candidates` best first by the metrics `by`; `taken` peers count as holding the pin already. */
export function orderPeers (by: string[], candidates: PeerMetricMap, taken: PeerMetricMap): string[] {
  const eligible = [...candidates.keys()].filter((peer) => by.every((name) => candidates.get(peer)?.has(name) === true)).sort(compareStrings)
  if (by.length === 0) return eligible
  const takenPeers = [...taken.keys()]
  const levels = partitionLevel(by, eligible, candidates, takenPeers, taken)
  const out: string[] = []
  for (let peer = takeNext(levels); peer != null; peer = takeNext(levels)) out.push(peer)
  return out
}

function partitionLevel (by: string[], peers: string[], metrics: PeerMetricMap, taken: string[], takenMetrics: PeerMetricMap): Partition[] {
  const [name, ...rest] = by as [string, ...string[]]
  const groups = new Map<string, { peers: string[], weight: number }>()
  const partitions: Array<{ value: string, weight: number, peers: string[], grouped: boolean }> = []
  for (const peer of peers) {
    const metric = metrics.get(peer)?.get(name) as MetricJson
    if (!metric.partitionable) {
      partitions.push({ value: metric.value, weight: metric.weight, peers: [peer], grouped: false })
      continue
    }
    const group = groups.get(metric.value)
    if (group != null) {
      group.peers.push(peer)
      group.weight += metric.weight
    } else {
      const created = { value: metric.value, weight: metric.weight, peers: [peer], grouped: true }
      groups.set(metric.value, created)
      partitions.push(created)
    }
  }

  const out = partitions.map((p): Partition => {
    // peers already holding the pin share a partition only with a group of the same value
    const takenHere = p.grouped ? taken.filter((t) => takenMetrics.get(t)?.get(name)?.value === p.value) : []
    const partition: Partition = { value: p.value, weight: p.weight, aggregated: p.weight, count: takenHere.length, exhausted: false }
    if (rest.length === 0) {
      partition.peers = p.peers
    } else {
      partition.sub = partitionLevel(rest, p.peers, metrics, takenHere, takenMetrics)
      for (const sub of partition.sub) partition.aggregated += sub.aggregated
    }
    return partition
  })
  return out.sort((a, b) =>
    b.weight - a.weight ||
    b.aggregated - a.aggregated ||
    compareStrings(a.value, b.value) ||
    compareStrings(firstPeer(a), firstPeer(b)))
}

function firstPeer (p: Partition): string {
  return p.peers?.[0] ?? (p.sub?.[0] != null ? firstPeer(p.sub[0]) : '')
}

/** The next peer: from the partition holding the fewest so far, the best ranked among equals. */
function takeNext (partitions: Partition[]): string | undefined {
  while (true) {
    let best: Partition | undefined
    for (const p of partitions) {
      if (!p.exhausted && (best == null || p.count < best.count)) best = p
    }
    if (best == null) return undefined
    const peer = best.sub != null ? takeNext(best.sub) : best.peers?.shift()
    if (peer == null) {
      best.exhausted = true
      continue
    }
    best.count++
    return peer
  }
}
