/** What command handlers get, and how a command is registered under `/api/v0/`. */
import { setPathArg } from '../args.ts'
import type { AnswerHeaders } from '../headers.ts'
import type { RequestSignals } from '../signals.ts'
import type { ClusterRpcClient } from '../../../rpc-api.ts'
import type { Logger } from '@libp2p/logger'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

export interface ProxyContext {
  rpc: ClusterRpcClient
  signals: RequestSignals
  headers: AnswerHeaders
  log: Logger
  /** The Kubo daemon's origin with the kubo connector; undefined with the embedded one. */
  node?: URL
  /** Answers forwarded to the daemon, cut when the proxy stops. */
  forwarding: Set<FastifyReply>
  /** The commands the proxy answers itself (filled as they are registered). */
  commands: Set<string>
}

export const API_PREFIX = '/api/v0/'

/** IPFS Cluster's proxy intercepts these methods: clients have long used all three with Kubo's API. */
export const COMMAND_METHODS = ['POST', 'GET', 'PUT'] as const

/** A command handler: its answer is sent as JSON, unless it is the reply (the handler answered itself). */
export type CommandHandler = (request: FastifyRequest, reply: FastifyReply, signal: AbortSignal) => Promise<unknown>

/**
 * Registers `/api/v0/<name>`, answering with the proxy's headers; with
 * `pathArg`, `/api/v0/<name>/<arg>` too (else a client using that form would
 * reach the daemon, around the cluster).
 */
export function command (app: FastifyInstance, ctx: ProxyContext, name: string, handler: CommandHandler, options: { pathArg?: boolean } = {}): void {
  ctx.commands.add(name)
  const urls = [API_PREFIX + name, ...(options.pathArg === true ? [API_PREFIX + name + '/*'] : [])]
  for (const url of urls) {
    app.route({
      method: [...COMMAND_METHODS],
      url,
      handler: async (request, reply) => {
        const pathArg = (request.params as Record<string, string | undefined>)['*']
        if (pathArg != null && pathArg !== '') setPathArg(request, pathArg)
        await ctx.headers.apply(request, reply)
        const answer = await handler(request, reply, ctx.signals.forRequest(reply))
        if (answer === reply) return reply
        return reply.type('application/json').send(JSON.stringify(answer) + '\n')
      }
    })
  }
}
