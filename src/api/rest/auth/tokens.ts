/**
 * The JWTs of POST /token, as IPFS Cluster makes them: HS256, `iss` the user,
 * signed with that user's password, so a token works on any peer sharing the
 * credentials. `jose` does the JWS work (a well-kept library that refuses
 * `alg: none` and checks `exp`/`nbf`); we pin the algorithm to HS256 and pick
 * the key from the unverified `iss`, which the signature then vouches for.
 */
import { randomBytes } from 'node:crypto'
import { SignJWT, decodeJwt, errors, jwtVerify } from 'jose'
import type { Credentials } from './credentials.ts'

const ALGORITHM = 'HS256'
/** Verifies tokens of unknown issuers, which then take as long to refuse as a bad signature. */
const NOBODY_KEY = randomBytes(32)

export class TokenExpiredError extends Error {
  static readonly NAME = 'TokenExpiredError'
  constructor () {
    super('the token has expired')
    this.name = TokenExpiredError.NAME
  }
}

export class InvalidTokenError extends Error {
  static readonly NAME = 'InvalidTokenError'
  constructor () {
    super('invalid token')
    this.name = InvalidTokenError.NAME
  }
}

function key (password: string): Uint8Array {
  return new TextEncoder().encode(password)
}

/** A token for `user`, valid for `lifetimeMs` (0: no `exp`, never expires). */
export async function issueToken (user: string, password: string, lifetimeMs: number): Promise<string> {
  const jwt = new SignJWT({}).setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' }).setIssuer(user).setIssuedAt()
  if (lifetimeMs > 0) jwt.setExpirationTime(Math.floor((Date.now() + lifetimeMs) / 1000))
  return jwt.sign(key(password))
}

export interface VerifyOptions {
  /** Tokens without `exp` are refused unless this is false (jwt_expiry 0: IPFS Cluster's tokens have none). */
  requireExpiry: boolean
}

/**
 * The user a valid token was issued to. Throws TokenExpiredError, or
 * InvalidTokenError for anything else (malformed, another algorithm, unknown
 * issuer, bad signature: not told apart, so as not to reveal which users exist).
 */
export async function verifyToken (token: string, credentials: Credentials, options: VerifyOptions): Promise<string> {
  let issuer: unknown
  try {
    issuer = decodeJwt(token).iss
  } catch {
    throw new InvalidTokenError()
  }
  const password = typeof issuer === 'string' ? credentials.passwordOf(issuer) : undefined
  try {
    await jwtVerify(token, password == null ? NOBODY_KEY : key(password), {
      algorithms: [ALGORITHM],
      requiredClaims: options.requireExpiry ? ['exp'] : []
    })
  } catch (err) {
    if (password == null) throw new InvalidTokenError()
    if (err instanceof errors.JWTExpired) throw new TokenExpiredError()
    throw new InvalidTokenError()
  }
  if (password == null || typeof issuer !== 'string') throw new InvalidTokenError()
  return issuer
}
