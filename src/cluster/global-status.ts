/**
 * Every peer's status folded into IPFS Cluster's GlobalPinInfo. The full
 * listing merges the peers' streams, each in the pinset's CID order, holding
 * one item per peer at a time: memory does not grow with the pinset.
 */
import type { GlobalPinInfoJson, PinInfoJson, PinInfoShortJson, PinJson } from '../api/types.ts'
import type { CompactPinStatus } from '../rpc-api.ts'

export function shortInfo (info: PinInfoJson): PinInfoShortJson {
  const short: PinInfoShortJson = {
    peername: info.peername,
    status: info.status,
    timestamp: info.timestamp,
    error: info.error,
    attempt_count: info.attempt_count,
    priority_pin: info.priority_pin
  }
  if (info.ipfs_peer_id != null) short.ipfs_peer_id = info.ipfs_peer_id
  if (info.ipfs_peer_addresses != null) short.ipfs_peer_addresses = info.ipfs_peer_addresses
  return short
}

/** A peer that did not answer, as IPFS Cluster shows it: its id as peername, `cluster_error`. */
export function unreachable (peer: string, error: Error): PinInfoShortJson {
  return { peername: peer, status: 'cluster_error', timestamp: new Date().toISOString(), error: error.message, attempt_count: 0, priority_pin: false }
}

export function globalInfo (base: Pick<PinInfoJson, 'cid' | 'name' | 'allocations' | 'origins' | 'created' | 'metadata'>): GlobalPinInfoJson {
  return {
    cid: base.cid,
    name: base.name,
    allocations: base.allocations,
    origins: base.origins,
    created: base.created,
    metadata: base.metadata,
    peer_map: {}
  }
}

/** The GlobalPinInfo base of a pin no peer answered for. */
export function baseOfPin (pin: PinJson): Pick<PinInfoJson, 'cid' | 'name' | 'allocations' | 'origins' | 'created' | 'metadata'> {
  return { cid: pin.cid, name: pin.name, allocations: pin.allocations, origins: pin.origins, created: pin.timestamp, metadata: pin.metadata }
}

/** One answer per peer (as multiCall gives them) folded into one GlobalPinInfo. */
export function foldAnswers (answers: Array<{ peer: string, value?: PinInfoJson, error?: Error }>, fallback: () => GlobalPinInfoJson): GlobalPinInfoJson {
  const first = answers.find((a) => a.value != null)?.value
  const global = first != null ? globalInfo(first) : fallback()
  for (const a of answers) global.peer_map[a.peer] = a.value != null ? shortInfo(a.value) : unreachable(a.peer, a.error ?? new Error('no answer'))
  return global
}

/** A peer's names, as its compact stream or status ranges give them once. */
export type PeerNames = NonNullable<CompactPinStatus['by']>

/** A peer's stream: full PinInfos (this peer's own, through the local shortcut) or the compact form (the others'). */
export type StatusSource =
  | { peer: string, items: AsyncIterable<PinInfoJson> }
  | { peer: string, compact: AsyncIterable<CompactPinStatus> }

/** The pin's fields of a GlobalPinInfo, for a CID only compact streams listed. */
export type PinBase = Pick<PinInfoJson, 'cid' | 'name' | 'allocations' | 'origins' | 'created' | 'metadata'>

interface Current {
  cid: string
  short: PinInfoShortJson
  base?: PinInfoJson
}

interface Head {
  peer: string
  iterator: AsyncIterator<PinInfoJson | CompactPinStatus>
  compact: boolean
  /** The peer's names, from its compact stream's first item. */
  names: PeerNames
  item?: Current
  error?: Error
}

function headOf (source: StatusSource): Head {
  const compact = 'compact' in source
  const items: AsyncIterable<PinInfoJson | CompactPinStatus> = compact ? source.compact : source.items
  return { peer: source.peer, iterator: items[Symbol.asyncIterator](), compact, names: { peername: source.peer } }
}

function fromCompact (head: Head, item: CompactPinStatus): Current {
  if (item.by != null) head.names = item.by
  return { cid: item.cid, short: shortOfCompact(head.names, item) }
}

/** A peer's part in a pin from its compact status and names, in IPFS Cluster's field order; the IPFS fields omitted when unknown. */
export function shortOfCompact (names: PeerNames, item: Pick<CompactPinStatus, 'status' | 'timestamp' | 'error' | 'attempt_count' | 'priority_pin'>): PinInfoShortJson {
  const { peername, ipfs_peer_id: ipfsId, ipfs_peer_addresses: ipfsAddresses } = names
  return {
    peername,
    ...(ipfsId != null ? { ipfs_peer_id: ipfsId } : {}),
    ...(ipfsAddresses != null ? { ipfs_peer_addresses: ipfsAddresses } : {}),
    status: item.status,
    timestamp: item.timestamp,
    error: item.error ?? '',
    attempt_count: item.attempt_count ?? 0,
    priority_pin: item.priority_pin ?? false
  }
}

function cidOnly (cid: string): PinBase {
  return { cid, name: '', allocations: [], origins: [], created: '0001-01-01T00:00:00Z', metadata: null }
}

/**
 * Merges the peers' status streams by CID. A peer whose stream fails shows
 * `cluster_error` in every later item when `showFailed` (the filter wants
 * errors), and nowhere otherwise. The pin's fields come from a full stream's
 * item, else from `baseOf` (the merging peer's state).
 */
export async function * mergeStatusStreams (sources: StatusSource[], showFailed: boolean, baseOf: (cid: string) => Promise<PinBase> = async (cid) => cidOnly(cid)): AsyncGenerator<GlobalPinInfoJson> {
  const heads = sources.map(headOf)
  const advance = async (head: Head): Promise<void> => {
    try {
      const next = await head.iterator.next()
      if (next.done === true) head.item = undefined
      else if (head.compact) head.item = fromCompact(head, next.value as CompactPinStatus)
      else head.item = { cid: next.value.cid, short: shortInfo(next.value as PinInfoJson), base: next.value as PinInfoJson }
    } catch (err) {
      head.item = undefined
      head.error = err as Error
    }
  }
  try {
    await Promise.all(heads.map(advance))
    while (true) {
      let cid: string | undefined
      for (const h of heads) if (h.item != null && (cid === undefined || h.item.cid < cid)) cid = h.item.cid
      if (cid === undefined) return
      const equal = heads.filter((h) => h.item?.cid === cid)
      const full = equal.find((h) => h.item?.base != null)?.item?.base
      const global = globalInfo(full ?? await baseOf(cid))
      for (const h of heads) {
        if (h.item?.cid === cid) global.peer_map[h.peer] = h.item.short
        else if (h.error != null && showFailed) global.peer_map[h.peer] = unreachable(h.peer, h.error)
      }
      yield global
      await Promise.all(equal.map(advance))
    }
  } finally {
    await Promise.all(heads.map(async (h) => h.iterator.return?.()))
  }
}
