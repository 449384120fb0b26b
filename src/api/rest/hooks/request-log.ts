/**
 * The HTTP request log: one line per request once its answer is done (or
 * cut), in Apache's common log format as IPFS Cluster writes it, plus the
 * time taken. It never holds credentials: no headers at all, and query values
 * whose name looks secret are replaced.
 */
import type { FastifyInstance } from 'fastify'

export interface RequestLogSink {
  write(line: string): void
}

export interface RequestLogEntry {
  remote: string
  time: Date
  method: string
  url: string
  httpVersion: string
  /** undefined: the connection closed before any answer. */
  status: number | undefined
  /** The Content-Length sent, when there was one. */
  bytes: number | undefined
  durationMs: number
  /** The answer was cut before its end. */
  cut: boolean
}

export function addRequestLog (app: FastifyInstance, sink: RequestLogSink | undefined): void {
  if (sink == null) return
  app.addHook('onRequest', async (request, reply) => {
    const time = new Date()
    const started = process.hrtime.bigint()
    const res = reply.raw
    res.once('close', () => {
      const length = res.getHeader('content-length')
      sink.write(formatRequestLine({
        remote: request.ip,
        time,
        method: request.method,
        url: request.url,
        httpVersion: request.raw.httpVersion,
        status: res.headersSent ? res.statusCode : undefined,
        bytes: length == null ? undefined : Number(length),
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        cut: !res.writableFinished
      }))
    })
  })
}

/** `127.0.0.1 - - [05/Dec/2026:19:03:04 +0000] "GET /pins?cid=... HTTP/1.1" 200 123 4.2ms` */
export function formatRequestLine (entry: RequestLogEntry): string {
  const request = `${entry.method} ${oneLine(redactQuery(entry.url))} HTTP/${entry.httpVersion}`
  const status = entry.status == null ? '-' : String(entry.status)
  const bytes = entry.bytes == null || !Number.isFinite(entry.bytes) ? '-' : String(entry.bytes)
  const cut = entry.cut ? ' cut' : ''
  return `${entry.remote} - - [${clfTime(entry.time)}] "${request}" ${status} ${bytes} ${entry.durationMs.toFixed(1)}ms${cut}`
}

const SECRET_NAME = /token|pass|secret|auth|key|credential|signature/i

/** The URL with the values of secret-looking query parameters replaced. */
export function redactQuery (url: string): string {
  const mark = url.indexOf('?')
  if (mark < 0) return url
  const params = url.slice(mark + 1).split('&').map((param) => {
    const eq = param.indexOf('=')
    const name = eq < 0 ? param : param.slice(0, eq)
    return eq >= 0 && SECRET_NAME.test(safeDecode(name)) ? `${name}=REDACTED` : param
  })
  return `${url.slice(0, mark)}?${params.join('&')}`
}

function safeDecode (text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '))
  } catch {
    return text
  }
}

/** Quotes and control characters escaped: a request cannot forge log lines. */
function oneLine (text: string): string {
  let out = ''
  for (const c of text) {
    const code = c.charCodeAt(0)
    out += code < 0x20 || code === 0x7f || c === '"' || c === '\\' ? `\\x${code.toString(16).padStart(2, '0')}` : c
  }
  return out
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

function clfTime (time: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${pad(time.getUTCDate())}/${MONTHS[time.getUTCMonth()]}/${time.getUTCFullYear()}:` +
    `${pad(time.getUTCHours())}:${pad(time.getUTCMinutes())}:${pad(time.getUTCSeconds())} +0000`
}
