/** This peer's PinInfo for a pin, in IPFS Cluster's JSON. */
import type { IpfsPinType, PinInfoJson, PinJson, PinMode, TrackerStatus } from '../api/types.ts'
import type { CompactPinStatus } from '../rpc-api.ts'

/** Who answers: the cluster peer and its IPFS node (empty while unknown). */
export interface Answerer {
  peer: string
  peername: string
  ipfsId: string
  ipfsAddresses: string[]
}

export interface StatusFields {
  status: TrackerStatus
  timestamp: string
  error?: string
  attempt_count?: number
  priority_pin?: boolean
}

export function pinInfo (pin: PinJson, by: Answerer, fields: StatusFields): PinInfoJson {
  const info: PinInfoJson = {
    cid: pin.cid,
    name: pin.name,
    peer: by.peer,
    allocations: pin.allocations,
    origins: pin.origins,
    created: pin.timestamp,
    metadata: pin.metadata,
    peername: by.peername,
    status: fields.status,
    timestamp: fields.timestamp,
    error: fields.error ?? '',
    attempt_count: fields.attempt_count ?? 0,
    priority_pin: fields.priority_pin ?? false
  }
  // IPFS Cluster omits them when empty
  if (by.ipfsId !== '') info.ipfs_peer_id = by.ipfsId
  if (by.ipfsAddresses.length > 0) info.ipfs_peer_addresses = by.ipfsAddresses
  return info
}

/** A PinInfo in the compact form; `withNames` for a stream's first item. */
export function compactStatus (info: PinInfoJson, withNames: boolean): CompactPinStatus {
  const compact: CompactPinStatus = { cid: info.cid, status: info.status, timestamp: info.timestamp }
  if (info.error !== '') compact.error = info.error
  if (info.attempt_count !== 0) compact.attempt_count = info.attempt_count
  if (info.priority_pin) compact.priority_pin = true
  if (withNames) {
    compact.by = { peername: info.peername }
    if (info.ipfs_peer_id != null) compact.by.ipfs_peer_id = info.ipfs_peer_id
    if (info.ipfs_peer_addresses != null) compact.by.ipfs_peer_addresses = info.ipfs_peer_addresses
  }
  return compact
}

/** The answering peer's names as a compact stream or status range gives them once; the IPFS fields omitted while unknown. */
export function answererNames (by: Answerer): NonNullable<CompactPinStatus['by']> {
  const names: NonNullable<CompactPinStatus['by']> = { peername: by.peername }
  if (by.ipfsId !== '') names.ipfs_peer_id = by.ipfsId
  if (by.ipfsAddresses.length > 0) names.ipfs_peer_addresses = by.ipfsAddresses
  return names
}

/** Whether the IPFS node holds a pin of this mode: recursive needs a recursive pin; direct, any pin of the block itself. */
export function satisfies (mode: PinMode, held: IpfsPinType): boolean {
  return mode === 'recursive' ? held === 'recursive' : held === 'recursive' || held === 'direct'
}

/** Whether a pin is this peer's to pin: allocated here, or to every peer (no allocations). */
export function allocatedTo (pin: PinJson, peer: string): boolean {
  return pin.allocations.length === 0 || pin.allocations.includes(peer)
}
