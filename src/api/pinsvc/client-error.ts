/** The Pinning Service API's answer (a Failure) to requests too malformed to reach fastify. */
import type { Socket } from 'node:net'

/** Requests too malformed to reach fastify (bad framing, headers too large, timeouts) still get a Failure answer. */
export function onClientError (err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const [status, reason, text] = err.code === 'HPE_HEADER_OVERFLOW'
    ? [431, 'REQUEST_HEADER_FIELDS_TOO_LARGE', 'Request Header Fields Too Large']
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'REQUEST_TIMEOUT', 'Request Timeout']
      : [400, 'BAD_REQUEST', 'Bad Request']
  const body = JSON.stringify({ error: { reason, details: text.toLowerCase() } })
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
}
