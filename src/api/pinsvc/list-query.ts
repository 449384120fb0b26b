/**
 * The filters of GET /pins. `cid` and `status` take repeated parameters
 * (`?cid=a&cid=b`, the spec's form) and comma-separated lists (`?cid=a,b`,
 * what Kubo's client sends) alike. Anything that cannot be read is a 400
 * naming the parameter; unknown parameters are ignored.
 */
import { rfc3339Problem } from '../rfc3339.ts'
import { cidOf, metaOf, nameOf, show } from './pin-body.ts'
import { badRequest } from './errors.ts'
import { SPEC_STATUSES } from './types.ts'
import type { TimeBounds } from './store/keys.ts'
import type { SpecStatus } from './types.ts'

export type TextMatch = 'exact' | 'iexact' | 'partial' | 'ipartial'

const MATCHES: readonly TextMatch[] = ['exact', 'iexact', 'partial', 'ipartial']
export const MAX_CIDS = 10
export const MAX_LIMIT = 1000
export const DEFAULT_LIMIT = 10

export interface ListFilters {
  /** Canonical CIDs; absent: any. */
  cids?: string[]
  name?: { text: string, match: TextMatch }
  /** Never empty; `pinned` alone when the query names none. */
  statuses: Set<SpecStatus>
  /** From `after` and `before`. */
  bounds: TimeBounds
  limit: number
  /** Key/values every result's meta must hold. */
  meta?: Record<string, string>
}

export function filtersFromQuery (query: URLSearchParams): ListFilters {
  const filters: ListFilters = {
    statuses: statusesOf(listOf(query, 'status')),
    bounds: { fromMs: afterOf(query.get('after')), toMs: beforeOf(query.get('before')) },
    limit: limitOf(query.get('limit'))
  }
  const cids = listOf(query, 'cid')
  if (cids.length > 0) {
    if (cids.length > MAX_CIDS) throw badRequest(`cid lists ${cids.length} CIDs: at most ${MAX_CIDS}`)
    filters.cids = [...new Set(cids.map((text) => cidOf(text)))]
  }
  const name = query.get('name')
  const match = matchOf(query.get('match'))
  if (name != null && name !== '') filters.name = { text: nameOf(name, 'name'), match }
  const meta = query.get('meta')
  if (meta != null && meta !== '') {
    let parsed: unknown
    try {
      parsed = JSON.parse(meta)
    } catch {
      throw badRequest(`meta ${show(meta)} is not JSON: it must be an object of strings, like {"app_id":"..."}`)
    }
    if (parsed === null) throw badRequest('meta must be an object of strings')
    const object = metaOf(parsed, 'meta')
    if (Object.keys(object).length > 0) filters.meta = object
  }
  return filters
}

/** Every value of a parameter, repeated or comma-separated, empty items left out. */
function listOf (query: URLSearchParams, name: string): string[] {
  return query.getAll(name).flatMap((value) => value.split(',')).map((item) => item.trim()).filter((item) => item !== '')
}

function statusesOf (names: string[]): Set<SpecStatus> {
  if (names.length === 0) return new Set(['pinned'])
  const statuses = new Set<SpecStatus>()
  for (const name of names) {
    if (!(SPEC_STATUSES as readonly string[]).includes(name)) throw badRequest(`status ${show(name)} is not one of ${SPEC_STATUSES.join(', ')}`)
    statuses.add(name as SpecStatus)
  }
  return statuses
}

function matchOf (value: string | null): TextMatch {
  if (value == null || value === '') return 'exact'
  if (!(MATCHES as readonly string[]).includes(value)) throw badRequest(`match ${show(value)} is not one of ${MATCHES.join(', ')}`)
  return value as TextMatch
}

function limitOf (value: string | null): number {
  if (value == null || value === '') return DEFAULT_LIMIT
  const limit = /^\d{1,10}$/.test(value) ? Number(value) : NaN
  if (!(limit >= 1 && limit <= MAX_LIMIT)) throw badRequest(`limit ${show(value)} must be an integer from 1 to ${MAX_LIMIT}`)
  return limit
}

/** `created` before the date: below its millisecond, or up to it when the date has a fraction below one. */
function beforeOf (value: string | null): number | undefined {
  if (value == null || value === '') return undefined
  const { ms, belowMs } = dateOf('before', value)
  return belowMs ? ms + 1 : ms
}

/** `created` after the date: from the next millisecond on. */
function afterOf (value: string | null): number | undefined {
  if (value == null || value === '') return undefined
  return dateOf('after', value).ms + 1
}

/** A date in whole milliseconds (floor), and whether it had a fraction of a millisecond. */
function dateOf (name: string, value: string): { ms: number, belowMs: boolean } {
  const problem = rfc3339Problem(value)
  if (problem != null) throw badRequest(`${name} ${show(value)}: ${problem}`)
  const fraction = /\.(\d+)/.exec(value)?.[1] ?? ''
  const ms = Date.parse(value.toUpperCase().replace(/\.\d+/, fraction === '' ? '' : '.' + fraction.slice(0, 3).padEnd(3, '0')))
  if (!Number.isFinite(ms)) throw badRequest(`${name} ${show(value)} is out of range`)
  return { ms, belowMs: /[1-9]/.test(fraction.slice(3)) }
}
