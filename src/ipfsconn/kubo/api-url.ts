/**
 * The Kubo RPC API's base URL from `node_multiaddress`
 * (`/ip4/127.0.0.1/tcp/5001` -> `http://127.0.0.1:5001/api/v0`).
 */
import { multiaddr } from '@multiformats/multiaddr'
import { IpfsInvalidRequestError } from '../errors.ts'

export function kuboApiUrl (address: string): URL {
  let components
  try {
    components = multiaddr(address).getComponents()
  } catch (err) {
    throw new IpfsInvalidRequestError(`node_multiaddress ${JSON.stringify(address)} is not a multiaddr: ${(err as Error).message}`)
  }
  const [host, tcp, ...rest] = components
  const hostKinds = ['ip4', 'ip6', 'dns', 'dns4', 'dns6']
  if (host == null || !hostKinds.includes(host.name) || tcp?.name !== 'tcp') {
    throw new IpfsInvalidRequestError(`node_multiaddress ${JSON.stringify(address)} must be a TCP address (/ip4|ip6|dns/<host>/tcp/<port>[/http|/https])`)
  }
  const scheme = rest[0]?.name === 'https' || rest[0]?.name === 'tls' ? 'https' : 'http'
  const hostname = host.name === 'ip6' ? `[${host.value ?? ''}]` : host.value ?? ''
  return new URL(`${scheme}://${hostname}:${tcp.value ?? ''}/api/v0`)
}
