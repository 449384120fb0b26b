/**
 * Every failed answer is the spec's Failure object:
 * `{"error": {"reason": "BAD_REQUEST", "details": "..."}}`. `reason` is a
 * machine-readable code (from the HTTP status unless the error names its
 * own), `details` the human explanation.
 */
import type { FailureJson } from './types.ts'

/** An error with the HTTP status (and optionally the reason) to answer. */
export class PinSvcError extends Error {
  static readonly NAME = 'PinSvcError'
  readonly statusCode: number
  readonly reason: string | undefined

  constructor (statusCode: number, details: string, reason?: string) {
    super(details)
    this.name = PinSvcError.NAME
    this.statusCode = statusCode
    this.reason = reason
  }
}

export function badRequest (details: string): PinSvcError {
  return new PinSvcError(400, details)
}

export function notFound (details: string): PinSvcError {
  return new PinSvcError(404, details)
}

/** The API is stopping: requests in flight are cut short. */
export class ApiStoppingError extends Error {
  static readonly NAME = 'ApiStoppingError'
  constructor () {
    super('the Pinning Service API is stopping')
    this.name = ApiStoppingError.NAME
  }
}

const REASON_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  431: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
  500: 'INTERNAL_SERVER_ERROR',
  501: 'NOT_IMPLEMENTED',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT'
}

/** Statuses of errors coming out of RPC calls, by name (names survive the RPC wire). */
const BY_NAME: Readonly<Record<string, { status: number, reason?: string }>> = {
  [ApiStoppingError.NAME]: { status: 503 },
  AbortError: { status: 503 },
  TimeoutError: { status: 504 },
  RpcAuthorizationError: { status: 403 },
  RpcUnknownMethodError: { status: 501 },
  RpcClientError: { status: 502 },
  PinNotFoundError: { status: 404 },
  PinValidationError: { status: 400 },
  NoLeaderError: { status: 503, reason: 'NO_LEADER' },
  InsufficientAllocationsError: { status: 503, reason: 'INSUFFICIENT_ALLOCATIONS' },
  PinQueueFullError: { status: 503, reason: 'PIN_QUEUE_FULL' },
  IpfsUnavailableError: { status: 502 }
}

export function statusOf (err: unknown): number {
  const statusCode = (err as { statusCode?: unknown } | null)?.statusCode
  if (typeof statusCode === 'number' && Number.isInteger(statusCode) && statusCode >= 400 && statusCode <= 599) return statusCode
  const name = err instanceof Error ? err.name : ''
  return Object.hasOwn(BY_NAME, name) ? (BY_NAME[name]?.status ?? 500) : 500
}

export function failureBody (status: number, err: unknown): FailureJson {
  const details = err instanceof Error ? err.message : String(err)
  const name = err instanceof Error ? err.name : ''
  const reason = (err instanceof PinSvcError ? err.reason : undefined) ??
    (Object.hasOwn(BY_NAME, name) ? BY_NAME[name]?.reason : undefined) ??
    REASON_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST')
  return { error: details === '' ? { reason } : { reason, details } }
}
