import { UnauthorizedError } from '../auth/unauthorized.ts'
import { HttpError } from '../errors.ts'
import type { RouteModule } from './context.ts'

/**
 * POST /token: `{"token": "<JWT>"}` for the user of the request's HTTP Basic
 * credentials (checked by the authentication hook, and again here: a token
 * does not buy another token, so a stolen one cannot be kept alive).
 */
export const tokenRoutes: RouteModule = ({ auth }) => [{
  method: 'POST',
  url: '/token',
  config: { ignoresBody: true },
  handler: async (request, reply): Promise<{ token: string }> => {
    // as IPFS Cluster: 401, though no credentials would help
    if (auth == null) throw new HttpError(401, 'unauthorized: this API has no basic_auth_credentials, so it issues no tokens')
    try {
      const user = auth.basicUser(request.headers.authorization)
      return { token: await auth.issueToken(user) }
    } catch (err) {
      if (err instanceof UnauthorizedError) err.challenge(reply)
      throw err
    }
  }
}]
