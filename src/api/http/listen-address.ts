/**
 * The listen addresses of the HTTP APIs: multiaddrs in the config, host and
 * port for Node's HTTP server, and back to multiaddrs and URLs once bound.
 */
import { multiaddr } from '@multiformats/multiaddr'
import type { AddressInfo } from 'node:net'

export interface ListenAddress {
  host: string
  port: number
  family: 4 | 6
}

export class ListenAddressError extends Error {
  static readonly NAME = 'ListenAddressError'
  constructor (api: string, addr: string, reason: string) {
    super(`invalid ${api} listen address ${JSON.stringify(addr)}: ${reason}`)
    this.name = ListenAddressError.NAME
  }
}

/** Parses `/ip4/<address>/tcp/<port>` or `/ip6/<address>/tcp/<port>`; port 0 picks a free port. `api` names the API in errors. */
export function parseListenAddress (addr: string, api: string): ListenAddress {
  let components
  try {
    components = multiaddr(addr).getComponents()
  } catch (err) {
    throw new ListenAddressError(api, addr, (err as Error).message)
  }
  const [ip, tcp, ...rest] = components
  if (ip == null || (ip.name !== 'ip4' && ip.name !== 'ip6') || ip.value == null ||
    tcp?.name !== 'tcp' || tcp.value == null || rest.length > 0) {
    throw new ListenAddressError(api, addr, 'expected /ip4/<address>/tcp/<port> or /ip6/<address>/tcp/<port>')
  }
  return { host: ip.value, port: Number(tcp.value), family: ip.name === 'ip4' ? 4 : 6 }
}

export function boundMultiaddr (address: AddressInfo): string {
  return `/${address.family === 'IPv6' ? 'ip6' : 'ip4'}/${address.address}/tcp/${address.port}`
}

export function boundUrl (address: AddressInfo, scheme = 'http'): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `${scheme}://${host}:${address.port}`
}
