/**
 * Every peer's status folded into IPFS Cluster's GlobalPinInfo. The full
 * listing merges the peers' streams, each in the pinset's CID order, holding
 * one item per peer at a time: memory does not grow with the pinset.
 */
import type { GlobalPinInfoJson, PinInfoJson, PinInfoShortJson, PinJson } from '../api/types.ts'

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

interface Head {
  peer: string
  iterator: AsyncIterator<PinInfoJson>
  item?: PinInfoJson
  error?: Error
}

/**
 * Merges the peers' status streams by CID. A peer whose stream fails shows
 * `cluster_error` in every later item when `showFailed` (the filter wants
 * errors), and nowhere otherwise.
 */
export async function * mergeStatusStreams (streams: Array<{ peer: string, items: AsyncIterable<PinInfoJson> }>, showFailed: boolean): AsyncGenerator<GlobalPinInfoJson> {
  const heads: Head[] = streams.map(({ peer, items }) => ({ peer, iterator: items[Symbol.asyncIterator]() }))
  const advance = async (head: Head): Promise<void> => {
    try {
      const next = await head.iterator.next()
      head.item = next.done === true ? undefined : next.value
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
      const global = globalInfo(equal[0]?.item as PinInfoJson)
      for (const h of heads) {
        if (h.item?.cid === cid) global.peer_map[h.peer] = shortInfo(h.item)
        else if (h.error != null && showFailed) global.peer_map[h.peer] = unreachable(h.peer, h.error)
      }
      yield global
      await Promise.all(equal.map(advance))
    }
  } finally {
    await Promise.all(heads.map(async (h) => h.iterator.return?.()))
  }
}
