/** The names of tracker statuses and status filters, for checking what users type (REST `?filter=`, cluster-ctl `--filter`). */
import type { TrackerStatus, TrackerStatusFilter } from './types.ts'

/** Every TrackerStatus, in IPFS Cluster's order. */
export const TRACKER_STATUSES: readonly TrackerStatus[] = [
  'undefined', 'cluster_error', 'pin_error', 'unpin_error', 'pinned', 'pinning', 'unpinning', 'unpinned',
  'remote', 'pin_queued', 'unpin_queued', 'sharded', 'unexpectedly_unpinned'
]

/** Statuses a pin can have without an operation: a listing that wants none of them needs no scan of the pinset. */
export const PINSET_STATUSES: readonly TrackerStatus[] = ['remote', 'pinned', 'unexpectedly_unpinned', 'cluster_error', 'unpinned', 'undefined', 'sharded']

/** What a status filter takes: every status, and the composites `error` (the three errors) and `queued` (both queues). */
export const STATUS_FILTERS: readonly TrackerStatusFilter[] = [...TRACKER_STATUSES, 'error', 'queued']

export function isStatusFilter (name: string): name is TrackerStatusFilter {
  return (STATUS_FILTERS as readonly string[]).includes(name)
}
