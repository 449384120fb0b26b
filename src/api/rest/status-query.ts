/**
 * Query parameters of the status, recover and repo GC endpoints: `local`,
 * `filter` (tracker statuses) and `cids`. As elsewhere in this API, an
 * absent or empty parameter means its default, and a value that cannot be
 * read is a 400 naming it where IPFS Cluster would guess (it reads any
 * `local` but `true` as false and ignores an unknown status next to a known one).
 */
import { canonicalCid } from '../cid.ts'
import { STATUS_FILTERS, isStatusFilter } from '../tracker-status.ts'
import { badParameter, quote } from './query.ts'
import type { TrackerStatusFilter } from '../types.ts'

/** `local=true` (this peer only) or `local=false` (every peer, the default). */
export function localFromQuery (query: URLSearchParams): boolean {
  const value = query.get('local')
  if (value == null || value === '' || value === 'false') return false
  if (value === 'true') return true
  throw badParameter('local', `${quote(value)} is not true or false`)
}

/** The statuses `filter` names, comma-separated; empty (every status) when absent or empty. */
export function statusFilterFromQuery (query: URLSearchParams): TrackerStatusFilter[] {
  const value = query.get('filter')
  if (value == null || value === '') return []
  const filter = new Set<TrackerStatusFilter>()
  for (const name of value.split(',')) {
    if (!isStatusFilter(name)) throw badParameter('filter', `${quote(name)} is not a tracker status: ${STATUS_FILTERS.join(', ')}`)
    filter.add(name)
  }
  return [...filter]
}

/** The CIDs `cids` lists, comma-separated, in canonical form; undefined (every pin) when absent or empty. */
export function cidsFromQuery (query: URLSearchParams): string[] | undefined {
  const value = query.get('cids')
  if (value == null || value === '') return undefined
  return value.split(',').map((text) => {
    try {
      return canonicalCid(text)
    } catch (err) {
      throw badParameter('cids', `${quote(text)} is not a CID: ${(err as Error).message}`)
    }
  })
}
