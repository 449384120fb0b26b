/**
 * The HTTP client of the REST API, shared by every command. Built on
 * node:http(s) rather than fetch because fetch cannot read the
 * X-Stream-Error trailer that reports a stream failing midway.
 */
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { ApiError, ConnectionError, ResponseError, StreamError } from './errors.ts'
import type { ApiEndpoint } from './host.ts'
import type { IncomingMessage } from 'node:http'
import type { Readable } from 'node:stream'

export interface ClientInit {
  endpoint: ApiEndpoint
  /** The Authorization header to send, if any. */
  authorization?: string
  /** false: accept any https server certificate (--no-check-certificate). Default true. */
  rejectUnauthorized?: boolean
  /** Gets a line per request and response. */
  debug?: (line: string) => void
}

export interface RequestOptions {
  signal?: AbortSignal
}

export interface StreamOptions extends RequestOptions {
  /** GET by default; POST for streams that act (`pins/recover`). */
  method?: 'GET' | 'POST'
  /** A request body, streamed as it is read (uploads: `add`). */
  body?: { contentType: string, stream: Readable }
}

export class ClusterClient {
  private readonly endpoint: ApiEndpoint
  private readonly authorization: string | undefined
  private readonly rejectUnauthorized: boolean
  private readonly debug: ((line: string) => void) | undefined

  constructor (init: ClientInit) {
    this.endpoint = init.endpoint
    this.authorization = init.authorization
    this.rejectUnauthorized = init.rejectUnauthorized ?? true
    this.debug = init.debug
  }

  /** GET a JSON answer. `path` is relative to the endpoint ("id", "pins/<cid>"), query included. */
  async get<T> (path: string, options: RequestOptions = {}): Promise<T> {
    return this.json<T>('GET', path, options)
  }

  /** POST without a body, for a JSON answer (the API takes its parameters in the query). */
  async post<T> (path: string, options: RequestOptions = {}): Promise<T> {
    return this.json<T>('POST', path, options)
  }

  /** DELETE, for a JSON answer. */
  async delete<T> (path: string, options: RequestOptions = {}): Promise<T> {
    return this.json<T>('DELETE', path, options)
  }

  /** A request answered with 204 No Content (or an error). */
  async noContent (method: 'DELETE' | 'POST', path: string, options: RequestOptions = {}): Promise<void> {
    const res = await this.send(method, path, options.signal)
    const body = await readBody(res, options.signal)
    if (isError(res)) throw this.failure(res, body)
  }

  /**
   * GET (or POST) a streamed (NDJSON) answer, yielding items as their lines
   * arrive. Ends with a StreamError if the server reports a failure in the
   * X-Stream-Error trailer; a 204 is an empty stream.
   */
  async * stream<T> (path: string, options: StreamOptions = {}): AsyncGenerator<T> {
    const { signal } = options
    const res = await this.send(options.method ?? 'GET', path, signal, options.body)
    try {
      if (isError(res)) throw this.failure(res, await readBody(res, signal))
      if (res.statusCode === 204) return
      res.setEncoding('utf8')
      let pending = ''
      try {
        for await (const chunk of res) {
          pending += chunk as string
          let end: number
          while ((end = pending.indexOf('\n')) >= 0) {
            const line = pending.slice(0, end)
            pending = pending.slice(end + 1)
            if (line.trim() !== '') yield parseJson(line) as T
          }
        }
      } catch (err) {
        throw readFailure(err, signal)
      }
      if (pending.trim() !== '') yield parseJson(pending) as T
      if (!res.complete) throw new ConnectionError('the connection closed before the stream was complete')
      const failure = res.trailers['x-stream-error']
      if (failure != null && failure !== '') throw new StreamError(failure)
    } finally {
      // a consumer that stops early closes the connection, which ends the stream on the server
      res.destroy()
    }
  }

  private async json<T> (method: string, path: string, options: RequestOptions): Promise<T> {
    const res = await this.send(method, path, options.signal)
    const body = await readBody(res, options.signal)
    if (isError(res)) throw this.failure(res, body)
    if (body.trim() === '') throw new ResponseError(`empty answer from ${method} /${path} (status ${res.statusCode})`)
    return parseJson(body) as T
  }

  /** The API's error; a 401 says how to give credentials when none were sent. */
  private failure (res: IncomingMessage, body: string): ApiError {
    const err = apiError(res, body)
    if (err.code !== 401 || this.authorization != null) return err
    return new ApiError(err.code, `${err.message} (cluster-ctl sends credentials with --basic-auth <user[:password]>)`)
  }

  private async send (method: string, path: string, signal: AbortSignal | undefined, body?: StreamOptions['body']): Promise<IncomingMessage> {
    signal?.throwIfAborted()
    const url = new URL(path, this.endpoint.url)
    const headers: Record<string, string> = { accept: 'application/json' }
    if (this.authorization != null) headers.authorization = this.authorization
    if (body != null) headers['content-type'] = body.contentType
    // the Authorization header is never printed, not even with --debug
    this.debug?.(`${method} ${url.href}`)
    return new Promise((resolve, reject) => {
      const onResponse = (res: IncomingMessage): void => {
        this.debug?.(`${res.statusCode} ${res.statusMessage} from ${method} ${url.href}`)
        resolve(res)
      }
      const options = { method, headers, family: this.endpoint.family, signal }
      const req = url.protocol === 'https:'
        ? httpsRequest(url, { ...options, rejectUnauthorized: this.rejectUnauthorized }, onResponse)
        : httpRequest(url, options, onResponse)
      req.on('error', (err: NodeJS.ErrnoException) => {
        reject(signal?.aborted === true
          ? signal.reason
          : new ConnectionError(`cannot reach the cluster peer at ${url.origin}: ${err.message}${tlsHint(err)}`, { cause: err }))
      })
      if (body == null) {
        req.end()
      } else {
        body.stream.once('error', (err: Error) => { req.destroy(new Error(`reading what to upload failed: ${err.message}`, { cause: err })) })
        // an upload dropped before it was sent whole (the answer came first) leaves a request the connection can never finish
        body.stream.once('close', () => { if (!req.writableEnded) req.destroy() })
        body.stream.pipe(req)
      }
    })
  }
}

/** Certificate checks that fail on a self-signed or otherwise unknown certificate. */
const CERTIFICATE_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID'
])

function tlsHint (err: NodeJS.ErrnoException): string {
  if (err.code != null && CERTIFICATE_ERRORS.has(err.code)) return ' (to accept this certificate anyway: --no-check-certificate)'
  if (err.code === 'EPROTO' && /wrong version number|packet length too long/i.test(err.message)) return ' (the API may be plain http: check --host and --https)'
  return ''
}

function isError (res: IncomingMessage): boolean {
  return (res.statusCode ?? 0) >= 400
}

async function readBody (res: IncomingMessage, signal: AbortSignal | undefined): Promise<string> {
  res.setEncoding('utf8')
  let body = ''
  try {
    for await (const chunk of res) body += chunk as string
  } catch (err) {
    throw readFailure(err, signal)
  }
  return body
}

function readFailure (err: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted === true) return signal.reason
  return new ConnectionError(`the connection broke before the answer was complete: ${(err as Error).message}`, { cause: err })
}

/** The API's `{code, message}`, or the status line when the body is something else (a proxy's page). */
function apiError (res: IncomingMessage, body: string): ApiError {
  const status = res.statusCode ?? 0
  try {
    const parsed = JSON.parse(body) as { code?: unknown, message?: unknown }
    if (typeof parsed.message === 'string') {
      return new ApiError(typeof parsed.code === 'number' ? parsed.code : status, parsed.message)
    }
  } catch {
    // not JSON: fall back to the text
  }
  const text = body.trim().split('\n', 1)[0] ?? ''
  return new ApiError(status, text !== '' ? text : (res.statusMessage ?? `HTTP ${status}`))
}

function parseJson (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new ResponseError(`the API answered something that is not JSON: ${text.slice(0, 80)}`)
  }
}
