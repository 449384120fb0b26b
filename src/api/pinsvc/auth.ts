/**
 * Who may use the API when `basic_auth_credentials` is set: HTTP Basic with
 * a configured user and password, or `Authorization: Bearer <token>` (the
 * spec's access token) where the token is a JWT from POST /token, as IPFS
 * Cluster makes them: HS256, `iss` the user, signed with that user's
 * password. `jose` checks the signature (and `exp` when present); the
 * algorithm is pinned to HS256. Passwords are compared as SHA-256 digests with
 * timingSafeEqual, going through every user, so timing tells nothing.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { SignJWT, decodeJwt, jwtVerify } from 'jose'
import type { BasicAuthCredentials } from '../../config/types.ts'

const ALGORITHM = 'HS256'

interface Entry {
  user: Buffer
  password: Buffer
}

function digest (text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}

function keyOf (password: string): Uint8Array {
  return new TextEncoder().encode(password)
}

/** Why a request was refused: nothing was given, or what was given is wrong. */
export type AuthFailure = 'missing' | 'invalid'

export class Authenticator {
  private readonly entries: Entry[]
  private readonly passwords: Map<string, string>
  private readonly tokenLifetime: number

  /** `tokenLifetime` in ms; 0: tokens never expire. */
  constructor (credentials: BasicAuthCredentials, tokenLifetime: number) {
    // a user with an empty name or password can never sign in
    const usable = Object.entries(credentials).filter(([user, password]) => user !== '' && password !== '')
    this.entries = usable.map(([user, password]) => ({ user: digest(user), password: digest(password) }))
    this.passwords = new Map(usable)
    this.tokenLifetime = tokenLifetime
  }

  /** The user an Authorization header proves, or why it proves none. */
  async authenticate (header: string | undefined): Promise<{ user: string } | { failure: AuthFailure }> {
    const space = header?.indexOf(' ') ?? -1
    if (header == null || space < 0) return { failure: 'missing' }
    const scheme = header.slice(0, space).toLowerCase()
    const value = header.slice(space + 1).trim()
    if (scheme === 'bearer') {
      const user = await this.verifyToken(value)
      return user != null ? { user } : { failure: 'invalid' }
    }
    if (scheme === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      const user = colon < 0 ? decoded : decoded.slice(0, colon)
      const password = colon < 0 ? '' : decoded.slice(colon + 1)
      return this.check(user, password) ? { user } : { failure: 'invalid' }
    }
    return { failure: 'missing' }
  }

  /** A token for a user (who has just authenticated). */
  async issueToken (user: string): Promise<string> {
    const password = this.passwords.get(user)
    if (password == null) throw new Error('unknown user')
    const jwt = new SignJWT({}).setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' }).setIssuer(user).setIssuedAt()
    if (this.tokenLifetime > 0) jwt.setExpirationTime(Math.floor((Date.now() + this.tokenLifetime) / 1000))
    return jwt.sign(keyOf(password))
  }

  private check (user: string, password: string): boolean {
    const givenUser = digest(user)
    const givenPassword = digest(password)
    let found = 0
    for (const entry of this.entries) {
      // both comparisons always run: `&&` would skip the password of a wrong user
      found |= Number(timingSafeEqual(entry.user, givenUser)) & Number(timingSafeEqual(entry.password, givenPassword))
    }
    return found === 1 && user !== '' && password !== ''
  }

  private async verifyToken (token: string): Promise<string | undefined> {
    try {
      const issuer = decodeJwt(token).iss
      const password = typeof issuer === 'string' ? this.passwords.get(issuer) : undefined
      if (issuer == null || password == null) return undefined
      await jwtVerify(token, keyOf(password), { algorithms: [ALGORITHM], issuer })
      return issuer
    } catch {
      // malformed, another algorithm, a bad signature, expired: not told apart
      return undefined
    }
  }
}
