/**
 * Everything the proxy does not answer itself. With a Kubo daemon behind
 * it, the call goes there as the client made it (method, headers, query,
 * body, both ways streamed; @fastify/reply-from drops the hop-by-hop
 * headers). With the embedded node there is no Kubo API: an unknown command
 * is a 404 in Kubo's shape.
 */
import { API_PREFIX, COMMAND_METHODS } from './context.ts'
import { KuboError, sendKuboError } from '../kubo-error.ts'
import type { ProxyContext } from './context.ts'
import type { FastifyInstance, FastifyReply } from 'fastify'

export function unreachable (ctx: ProxyContext, error: Error): Error {
  return new Error(`cannot reach the IPFS daemon at ${ctx.node?.origin ?? ''}: ${error.message}`)
}

/** Calls the daemon as the client asked; the answer is cut if the proxy stops meanwhile. */
export function forward (ctx: ProxyContext, reply: FastifyReply): FastifyReply {
  ctx.forwarding.add(reply)
  reply.raw.once('close', () => { ctx.forwarding.delete(reply) })
  return reply.from(undefined, {
    onError: (r, { error }) => { sendKuboError(r as FastifyReply, unreachable(ctx, error), 502) }
  })
}

/** Registers the catch-all route, after every command. */
export function registerForward (app: FastifyInstance, ctx: ProxyContext): void {
  app.all('/*', async (request, reply) => {
    if (ctx.node != null) return forward(ctx, reply)
    const path = request.url.split('?')[0] ?? ''
    const name = path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length).replace(/\/+$/, '') : ''
    if (ctx.commands.has(name) && !(COMMAND_METHODS as readonly string[]).includes(request.method)) {
      reply.header('allow', COMMAND_METHODS.join(', '))
      return sendKuboError(reply, new KuboError(`method ${request.method} not allowed`, 405))
    }
    return sendKuboError(reply, new KuboError(`command not supported by the embedded IPFS node: ${name === '' ? path : name}`, 404))
  })
}
