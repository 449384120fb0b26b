/**
 * The latest metric of each peer for each metric name, and whether its expiry
 * has been alerted. Times are unix nanoseconds, as in MetricJson.
 */
import type { MetricJson } from '../api/types.ts'

interface Entry {
  metric: MetricJson
  /** Its expiry raised an alert already (cleared by the next usable metric). */
  alerted: boolean
}

/** A metric the allocator may use: valid and not expired. */
export function isUsable (metric: MetricJson, nowNs: number): boolean {
  return metric.valid && metric.expire > nowNs
}

function byPeer (a: MetricJson, b: MetricJson): number {
  return a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0
}

export class MetricStore {
  /** name -> peer -> entry */
  private readonly byName = new Map<string, Map<string, Entry>>()

  /** Keeps `metric` as its peer's latest of its name. */
  add (metric: MetricJson, nowNs: number): void {
    let peers = this.byName.get(metric.name)
    if (peers == null) {
      peers = new Map()
      this.byName.set(metric.name, peers)
    }
    const previous = peers.get(metric.peer)
    // only a usable metric ends an alerted expiry: an invalid one must not re-arm the alert
    peers.set(metric.peer, { metric, alerted: isUsable(metric, nowNs) ? false : previous?.alerted ?? false })
  }

  /** The latest usable metric of `name` from each of `members`, by peer id. */
  latestUsable (name: string, nowNs: number, members: ReadonlySet<string>): MetricJson[] {
    const out: MetricJson[] = []
    for (const [peer, entry] of this.byName.get(name) ?? []) {
      if (members.has(peer) && isUsable(entry.metric, nowNs)) out.push(entry.metric)
    }
    return out.sort(byPeer)
  }

  /** Every metric name held, sorted. */
  names (): string[] {
    return [...this.byName.keys()].sort()
  }

  /** Forgets every metric of peers not in `members`. */
  retainPeers (members: ReadonlySet<string>): string[] {
    const forgotten = new Set<string>()
    for (const [name, peers] of this.byName) {
      for (const peer of peers.keys()) {
        if (!members.has(peer)) {
          peers.delete(peer)
          forgotten.add(peer)
        }
      }
      if (peers.size === 0) this.byName.delete(name)
    }
    return [...forgotten]
  }

  /**
   * The metrics of `members` that expired and were not alerted yet, now
   * marked alerted: each expiry is reported once.
   */
  takeExpired (nowNs: number, members: ReadonlySet<string>): MetricJson[] {
    const expired: MetricJson[] = []
    for (const peers of this.byName.values()) {
      for (const [peer, entry] of peers) {
        if (entry.alerted || !members.has(peer) || entry.metric.expire > nowNs) continue
        entry.alerted = true
        expired.push(entry.metric)
      }
    }
    return expired
  }
}
