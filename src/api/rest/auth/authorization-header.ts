/** The `Authorization` request header: HTTP Basic credentials or a Bearer token. */

export type AuthorizationHeader =
  | { scheme: 'basic', user: string, password: string }
  /** A Basic header that does not decode to `user:password`. */
  | { scheme: 'malformed-basic' }
  | { scheme: 'bearer', token: string }
  | { scheme: 'none' }

const BASIC = /^basic +(\S+) *$/i
const BEARER = /^bearer +(\S+) *$/i
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

export function parseAuthorization (header: string | undefined): AuthorizationHeader {
  if (header == null) return { scheme: 'none' }
  const bearer = BEARER.exec(header)
  if (bearer?.[1] != null) return { scheme: 'bearer', token: bearer[1] }
  if (/^basic\b/i.test(header)) {
    const encoded = BASIC.exec(header)?.[1]
    if (encoded == null || !BASE64.test(encoded)) return { scheme: 'malformed-basic' }
    const decoded = Buffer.from(encoded, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon < 0) return { scheme: 'malformed-basic' }
    return { scheme: 'basic', user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
  }
  return { scheme: 'none' }
}
