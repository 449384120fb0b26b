/**
 * Every failed answer of the REST API is `{"code": <status>, "message": "..."}`.
 * This decides the status of an error: 4xx for what the client got wrong, 5xx
 * only for faults on our side or beyond.
 */
import type { ApiErrorJson } from '../../api/types.ts'

/** An error with the HTTP status to answer; routes throw it for bad input. */
export class HttpError extends Error {
  static readonly NAME = 'HttpError'
  readonly statusCode: number
  constructor (statusCode: number, message: string) {
    super(message)
    this.name = HttpError.NAME
    this.statusCode = statusCode
  }
}

/** The REST API is stopping: streams end and new work is refused. */
export class ApiStoppingError extends Error {
  static readonly NAME = 'ApiStoppingError'
  constructor () {
    super('the REST API is stopping')
    this.name = ApiStoppingError.NAME
  }
}

/**
 * Status by error name, for errors coming out of RPC calls (names survive the
 * RPC wire). Application errors get their entry as services define them, e.g.
 * `PinNotFoundError: 404`.
 */
const STATUS_BY_NAME: Readonly<Record<string, number>> = {
  [ApiStoppingError.NAME]: 503,
  // the caller's signal: the client went away or the API is stopping
  AbortError: 503,
  TimeoutError: 504,
  RpcAuthorizationError: 403,
  // this peer does not offer the method (its component is not part of this build or config)
  RpcUnknownMethodError: 501,
  // another peer could not be reached or answered garbage
  RpcClientError: 502,
  // the CID is not in the pinset (Cluster.Unpin, Cluster.PinGet)
  PinNotFoundError: 404,
  PeerNotFoundError: 404,
  // POST /peers: the peer to add did not answer, so it was not added (its id was fine)
  PeerUnreachableError: 422,
  // a pin the services refuse (bad options, bad replication factors)
  PinValidationError: 400,
  // the consensus has no leader to commit through (yet): try again later
  NoLeaderError: 503,
  // not enough peers to allocate the pin to: 500 as in IPFS Cluster, with the allocator's message
  InsufficientAllocationsError: 500,
  // the pin tracker's queue is full: try again later
  PinQueueFullError: 503,
  // this peer's IPFS node does not answer: the daemon behind us failed
  IpfsUnavailableError: 502,
  // the IPFS connector refuses the request before asking IPFS (a bad path or CID)
  IpfsInvalidRequestError: 400,
  // /ipns/ paths on a peer whose (embedded) IPFS node has no IPNS
  IpnsUnavailableError: 501,
  // a malformed IPFS path (checked before any RPC call), or one that does not resolve (no such link)
  InvalidPathError: 400,
  PathResolveError: 400
}

export function statusOf (err: unknown): number {
  const statusCode = (err as { statusCode?: unknown } | null)?.statusCode
  if (typeof statusCode === 'number' && Number.isInteger(statusCode) && statusCode >= 400 && statusCode <= 599) {
    return statusCode
  }
  const name = err instanceof Error ? err.name : undefined
  if (name != null && Object.hasOwn(STATUS_BY_NAME, name)) return STATUS_BY_NAME[name] as number
  return 500
}

export function errorBody (status: number, err: unknown): ApiErrorJson {
  const message = err instanceof Error ? err.message : String(err)
  return { code: status, message: message === '' ? `error ${status}` : message }
}
