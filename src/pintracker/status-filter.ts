/**
 * Status filters as IPFS Cluster reads them: any tracker status, plus `error`
 * (the three error statuses) and `queued` (both queued statuses). An empty
 * filter matches everything.
 */
import type { TrackerStatus, TrackerStatusFilter } from '../api/types.ts'

const GROUPS: Partial<Record<TrackerStatusFilter, TrackerStatus[]>> = {
  error: ['cluster_error', 'pin_error', 'unpin_error'],
  queued: ['pin_queued', 'unpin_queued']
}

export function statusMatcher (filter: readonly TrackerStatusFilter[]): (status: TrackerStatus) => boolean {
  if (filter.length === 0) return () => true
  const wanted = new Set<TrackerStatus>()
  for (const f of filter) {
    for (const s of GROUPS[f] ?? [f as TrackerStatus]) wanted.add(s)
  }
  return (status) => wanted.has(status)
}
