/** What can go wrong talking to the REST API, each with its own name. */

/** The API answered an error: `{code, message}`. */
export class ApiError extends Error {
  static readonly NAME = 'ApiError'
  readonly code: number
  constructor (code: number, message: string) {
    super(message)
    this.name = ApiError.NAME
    this.code = code
  }
}

/** A streamed answer failed after some items had been sent (the X-Stream-Error trailer). */
export class StreamError extends Error {
  static readonly NAME = 'StreamError'
  constructor (message: string) {
    super(message)
    this.name = StreamError.NAME
  }
}

/** The API could not be reached, or the connection broke before the answer was complete. */
export class ConnectionError extends Error {
  static readonly NAME = 'ConnectionError'
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = ConnectionError.NAME
  }
}

/** The answer is not what the API sends (not JSON, missing body). */
export class ResponseError extends Error {
  static readonly NAME = 'ResponseError'
  constructor (message: string) {
    super(message)
    this.name = ResponseError.NAME
  }
}

/** A --host value that is neither a usable multiaddr nor an http(s) URL. */
export class HostError extends Error {
  static readonly NAME = 'HostError'
  constructor (host: string, reason: string) {
    super(`invalid host ${JSON.stringify(host)}: ${reason}`)
    this.name = HostError.NAME
  }
}

/** `--wait` gave up: the pin did not reach its status on every peer within --wait-timeout (exit code 62). */
export class WaitTimeoutError extends Error {
  static readonly NAME = 'WaitTimeoutError'
  constructor (message: string) {
    super(message)
    this.name = WaitTimeoutError.NAME
  }
}

/** `--wait` saw a peer fail the operation it waits for (pin_error, unpin_error). */
export class PinStatusError extends Error {
  static readonly NAME = 'PinStatusError'
  constructor (message: string) {
    super(message)
    this.name = PinStatusError.NAME
  }
}

/** --basic-auth without a password and no terminal to ask for it; or the prompt was cancelled. */
export class CredentialsError extends Error {
  static readonly NAME = 'CredentialsError'
  constructor (message: string) {
    super(message)
    this.name = CredentialsError.NAME
  }
}

/** Errors the user can act on: reported in one line, never with a stack trace. */
export function isExpectedError (err: unknown): boolean {
  return err instanceof ApiError || err instanceof StreamError || err instanceof ConnectionError ||
    err instanceof ResponseError || err instanceof HostError || err instanceof WaitTimeoutError ||
    err instanceof PinStatusError || err instanceof CredentialsError
}
