/**
 * Errors of the IPFS connectors. Each keeps a stable `name`, so a caller on
 * this peer or across the RPC wire tests `err.name` (e.g. the pin tracker
 * telling a pin timeout from an unreachable IPFS node).
 */

/** The IPFS node does not answer (daemon down, connection refused), or the connector is not started. */
export class IpfsUnavailableError extends Error {
  static readonly NAME = 'IpfsUnavailableError'
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = IpfsUnavailableError.NAME
  }
}

/** A pin got no new block for pin_timeout. */
export class PinTimeoutError extends Error {
  static readonly NAME = 'PinTimeoutError'
  readonly cid: string
  constructor (cid: string, timeoutMs: number) {
    super(`pinning ${cid}: no new block arrived for ${timeoutMs} ms`)
    this.name = PinTimeoutError.NAME
    this.cid = cid
  }
}

/** An unpin took longer than unpin_timeout. */
export class UnpinTimeoutError extends Error {
  static readonly NAME = 'UnpinTimeoutError'
  readonly cid: string
  constructor (cid: string, timeoutMs: number) {
    super(`unpinning ${cid} took more than ${timeoutMs} ms`)
    this.name = UnpinTimeoutError.NAME
    this.cid = cid
  }
}

/** The IPFS node answered with an error (Kubo's RPC error message is kept). */
export class IpfsRequestError extends Error {
  static readonly NAME = 'IpfsRequestError'
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = IpfsRequestError.NAME
  }
}

/** A request the connector refuses before asking IPFS: bad CID, unknown codec or hash, bad path. */
export class IpfsInvalidRequestError extends Error {
  static readonly NAME = 'IpfsInvalidRequestError'
  constructor (message: string) {
    super(message)
    this.name = IpfsInvalidRequestError.NAME
  }
}

/** `/ipns/` paths need IPNS, which the embedded node does not run. */
export class IpnsUnavailableError extends Error {
  static readonly NAME = 'IpnsUnavailableError'
  constructor (path: string) {
    super(`cannot resolve ${path}: IPNS is not available on the embedded IPFS node`)
    this.name = IpnsUnavailableError.NAME
  }
}
