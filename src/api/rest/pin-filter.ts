/**
 * The `filter` of `GET /allocations`: which pin types to list, as IPFS
 * Cluster's `PinTypeFromString` names them. No filter (or an empty one) lists
 * every type, as in IPFS Cluster's API; cluster-ctl asks for `all` unless told
 * otherwise. Unlike IPFS Cluster, which ignores an unknown name next to a
 * known one and reads an empty one as `all` (`pin,` lists everything), any
 * name that is not a type or `all` is a 400.
 */
import { badParameter, quote } from './query.ts'
import type { PinType } from '../types.ts'

export const PIN_TYPES: readonly PinType[] = ['pin', 'meta-pin', 'clusterdag-pin', 'shard-pin']
const ALL = 'all'

/** The types `filter` asks for; every type when it is absent or empty. Throws a 400 naming the bad name. */
export function parsePinTypeFilter (filter: string | null): ReadonlySet<PinType> {
  if (filter == null || filter === '') return new Set(PIN_TYPES)
  const types = new Set<PinType>()
  for (const name of filter.split(',')) {
    if (name === ALL) {
      for (const type of PIN_TYPES) types.add(type)
    } else if ((PIN_TYPES as readonly string[]).includes(name)) {
      types.add(name as PinType)
    } else {
      throw badParameter('filter', `${quote(name)} is not one of ${[...PIN_TYPES, ALL].join(', ')}`)
    }
  }
  return types
}
