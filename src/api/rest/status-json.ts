/**
 * The JSON answers of the status, recover, monitor and repo GC endpoints, in
 * IPFS Cluster's field order whatever order the RPC answer has (as
 * `canonicalPin` does for pins), and the `?local=true` forms: a peer's own
 * answer (PinInfo, RepoGC) wrapped in the global shape with one `peer_map`
 * entry, as IPFS Cluster's `PinInfo.ToGlobal` and `repoGCToGlobal` do.
 */
import type {
  AlertJson, GlobalPinInfoJson, GlobalRepoGCJson, MetricJson, PinInfoJson, PinInfoShortJson, RepoGCJson
} from '../types.ts'

export function canonicalGlobalPinInfo (info: GlobalPinInfoJson): GlobalPinInfoJson {
  const peerMap: Record<string, PinInfoShortJson> = {}
  for (const [peer, short] of Object.entries(info.peer_map)) peerMap[peer] = canonicalPinInfoShort(short)
  return {
    cid: info.cid,
    name: info.name,
    allocations: info.allocations,
    origins: info.origins,
    created: info.created,
    metadata: info.metadata,
    peer_map: peerMap
  }
}

/** The JSON of `peer_map` entries shared by many pins (frozen objects). */
const sharedEntries = new WeakMap<PinInfoShortJson, string>()

/**
 * JSON.stringify(canonicalGlobalPinInfo(info)), for long listings: the
 * fields are written in IPFS Cluster's order as they are, and a frozen
 * `peer_map` entry (a merged listing shares one per peer and status) is
 * serialized once.
 */
export function globalPinInfoJson (info: GlobalPinInfoJson): string {
  const { cid, name, allocations, origins, created, metadata } = info
  const head = JSON.stringify({ cid, name, allocations, origins, created, metadata })
  let entries = ''
  for (const peer in info.peer_map) {
    const short = info.peer_map[peer] as PinInfoShortJson
    let entry = sharedEntries.get(short)
    if (entry === undefined) {
      entry = JSON.stringify(canonicalPinInfoShort(short))
      if (Object.isFrozen(short)) sharedEntries.set(short, entry)
    }
    entries += (entries === '' ? '' : ',') + JSON.stringify(peer) + ':' + entry
  }
  return head.slice(0, -1) + ',"peer_map":{' + entries + '}}'
}

/** One peer's PinInfo as a GlobalPinInfo whose `peer_map` holds that peer only. */
export function globalFromLocal (info: PinInfoJson): GlobalPinInfoJson {
  return {
    cid: info.cid,
    name: info.name,
    allocations: info.allocations,
    origins: info.origins,
    created: info.created,
    metadata: info.metadata,
    peer_map: { [info.peer]: canonicalPinInfoShort(info) }
  }
}

/** The per-peer part; `ipfs_peer_id` and `ipfs_peer_addresses` left out when empty, as IPFS Cluster does. */
function canonicalPinInfoShort (info: PinInfoShortJson): PinInfoShortJson {
  const hasId = info.ipfs_peer_id != null && info.ipfs_peer_id !== ''
  const hasAddresses = info.ipfs_peer_addresses != null && info.ipfs_peer_addresses.length > 0
  return {
    peername: info.peername,
    ...(hasId ? { ipfs_peer_id: info.ipfs_peer_id } : {}),
    ...(hasAddresses ? { ipfs_peer_addresses: info.ipfs_peer_addresses } : {}),
    status: info.status,
    timestamp: info.timestamp,
    error: info.error,
    attempt_count: info.attempt_count,
    priority_pin: info.priority_pin
  }
}

export function canonicalMetric (metric: MetricJson): MetricJson {
  return {
    name: metric.name,
    peer: metric.peer,
    value: metric.value,
    expire: metric.expire,
    valid: metric.valid,
    weight: metric.weight,
    partitionable: metric.partitionable,
    received_at: metric.received_at
  }
}

export function canonicalAlert (alert: AlertJson): AlertJson {
  return { ...canonicalMetric(alert), triggered_at: alert.triggered_at }
}

export function canonicalGlobalRepoGC (gc: GlobalRepoGCJson): GlobalRepoGCJson {
  const peerMap: Record<string, RepoGCJson> = {}
  for (const [peer, item] of Object.entries(gc.peer_map)) peerMap[peer] = canonicalRepoGC(item)
  return { peer_map: peerMap }
}

/** This peer's garbage collection as a GlobalRepoGC whose `peer_map` holds that peer only. */
export function globalRepoGCFromLocal (gc: RepoGCJson): GlobalRepoGCJson {
  return { peer_map: { [gc.peer]: canonicalRepoGC(gc) } }
}

function canonicalRepoGC (gc: RepoGCJson): RepoGCJson {
  return {
    peer: gc.peer,
    peername: gc.peername,
    keys: gc.keys.map((k) => ({ key: k.key, error: k.error })),
    error: gc.error
  }
}
