/** The objects of the IPFS Pinning Service API (ipfs-pinning-service.yaml) and what this API stores of a request. */

/** A request's status, as the spec names them. */
export type SpecStatus = 'queued' | 'pinning' | 'pinned' | 'failed'

export const SPEC_STATUSES: readonly SpecStatus[] = ['queued', 'pinning', 'pinned', 'failed']

/** The spec's Pin object. */
export interface PinObject {
  cid: string
  name: string
  origins: string[]
  meta: Record<string, string>
}

/** The spec's PinStatus object. */
export interface PinStatusJson {
  requestid: string
  status: SpecStatus
  /** RFC 3339, unique per request on this peer (pages are cut by it). */
  created: string
  pin: PinObject
  /** Multiaddrs of the IPFS nodes that hold or will hold the pin (1 to 20). */
  delegates: string[]
  info: Record<string, string>
}

/** The spec's PinResults object. */
export interface PinResultsJson {
  count: number
  results: PinStatusJson[]
}

/** The spec's Failure object. */
export interface FailureJson {
  error: { reason: string, details?: string }
}

/** One request as stored: its Pin, its creation time, and the status last seen for it. */
export interface RequestRecord {
  id: string
  pin: PinObject
  created: string
  status: SpecStatus
}
