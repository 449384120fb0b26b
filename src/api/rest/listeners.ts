/**
 * The HTTP servers of the REST API, one per listen address, all handing
 * requests to the same handler. Ours rather than fastify.listen() because the
 * config lists any number of addresses and fastify binds one (or "localhost").
 * With a certificate and key they serve HTTPS instead.
 */
import { STATUS_CODES, createServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { ListenAddress } from './listen-address.ts'
import type { TlsFiles } from './tls.ts'
import type { Logger } from '@libp2p/logger'
import type { IncomingMessage, RequestListener, Server as HttpServer, ServerOptions, ServerResponse } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'

type Server = HttpServer | HttpsServer

export class HttpListeners {
  private readonly handler: RequestListener
  private readonly options: ServerOptions
  private readonly log: Logger
  private readonly tls: TlsFiles | undefined
  private readonly servers: Server[] = []
  private closing = false

  constructor (handler: RequestListener, options: ServerOptions, log: Logger, tls?: TlsFiles) {
    this.handler = handler
    this.options = options
    this.log = log
    this.tls = tls
  }

  /** True when the servers speak HTTPS. */
  get secure (): boolean {
    return this.tls != null
  }

  /** Binds every address; if one fails, closes those already bound and rejects. */
  async listen (addresses: ListenAddress[], signal?: AbortSignal): Promise<void> {
    try {
      for (const address of addresses) {
        signal?.throwIfAborted()
        this.servers.push(await this.listenOne(address))
      }
    } catch (err) {
      await this.close()
      throw err
    }
  }

  addresses (): AddressInfo[] {
    return this.servers.map((s) => s.address()).filter((a): a is AddressInfo => a != null && typeof a === 'object')
  }

  /**
   * Stops accepting connections and resolves once every connection is gone:
   * idle ones close now, busy ones after their response.
   */
  async close (): Promise<void> {
    this.closing = true
    await Promise.all(this.servers.map(async (server) => {
      await new Promise<void>((resolve) => {
        server.close(() => { resolve() })
      })
    }))
    this.servers.length = 0
  }

  /** Cuts every connection, busy or not: for a stop that must not wait. */
  destroyConnections (): void {
    for (const server of this.servers) server.closeAllConnections()
  }

  private async listenOne (address: ListenAddress): Promise<Server> {
    const listener: RequestListener = (req, res) => { this.onRequest(server, req, res) }
    const server: Server = this.tls == null
      ? createServer(this.options, listener)
      : createHttpsServer({ ...this.options, cert: this.tls.cert, key: this.tls.key }, listener)
    server.on('clientError', onClientError)
    // a client that does not speak TLS, or refuses our certificate: nothing to answer
    server.on('tlsClientError', (err: Error) => { this.log('TLS handshake failed: %s', err.message) })
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => { reject(err) }
      server.once('error', onError)
      server.listen({
        host: address.host,
        port: address.port,
        ipv6Only: address.family === 6
      }, () => {
        server.off('error', onError)
        resolve()
      })
    })
    server.on('error', (err) => { this.log.error('REST API server error: %s', err.message) })
    return server
  }

  private onRequest (server: Server, req: IncomingMessage, res: ServerResponse): void {
    if (this.closing) {
      res.shouldKeepAlive = false
    } else {
      // a keep-alive connection that was busy when close() began is idle now and must not linger
      res.once('finish', () => { if (this.closing) server.closeIdleConnections() })
    }
    this.handler(req, res)
  }
}

/** Requests too malformed to reach fastify (bad framing, headers too large, timeouts) still get a `{code, message}` answer. */
function onClientError (err: NodeJS.ErrnoException, socket: Socket): void {
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
