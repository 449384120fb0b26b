/**
 * The shapes users and clients know from IPFS Cluster (api/types.go), with
 * their exact JSON field names. These objects cross the RPC as they are and are
 * written to HTTP answers as they are.
 */

/** The IPFS node behind a cluster peer, as shown in ID. */
export interface IPFSIDJson {
  id: string
  addresses: string[]
  error: string
}

/** A cluster peer's identity (`GET /id`, one item of `GET /peers`). */
export interface IDJson {
  id: string
  addresses: string[]
  cluster_peers: string[]
  cluster_peers_addresses: string[]
  version: string
  commit: string
  rpc_protocol_version: string
  error: string
  ipfs: IPFSIDJson
  peername: string
}

/** `GET /version`. */
export interface VersionJson {
  version: string
}

/** The error body of every failed HTTP call. */
export interface ApiErrorJson {
  code: number
  message: string
}
