/**
 * The fastify application of the proxy. Bodies are not parsed: a command
 * that takes one reads it as a stream, and a forwarded call streams it on to
 * the daemon untouched. It does no I/O; the listeners feed it requests.
 */
import Fastify from 'fastify'
import replyFrom from '@fastify/reply-from'
import { sendKuboError } from './kubo-error.ts'
import { registerRoutes } from './routes/index.ts'
import type { ProxyContext } from './routes/context.ts'
import type { IpfsProxySection } from '../../config/types.ts'
import type { FastifyInstance } from 'fastify'
import type { IncomingMessage } from 'node:http'

/** A CID argument in a path (`pin/add/<cid>`) can be long: max_header_bytes bounds it, not the router. */
const MAX_PARAM_LENGTH = 1 << 20

export async function buildApp (ctx: ProxyContext, config: IpfsProxySection): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    exposeHeadRoutes: false,
    // Go's server reads an escaped slash in the path as a slash: so must the router, or `pin%2Fadd` would reach the daemon around the cluster
    rewriteUrl: (req: IncomingMessage) => decodeSlashes(req.url ?? '/'),
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: (err, _request, reply) => { sendKuboError(reply, err, 400) }
  })
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, payload, done) => { done(null, payload) })
  app.setErrorHandler((err, request, reply) => {
    const answered = sendKuboError(reply, err)
    const log = reply.statusCode >= 500 && !reply.raw.destroyed ? ctx.log.error : ctx.log
    log('%s %s -> %d: %s', request.method, request.url, reply.statusCode, err instanceof Error ? err.message : String(err))
    return answered
  })
  addWriteTimeout(app, config.write_timeout)
  if (ctx.node != null) {
    await app.register(replyFrom, {
      base: ctx.node.origin,
      // long calls (pubsub/sub, log/tail, dht queries) stay open as long as the daemon answers them
      undici: { headersTimeout: 0, bodyTimeout: 0 },
      disableRequestLogging: true
    })
  }
  registerRoutes(app, ctx)
  return app
}

function decodeSlashes (url: string): string {
  const query = url.indexOf('?')
  const path = query < 0 ? url : url.slice(0, query)
  return path.replace(/%2f/gi, '/') + (query < 0 ? '' : url.slice(query))
}

/** `write_timeout` as Go's http.Server reads it: the answer must be written within this time of the request, or the connection is cut. */
function addWriteTimeout (app: FastifyInstance, timeoutMs: number): void {
  if (timeoutMs <= 0) return
  app.addHook('onRequest', async (_request, reply) => {
    const res = reply.raw
    const timer = setTimeout(() => { res.destroy() }, timeoutMs)
    res.once('close', () => { clearTimeout(timer) })
  })
}
