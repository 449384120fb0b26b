/**
 * The --host option: where the REST API is, as a multiaddr
 * (/ip4|ip6|dns4|dns6|dns/<host>/tcp/<port>, optionally ending in /http,
 * /https or /tls/http) or as an http(s):// URL (a path is kept as a prefix).
 */
import { multiaddr } from '@multiformats/multiaddr'
import { HostError } from './errors.ts'

export const DEFAULT_HOST = '/ip4/127.0.0.1/tcp/9094'

export interface ApiEndpoint {
  /** Base URL of the API, ending with '/': request paths resolve against it. */
  url: URL
  /** The address family a /dns4 or /dns6 name resolves in. */
  family?: 4 | 6
}

export function parseHost (host: string): ApiEndpoint {
  const text = host.trim()
  if (text.startsWith('/')) return fromMultiaddr(host, text)
  if (/^https?:\/\//i.test(text)) return fromUrl(host, text)
  throw new HostError(host, 'expected a multiaddr such as /ip4/127.0.0.1/tcp/9094 or an http(s):// URL')
}

const HOST_PROTOCOLS = new Set(['ip4', 'ip6', 'dns4', 'dns6', 'dns'])

function fromMultiaddr (host: string, text: string): ApiEndpoint {
  let components
  try {
    components = multiaddr(text).getComponents()
  } catch (err) {
    throw new HostError(host, (err as Error).message)
  }
  const [name, tcp, ...rest] = components
  if (name == null || !HOST_PROTOCOLS.has(name.name) || name.value == null || tcp?.name !== 'tcp' || tcp.value == null) {
    throw new HostError(host, 'expected /ip4, /ip6, /dns4, /dns6 or /dns, then /tcp/<port>')
  }
  const suffix = rest.map((c) => c.name).join('/')
  if (suffix !== '' && suffix !== 'http' && suffix !== 'https' && suffix !== 'tls/http') {
    throw new HostError(host, `unsupported /${suffix} after the port; use /http or /https`)
  }
  const scheme = suffix === '' || suffix === 'http' ? 'http' : 'https'
  const hostname = name.name === 'ip6' ? `[${name.value}]` : name.value
  const endpoint: ApiEndpoint = { url: new URL(`${scheme}://${hostname}:${tcp.value}/`) }
  if (name.name === 'dns4') endpoint.family = 4
  if (name.name === 'dns6') endpoint.family = 6
  return endpoint
}

function fromUrl (host: string, text: string): ApiEndpoint {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new HostError(host, 'not a valid URL')
  }
  if (url.username !== '' || url.password !== '') throw new HostError(host, 'give credentials with --basic-auth, not in the URL')
  if (url.search !== '' || url.hash !== '') throw new HostError(host, 'a query or fragment makes no sense here')
  if (!url.pathname.endsWith('/')) url.pathname += '/'
  return { url }
}
