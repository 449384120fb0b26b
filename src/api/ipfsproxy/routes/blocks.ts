/** `block/get` and `block/stat` on the embedded node, through IPFSConnector.BlockGet. */
import { parseCid } from '../../cid.ts'
import { argsOf, queryOf, quote } from '../args.ts'
import { badRequest } from '../kubo-error.ts'
import { command } from './context.ts'
import type { ProxyContext } from './context.ts'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { CID } from 'multiformats/cid'

export function registerBlocks (app: FastifyInstance, ctx: ProxyContext): void {
  const get = async (cid: CID, signal: AbortSignal): Promise<Uint8Array> =>
    ctx.rpc.call(undefined, 'IPFSConnector', 'BlockGet', cid.toString(), { signal })

  command(app, ctx, 'block/get', async (request, reply, signal) => {
    const block = await get(cidArg(request), signal)
    return reply.header('X-Stream-Output', '1').type('text/plain').send(Buffer.from(block.buffer, block.byteOffset, block.byteLength))
  })

  command(app, ctx, 'block/stat', async (request, _reply, signal) => {
    const cid = cidArg(request)
    return { Key: cid.toString(), Size: (await get(cid, signal)).byteLength }
  })
}

/** The `cid` argument (the CID, or `/ipfs/<cid>`). */
export function cidArg (request: FastifyRequest): CID {
  const [arg = ''] = argsOf(queryOf(request), 'cid')
  const text = arg.replace(/^\/(ipfs|ipld)\//, '')
  try {
    return parseCid(text)
  } catch (err) {
    throw badRequest(`invalid CID ${quote(arg)}: ${(err as Error).message}`)
  }
}
