/** The REST API's answer to requests too malformed to reach fastify. */
import { STATUS_CODES } from 'node:http'
import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

/** Requests too malformed to reach fastify (bad framing, headers too large, timeouts) still get a `{code, message}` answer. */
export function onClientError (err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const [status, message] = err.code === 'HPE_HEADER_OVERFLOW'
    ? [431, 'request header fields too large']
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'request timeout']
      : [400, 'bad request']
  const response = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage
  if (response == null || !response.headersSent) {
    const body = JSON.stringify({ code: status, message })
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' + body)
  }
  socket.destroy()
}
