/**
 * The Kubo RPC API's origin from its multiaddr (`/ip4/127.0.0.1/tcp/5001` ->
 * `http://127.0.0.1:5001`), where forwarded calls go.
 */
import { multiaddr } from '@multiformats/multiaddr'

export class NodeAddressError extends Error {
  static readonly NAME = 'NodeAddressError'
  constructor (addr: string, reason: string) {
    super(`invalid IPFS proxy node_multiaddress ${JSON.stringify(addr)}: ${reason}`)
    this.name = NodeAddressError.NAME
  }
}

const HOSTS = ['ip4', 'ip6', 'dns', 'dns4', 'dns6']

export function nodeOrigin (addr: string): URL {
  let components
  try {
    components = multiaddr(addr).getComponents()
  } catch (err) {
    throw new NodeAddressError(addr, (err as Error).message)
  }
  const [host, tcp, scheme] = components
  if (host == null || !HOSTS.includes(host.name) || host.value == null || tcp?.name !== 'tcp' || tcp.value == null) {
    throw new NodeAddressError(addr, 'expected /ip4|ip6|dns/<host>/tcp/<port>[/http|/https]')
  }
  const hostname = host.name === 'ip6' ? `[${host.value}]` : host.value
  const https = scheme?.name === 'https' || scheme?.name === 'tls'
  return new URL(`${https ? 'https' : 'http'}://${hostname}:${tcp.value}`)
}
