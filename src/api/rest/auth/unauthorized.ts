/** The 401 of the REST API: `{code: 401, message}` with the challenges a client may answer. */
import { HttpError } from '../errors.ts'
import type { FastifyReply } from 'fastify'

export const REALM = 'Restricted IPFS Cluster API'

const BASIC_CHALLENGE = `Basic realm="${REALM}"`
const BEARER_CHALLENGE = `Bearer realm="${REALM}"`
const INVALID_TOKEN_CHALLENGE = `Bearer realm="${REALM}", error="invalid_token"`

export class UnauthorizedError extends HttpError {
  /** WWW-Authenticate values, Basic always among them. */
  readonly challenges: string[]
  constructor (message: string, challenges: string[]) {
    super(401, `unauthorized: ${message}`)
    this.challenges = challenges
  }

  static noCredentials (): UnauthorizedError {
    return new UnauthorizedError('no credentials: use HTTP Basic, or a Bearer token from POST /token', [BEARER_CHALLENGE, BASIC_CHALLENGE])
  }

  static badBasic (message: string): UnauthorizedError {
    return new UnauthorizedError(message, [BASIC_CHALLENGE])
  }

  static badToken (message: string): UnauthorizedError {
    return new UnauthorizedError(message, [INVALID_TOKEN_CHALLENGE, BASIC_CHALLENGE])
  }

  /** Sets the WWW-Authenticate headers on the answer about to carry this error. */
  challenge (reply: FastifyReply): void {
    reply.header('www-authenticate', this.challenges)
  }
}
