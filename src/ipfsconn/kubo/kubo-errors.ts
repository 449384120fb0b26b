/**
 * Turns what kubo-rpc-client and fetch throw into the connector's typed
 * errors: a refused or failed connection is IpfsUnavailableError, an error
 * answer of the daemon is IpfsRequestError with its message. Aborts and our
 * own typed errors pass through unchanged.
 */
import { IpfsRequestError, IpfsUnavailableError } from '../errors.ts'

const PASS_THROUGH = new Set(['AbortError', 'TimeoutError', 'PinTimeoutError', 'UnpinTimeoutError', 'InactivityTimeout',
  'IpfsUnavailableError', 'IpfsRequestError', 'IpfsInvalidRequestError'])

function causeCode (err: Error): string | undefined {
  const cause = err.cause as { code?: unknown, message?: unknown } | undefined
  if (cause == null) return undefined
  if (typeof cause.code === 'string') return cause.code
  if (typeof cause.message === 'string') return cause.message
  return undefined
}

export function toIpfsError (err: unknown, api: URL, what: string): Error {
  if (!(err instanceof Error)) return new IpfsRequestError(`${what}: ${String(err)}`)
  if (PASS_THROUGH.has(err.name)) return err
  // undici: TypeError('fetch failed', { cause: ECONNREFUSED... }); node:http: the code itself
  const code = causeCode(err) ?? (err as NodeJS.ErrnoException).code
  // a socket error (ECONNREFUSED, ECONNRESET...) or undici's (UND_ERR_SOCKET: the daemon went away mid-answer)
  if (err.message === 'fetch failed' || (typeof code === 'string' && /^(E[A-Z]+$|UND_ERR_)/.test(code))) {
    return new IpfsUnavailableError(`${what}: the IPFS API at ${api.origin} does not answer (${code ?? err.message})`, { cause: err })
  }
  return new IpfsRequestError(`${what}: ${err.message}`, { cause: err })
}
