/**
 * Errors that cross the RPC wire. RPC-level failures have their own classes;
 * an application error thrown by a handler arrives as an `RpcRemoteError`
 * that keeps the original `name` (and `code` when set), so callers test
 * `err.name === 'PinNotFoundError'` whether the call was local or remote.
 */

export type RpcErrorKind = 'client' | 'server' | 'authorization' | 'unknown-method' | 'application'

/** The call could not be made or its answer could not be read (dial failure, reset, bad frame). */
export class RpcClientError extends Error {
  static readonly NAME = 'RpcClientError'
  readonly kind: RpcErrorKind = 'client'
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = RpcClientError.NAME
  }
}

/** The server failed to handle the call for a reason outside the handler (bad request, stopping). */
export class RpcServerError extends Error {
  static readonly NAME = 'RpcServerError'
  readonly kind: RpcErrorKind = 'server'
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = RpcServerError.NAME
  }
}

/** The calling peer is not allowed to call this method. */
export class RpcAuthorizationError extends Error {
  static readonly NAME = 'RpcAuthorizationError'
  readonly kind: RpcErrorKind = 'authorization'
  constructor (message: string) {
    super(message)
    this.name = RpcAuthorizationError.NAME
  }
}

/** No such service or method is registered on the called peer. */
export class RpcUnknownMethodError extends Error {
  static readonly NAME = 'RpcUnknownMethodError'
  readonly kind: RpcErrorKind = 'unknown-method'
  constructor (message: string) {
    super(message)
    this.name = RpcUnknownMethodError.NAME
  }
}

/** An error thrown by a remote handler, with its original name and code. */
export class RpcRemoteError extends Error {
  readonly kind: RpcErrorKind = 'application'
  readonly code?: string
  constructor (name: string, message: string, code?: string) {
    super(message)
    this.name = name
    if (code !== undefined) this.code = code
  }
}

/** The caller's AbortSignal fired. Same name as DOM's AbortError so one check covers both. */
export class RpcAbortError extends Error {
  static readonly NAME = 'AbortError'
  constructor (message = 'the call was aborted') {
    super(message)
    this.name = RpcAbortError.NAME
  }
}

/** The form an error takes on the wire. */
export interface WireError {
  k: RpcErrorKind
  n: string
  m: string
  c?: string
}

export function toWireError (err: unknown): WireError {
  if (err instanceof Error) {
    const kind = (err as { kind?: RpcErrorKind }).kind
    const code = (err as { code?: unknown }).code
    const wire: WireError = {
      k: kind === 'authorization' || kind === 'unknown-method' || kind === 'server' ? kind : 'application',
      n: err.name,
      m: err.message
    }
    if (typeof code === 'string') wire.c = code
    return wire
  }
  return { k: 'application', n: 'Error', m: String(err) }
}

export function fromWireError (wire: WireError): Error {
  switch (wire.k) {
    case 'authorization': return new RpcAuthorizationError(wire.m)
    case 'unknown-method': return new RpcUnknownMethodError(wire.m)
    case 'server': return new RpcServerError(wire.m)
    case 'client': return new RpcClientError(wire.m)
    default: return new RpcRemoteError(String(wire.n), String(wire.m), wire.c)
  }
}

export function isWireError (x: unknown): x is WireError {
  return typeof x === 'object' && x !== null && typeof (x as WireError).k === 'string' &&
    typeof (x as WireError).n === 'string' && typeof (x as WireError).m === 'string'
}
