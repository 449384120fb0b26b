/** An ID in IPFS Cluster's field order, whatever order the RPC answer has (as `canonicalPin` does for pins). */
import type { IDJson } from '../types.ts'

export function canonicalId (id: IDJson): IDJson {
  return {
    id: id.id,
    addresses: id.addresses,
    cluster_peers: id.cluster_peers,
    cluster_peers_addresses: id.cluster_peers_addresses,
    version: id.version,
    commit: id.commit,
    rpc_protocol_version: id.rpc_protocol_version,
    error: id.error,
    ipfs: { id: id.ipfs.id, addresses: id.ipfs.addresses, error: id.ipfs.error },
    peername: id.peername
  }
}
