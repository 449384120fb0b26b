/** Who a request comes from, by HTTP Basic or Bearer token; and new tokens for POST /token. */
import { parseAuthorization } from './authorization-header.ts'
import { Credentials } from './credentials.ts'
import { TokenExpiredError, issueToken, verifyToken } from './tokens.ts'
import { UnauthorizedError } from './unauthorized.ts'
import type { BasicAuthCredentials } from '../../../config/types.ts'

export interface AuthenticatorInit {
  credentials: BasicAuthCredentials
  /** Token lifetime in ms; 0: tokens never expire. */
  tokenLifetime: number
}

export class Authenticator {
  private readonly credentials: Credentials
  private readonly tokenLifetime: number

  constructor (init: AuthenticatorInit) {
    this.credentials = new Credentials(init.credentials)
    this.tokenLifetime = init.tokenLifetime
  }

  /** The user of a request with valid credentials; throws UnauthorizedError otherwise. */
  async authenticate (authorization: string | undefined): Promise<string> {
    const header = parseAuthorization(authorization)
    switch (header.scheme) {
      case 'basic':
        return this.basicUser(authorization)
      case 'bearer':
        try {
          return await verifyToken(header.token, this.credentials, { requireExpiry: this.tokenLifetime > 0 })
        } catch (err) {
          throw UnauthorizedError.badToken(err instanceof TokenExpiredError ? err.message : 'invalid token')
        }
      case 'malformed-basic':
        throw UnauthorizedError.badBasic('malformed Basic credentials: expected base64 of user:password')
      default:
        throw UnauthorizedError.noCredentials()
    }
  }

  /** The user of valid HTTP Basic credentials; throws UnauthorizedError for anything else, tokens included. */
  basicUser (authorization: string | undefined): string {
    const header = parseAuthorization(authorization)
    if (header.scheme !== 'basic') throw UnauthorizedError.badBasic('HTTP Basic credentials are needed here')
    if (!this.credentials.check(header.user, header.password)) throw UnauthorizedError.badBasic('wrong user or password')
    return header.user
  }

  /** A new token for a user already authenticated. */
  async issueToken (user: string): Promise<string> {
    const password = this.credentials.passwordOf(user)
    if (password == null) throw UnauthorizedError.badBasic('wrong user or password')
    return issueToken(user, password, this.tokenLifetime)
  }
}
