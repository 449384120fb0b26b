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

export interface ClientInit {
  endpoint: ApiEndpoint
  /** The Authorization header to send, if any. */
  authorization?: string
  /** Gets a line per request and response. */
  debug?: (line: string) => void
}

export interface RequestOptions {
  signal?: AbortSignal
}

export interface StreamOptions extends RequestOptions {
  /** GET by default; POST for streams that act (`pins/recover`). */
  method?: 'GET' | 'POST'
}

export class ClusterClient {
  private readonly endpoint: ApiEndpoint
  private readonly authorization: string | undefined
  private readonly debug: ((line: string) => void) | undefined

  constructor (init: ClientInit) {
    this.endpoint = init.endpoint
    this.authorization = init.authorization
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
    if (isError(res)) throw apiError(res, body)
  }

  /**
   * GET (or POST) a streamed (NDJSON) answer, yielding items as their lines
   * arrive. Ends with a StreamError if the server reports a failure in the
   * X-Stream-Error trailer; a 204 is an empty stream.
   */
  async * stream<T> (path: string, options: StreamOptions = {}): AsyncGenerator<T> {
    const { signal } = options
    const res = await this.send(options.method ?? 'GET', path, signal)
    try {
      if (isError(res)) throw apiError(res, await readBody(res, signal))
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
    if (isError(res)) throw apiError(res, body)
    if (body.trim() === '') throw new ResponseError(`empty answer from ${method} /${path} (status ${res.statusCode})`)
    return parseJson(body) as T
  }

  private async send (method: string, path: string, signal: AbortSignal | undefined): Promise<IncomingMessage> {
    signal?.throwIfAborted()
    const url = new URL(path, this.endpoint.url)
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest
    const headers: Record<string, string> = { accept: 'application/json' }
    if (this.authorization != null) headers.authorization = this.authorization
    this.debug?.(`${method} ${url.href}`)
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers, family: this.endpoint.family, signal }, (res) => {
        this.debug?.(`${res.statusCode} ${res.statusMessage} from ${method} ${url.href}`)
        resolve(res)
      })
      req.on('error', (err) => {
        reject(signal?.aborted === true
          ? signal.reason
          : new ConnectionError(`cannot reach the cluster peer at ${url.origin}: ${err.message}`, { cause: err }))
      })
      req.end()
    })
  }
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
