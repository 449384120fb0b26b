/**
 * The HTTP servers of the API, one per `http_listen_multiaddress`
 * (`/ip4/<address>/tcp/<port>` or `/ip6/...`; port 0 picks a free one), all
 * handing requests to the same handler, with Node server options read as
 * IPFS Cluster's Go server reads the same keys.
 */
import { createServer } from 'node:http'
import { multiaddr } from '@multiformats/multiaddr'
import type { PinSvcApiSection } from '../../config/types.ts'
import type { Logger } from '@libp2p/logger'
import type { RequestListener, Server, ServerOptions } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface ListenAddress {
  host: string
  port: number
  family: 4 | 6
}

export class ListenAddressError extends Error {
  static readonly NAME = 'ListenAddressError'
  constructor (addr: string, reason: string) {
    super(`invalid Pinning Service API listen address ${JSON.stringify(addr)}: ${reason}`)
    this.name = ListenAddressError.NAME
  }
}

export function parseListenAddress (addr: string): ListenAddress {
  let components
  try {
    components = multiaddr(addr).getComponents()
  } catch (err) {
    throw new ListenAddressError(addr, (err as Error).message)
  }
  const [ip, tcp, ...rest] = components
  if (ip == null || (ip.name !== 'ip4' && ip.name !== 'ip6') || ip.value == null || tcp?.name !== 'tcp' || tcp.value == null || rest.length > 0) {
    throw new ListenAddressError(addr, 'expected /ip4/<address>/tcp/<port> or /ip6/<address>/tcp/<port>')
  }
  return { host: ip.value, port: Number(tcp.value), family: ip.name === 'ip4' ? 4 : 6 }
}

/** Go's http.Server reads this much beyond MaxHeaderBytes before refusing. */
const GO_HEADER_SLACK = 4096

/** Durations in ms, 0 = none; Go's fallbacks: read_header_timeout and idle_timeout default to read_timeout. */
export function serverOptions (config: PinSvcApiSection): ServerOptions {
  const readTimeout = Math.max(0, config.read_timeout)
  let headersTimeout = config.read_header_timeout > 0 ? config.read_header_timeout : readTimeout
  // Node refuses headersTimeout > requestTimeout
  if (readTimeout > 0) headersTimeout = Math.min(headersTimeout, readTimeout)
  return {
    requestTimeout: readTimeout,
    headersTimeout,
    keepAliveTimeout: config.idle_timeout > 0 ? config.idle_timeout : readTimeout,
    maxHeaderSize: config.max_header_bytes + GO_HEADER_SLACK
  }
}

export class HttpListeners {
  private readonly handler: RequestListener
  private readonly options: ServerOptions
  private readonly log: Logger
  private readonly servers: Server[] = []

  constructor (handler: RequestListener, options: ServerOptions, log: Logger) {
    this.handler = handler
    this.options = options
    this.log = log
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

  /** Stops accepting connections; resolves once every connection is gone (idle ones now, busy ones after their answer). */
  async close (): Promise<void> {
    await Promise.all(this.servers.map(async (server) => {
      const closed = new Promise<void>((resolve) => { server.close(() => { resolve() }) })
      server.closeIdleConnections()
      await closed
    }))
    this.servers.length = 0
  }

  destroyConnections (): void {
    for (const server of this.servers) server.closeAllConnections()
  }

  private async listenOne (address: ListenAddress): Promise<Server> {
    const server = createServer({ ...this.options }, (req, res) => {
      // a connection that was busy when close() began must not linger once idle
      if (!server.listening) res.shouldKeepAlive = false
      this.handler(req, res)
    })
    server.on('clientError', onClientError)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host: address.host, port: address.port, ipv6Only: address.family === 6 }, () => {
        server.off('error', reject)
        resolve()
      })
    })
    server.on('error', (err) => { this.log.error('Pinning Service API server error: %s', err.message) })
    return server
  }
}

/** Requests too malformed to reach fastify (bad framing, headers too large, timeouts) still get a Failure answer. */
function onClientError (err: NodeJS.ErrnoException, socket: Socket): void {
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

export function boundUrl (address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `http://${host}:${address.port}`
}
