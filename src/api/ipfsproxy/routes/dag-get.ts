/**
 * `dag get <cid>[/path]` on the embedded node: the node at the path, links
 * followed through IPFSConnector.BlockGet (a dag-pb link by its name, any
 * other node by its data-model fields), written with `output-codec`
 * (dag-json by default).
 */
import { CID } from 'multiformats/cid'
import * as dagPb from '@ipld/dag-pb'
import { parseCid } from '../../cid.ts'
import { argsOf, queryOf, quote, stringOption } from '../args.ts'
import { codecNamed } from '../codecs.ts'
import { badRequest, KuboError } from '../kubo-error.ts'
import { RpcBlocks } from '../rpc-blocks.ts'
import { command } from './context.ts'
import type { ProxyContext } from './context.ts'
import type { FastifyInstance } from 'fastify'

export function registerDagGet (app: FastifyInstance, ctx: ProxyContext): void {
  command(app, ctx, 'dag/get', async (request, reply, signal) => {
    const query = queryOf(request)
    const [ref = ''] = argsOf(query, 'ref')
    const output = codecNamed(stringOption(query, ['output-codec', 'outputCodec'], 'dag-json'), 'output-codec')
    const [root, ...path] = ref.replace(/^\/(ipfs|ipld)\//, '').split('/').filter((s) => s !== '')
    let cid: CID
    try {
      cid = parseCid(root ?? '')
    } catch (err) {
      throw badRequest(`invalid path ${quote(ref)}: ${(err as Error).message}`)
    }
    const value = await walk(new RpcBlocks(ctx.rpc, signal), cid, path, ref)
    let bytes: Uint8Array
    try {
      bytes = output.encode(value)
    } catch (err) {
      throw new KuboError(`cannot encode the node as ${output.name}: ${(err as Error).message}`)
    }
    return reply.header('X-Stream-Output', '1').type('text/plain').send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
  })
}

async function walk (blocks: RpcBlocks, root: CID, path: string[], ref: string): Promise<unknown> {
  let node: unknown = await blocks.decoded(root)
  let code = root.code
  for (const segment of path) {
    const next = step(node, code, segment)
    if (next === undefined) throw new KuboError(`no link named ${quote(segment)} under ${ref}`)
    const link = CID.asCID(next)
    if (link != null) {
      node = await blocks.decoded(link)
      code = link.code
    } else {
      node = next
      code = -1
    }
  }
  return node
}

/** One step down: a dag-pb link by name, else a field or an index of the data model. */
function step (node: unknown, code: number, segment: string): unknown {
  if (code === dagPb.code) {
    const named = (node as dagPb.PBNode).Links.find((l) => l.Name === segment)
    if (named != null) return named.Hash
  }
  if (Array.isArray(node)) return /^\d+$/.test(segment) ? node[Number(segment)] : undefined
  if (node != null && typeof node === 'object' && !(node instanceof Uint8Array) && CID.asCID(node) == null && Object.hasOwn(node, segment)) {
    return (node as Record<string, unknown>)[segment]
  }
  return undefined
}
