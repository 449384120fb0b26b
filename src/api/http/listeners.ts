/**
 * The HTTP servers of an API, one per listen address, all handing requests
 * to the same handler. Ours rather than fastify.listen() because the config
 * lists any number of addresses and fastify binds one (or "localhost").
 * With a certificate and key they serve HTTPS instead.
 */
import { createServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { ListenAddress } from './listen-address.ts'
import type { Logger } from '@libp2p/logger'
import type { IncomingMessage, RequestListener, Server as HttpServer, ServerOptions, ServerResponse } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'

type Server = HttpServer | HttpsServer

export interface TlsKeyPair {
  cert: Buffer
  key: Buffer
}

export interface HttpListenersInit {
  handler: RequestListener
  options: ServerOptions
  log: Logger
  /** The API's name, in logged errors. */
  name: string
  tls?: TlsKeyPair
  /**
   * Answers a request too malformed to reach the handler (bad framing,
   * headers too large, a timeout) in the API's error shape; Node's bare
   * answer without it.
   */
  onClientError?: (err: NodeJS.ErrnoException, socket: Socket) => void
}

export class HttpListeners {
  private readonly init: HttpListenersInit
  private readonly servers: Server[] = []
  /** Connections answered before their request body arrived whole: see onRequest. */
  private readonly unfinishedBodies = new Set<Socket>()
  private closing = false

  constructor (init: HttpListenersInit) {
    this.init = init
  }

  /** True when the servers speak HTTPS. */
  get secure (): boolean {
    return this.init.tls != null
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
   * idle ones close now, busy ones after their answer.
   */
  async close (): Promise<void> {
    this.closing = true
    const closed = this.servers.map(async (server) => {
      await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
    })
    for (const server of this.servers) server.closeIdleConnections()
    for (const socket of this.unfinishedBodies) socket.destroySoon()
    await Promise.all(closed)
    this.servers.length = 0
  }

  /** Cuts every connection, busy or not: for a stop that must not wait. */
  destroyConnections (): void {
    for (const server of this.servers) server.closeAllConnections()
  }

  private async listenOne (address: ListenAddress): Promise<Server> {
    const { options, tls, log, name } = this.init
    const listener: RequestListener = (req, res) => { this.onRequest(server, req, res) }
    const server: Server = tls == null
      ? createServer(options, listener)
      : createHttpsServer({ ...options, cert: tls.cert, key: tls.key }, listener)
    if (this.init.onClientError != null) server.on('clientError', this.init.onClientError)
    // a client that does not speak TLS, or refuses our certificate: nothing to answer
    server.on('tlsClientError', (err: Error) => { log('TLS handshake failed: %s', err.message) })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host: address.host, port: address.port, ipv6Only: address.family === 6 }, () => {
        server.off('error', reject)
        resolve()
      })
    })
    server.on('error', (err) => { log.error('%s server error: %s', name, err.message) })
    return server
  }

  private onRequest (server: Server, req: IncomingMessage, res: ServerResponse): void {
    if (this.closing) res.shouldKeepAlive = false
    const socket = req.socket
    res.once('finish', () => {
      if (!req.complete) this.answeredEarly(req, socket)
      // a keep-alive connection that was busy when close() began is idle now and must not linger
      else if (this.closing) server.closeIdleConnections()
    })
    this.init.handler(req, res)
  }

  /**
   * An answer sent before the request body arrived whole (a refused upload):
   * Node reads and drops the rest, and the connection counts as busy until
   * it ends. A client that never sends it would hold close() forever, so
   * such connections are closed once the answer is flushed when stopping.
   */
  private answeredEarly (req: IncomingMessage, socket: Socket): void {
    if (socket.destroyed) return
    if (this.closing) {
      socket.destroySoon()
      return
    }
    this.unfinishedBodies.add(socket)
    const settle = (): void => {
      this.unfinishedBodies.delete(socket)
      req.off('end', settle)
      socket.off('close', settle)
    }
    req.once('end', settle)
    socket.once('close', settle)
  }
}
