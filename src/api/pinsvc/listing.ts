/**
 * GET /pins, served from the requests' datastore page by page.
 *
 * The candidates come newest first from one key range of the datastore,
 * `before` and `after` being its bounds: the `cid` index when CIDs are given
 * (one range per CID, merged), else the `status` index when some statuses are
 * left out (one range per status, merged), else the requests themselves. The
 * other filters are checked on each candidate as it comes. The first `limit`
 * matches make the page; the scan then goes on to the end of the range only
 * to count the rest (`count` is the total number of matches, as the spec
 * says), reading keys and, when a filter needs it, records: local reads, no
 * RPC, and nothing kept but the page. Memory does not grow with the number of
 * requests; time grows with the matching range.
 *
 * Statuses filtered on are each request's last known status (kept up to date
 * by StatusSync and by every read of the request); the page's items are then
 * asked of the cluster (at most `limit` lookups), shown with their live
 * status, and left out (and uncounted) if it no longer matches.
 */
import { mergeNewestFirst } from './merge.ts'
import { REQUESTS_PREFIX, cidPrefix, rangeOf, statusPrefix } from './store/keys.ts'
import { toPinStatus } from './pin-status-json.ts'
import { SPEC_STATUSES } from './types.ts'
import type { ListFilters } from './list-query.ts'
import type { StatusLookup } from './pin-status.ts'
import type { RequestStore } from './store/request-store.ts'
import type { PinResultsJson, PinStatusJson, RequestRecord } from './types.ts'

/** Live lookups made at once for a page. */
const LOOKUP_CONCURRENCY = 8

interface Candidate {
  id: string
  record?: RequestRecord
}

export async function listRequests (store: RequestStore, lookup: StatusLookup, filters: ListFilters, signal: AbortSignal): Promise<PinResultsJson> {
  const allStatuses = filters.statuses.size === SPEC_STATUSES.length
  const source = candidates(store, filters, allStatuses, signal)
  // the status is checked on the record only when the range did not already select by it
  const checkStatus = filters.cids != null && !allStatuses
  const needsRecord = checkStatus || filters.name != null || filters.meta != null

  const page: RequestRecord[] = []
  let rest = 0
  for await (const candidate of source) {
    let record = candidate.record
    if (record == null && (needsRecord || page.length < filters.limit)) {
      record = await store.get(candidate.id)
      // deleted since its index key was read
      if (record == null) continue
    }
    if (record != null && !matches(record, filters, checkStatus)) continue
    if (page.length < filters.limit && record != null) page.push(record)
    else rest++
  }

  const results: PinStatusJson[] = []
  for (let i = 0; i < page.length; i += LOOKUP_CONCURRENCY) {
    const batch = await Promise.all(page.slice(i, i + LOOKUP_CONCURRENCY).map(async (record) => {
      const live = await lookup.of(record.pin.cid, signal)
      if (live.status !== record.status) await store.setStatus(record.id, live.status)
      return filters.statuses.has(live.status) ? toPinStatus(record, live) : undefined
    }))
    for (const item of batch) if (item != null) results.push(item)
  }
  return { count: results.length + rest, results }
}

/** Candidates newest first: from the narrowest index the filters allow. */
function candidates (store: RequestStore, filters: ListFilters, allStatuses: boolean, signal: AbortSignal): AsyncIterable<Candidate> {
  if (filters.cids != null) {
    return idsOnly(mergeNewestFirst(filters.cids.map((cid) => store.ids(cidPrefix(cid), rangeOf(cidPrefix(cid), filters.bounds), { signal }))))
  }
  if (!allStatuses) {
    return idsOnly(mergeNewestFirst([...filters.statuses].map((s) => store.ids(statusPrefix(s), rangeOf(statusPrefix(s), filters.bounds), { signal }))))
  }
  return withRecords(store.records(rangeOf(REQUESTS_PREFIX, filters.bounds), { signal }))
}

async function * idsOnly (ids: AsyncIterable<string>): AsyncGenerator<Candidate> {
  for await (const id of ids) yield { id }
}

async function * withRecords (records: AsyncIterable<RequestRecord>): AsyncGenerator<Candidate> {
  for await (const record of records) yield { id: record.id, record }
}

function matches (record: RequestRecord, filters: ListFilters, checkStatus: boolean): boolean {
  if (checkStatus && !filters.statuses.has(record.status)) return false
  if (filters.name != null && !nameMatches(record.pin.name, filters.name.text, filters.name.match)) return false
  if (filters.meta != null) {
    for (const [key, value] of Object.entries(filters.meta)) {
      if (!Object.hasOwn(record.pin.meta, key) || record.pin.meta[key] !== value) return false
    }
  }
  return true
}

function nameMatches (name: string, text: string, match: NonNullable<ListFilters['name']>['match']): boolean {
  switch (match) {
    case 'exact': return name === text
    case 'iexact': return name.toLowerCase() === text.toLowerCase()
    case 'partial': return name.includes(text)
    case 'ipartial': return name.toLowerCase().includes(text.toLowerCase())
  }
}
