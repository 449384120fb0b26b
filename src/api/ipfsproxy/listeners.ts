/**
 * The proxy's HTTP servers, one per `listen_multiaddress`, all handing
 * requests to the same handler, with the meaning IPFS Cluster's Go server
 * gives the timeout keys (durations in ms, 0 = none).
 */
import { createServer } from 'node:http'
import { multiaddr } from '@multiformats/multiaddr'
import type { IpfsProxySection } from '../../config/types.ts'
import type { Logger } from '@libp2p/logger'
import type { RequestListener, Server, ServerOptions } from 'node:http'
import type { AddressInfo } from 'node:net'

export class ListenAddressError extends Error {
  static readonly NAME = 'ListenAddressError'
  constructor (addr: string, reason: string) {
    super(`invalid IPFS proxy listen address ${JSON.stringify(addr)}: ${reason}`)
    this.name = ListenAddressError.NAME
  }
}

interface ListenAddress {
  host: string
  port: number
  family: 4 | 6
}

/** `/ip4/<address>/tcp/<port>` or `/ip6/<address>/tcp/<port>`; port 0 picks a free port. */
export function parseListenAddress (addr: string): ListenAddress {
  let components
  try {
    components = multiaddr(addr).getComponents()
  } catch (err) {
    throw new ListenAddressError(addr, (err as Error).message)
  }
  const [ip, tcp, ...rest] = components
  if (ip == null || (ip.name !== 'ip4' && ip.name !== 'ip6') || ip.value == null ||
    tcp?.name !== 'tcp' || tcp.value == null || rest.length > 0) {
    throw new ListenAddressError(addr, 'expected /ip4/<address>/tcp/<port> or /ip6/<address>/tcp/<port>')
  }
  return { host: ip.value, port: Number(tcp.value), family: ip.name === 'ip4' ? 4 : 6 }
}

/** Go's http.Server reads this much beyond MaxHeaderBytes before refusing. */
const GO_HEADER_SLACK = 4096

export function serverOptions (config: IpfsProxySection): ServerOptions {
  const readTimeout = Math.max(0, config.read_timeout)
  // Go: a zero read_header_timeout or idle_timeout falls back to read_timeout; Node refuses headersTimeout > requestTimeout
  let headersTimeout = config.read_header_timeout > 0 ? config.read_header_timeout : readTimeout
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
  private closing = false

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

  /** Stops accepting connections; resolves once every connection is gone (idle ones close now, busy ones after their answer). */
  async close (): Promise<void> {
    this.closing = true
    const closing = this.servers.map(async (server) => {
      await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
    })
    for (const server of this.servers) server.closeIdleConnections()
    await Promise.all(closing)
    this.servers.length = 0
  }

  /** Cuts every connection, busy or not. */
  destroyConnections (): void {
    for (const server of this.servers) server.closeAllConnections()
  }

  private async listenOne (address: ListenAddress): Promise<Server> {
    const server = createServer(this.options, (req, res) => {
      if (this.closing) {
        res.shouldKeepAlive = false
      } else {
        // a keep-alive connection that was busy when close() began is idle now and must not linger
        res.once('finish', () => { if (this.closing) server.closeIdleConnections() })
      }
      this.handler(req, res)
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host: address.host, port: address.port, ipv6Only: address.family === 6 }, () => {
        server.off('error', reject)
        resolve()
      })
    })
    server.on('error', (err) => { this.log.error('IPFS proxy server error: %s', err.message) })
    return server
  }
}

export function boundMultiaddr (address: AddressInfo): string {
  return `/${address.family === 'IPv6' ? 'ip6' : 'ip4'}/${address.address}/tcp/${address.port}`
}

export function boundUrl (address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `http://${host}:${address.port}`
}
