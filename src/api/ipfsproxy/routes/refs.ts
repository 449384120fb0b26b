/**
 * `refs` on the embedded node: the links of the DAGs under the given paths,
 * depth first in link order, blocks read through IPFSConnector.BlockGet.
 * `recursive`, `max-depth`, `unique`, `edges` and `format` (`<src>`,
 * `<dst>`, `<linkname>`) as in Kubo; one `{"Ref", "Err"}` line per link.
 */
import * as dagPb from '@ipld/dag-pb'
import { createUnsafe } from 'multiformats/block'
import { argsOf, boolOption, intOption, queryOf, stringOption } from '../args.ts'
import { line, sendStream } from '../answers.ts'
import { codecOf } from '../codecs.ts'
import { badRequest } from '../kubo-error.ts'
import { RpcBlocks } from '../rpc-blocks.ts'
import { command } from './context.ts'
import { parseTarget, targetCid } from './targets.ts'
import { CID } from 'multiformats/cid'
import type { ProxyContext } from './context.ts'
import type { FastifyInstance } from 'fastify'

const DEFAULT_FORMAT = '<dst>'

interface Ref {
  from: CID
  to: CID
  name: string
}

export function registerRefs (app: FastifyInstance, ctx: ProxyContext): void {
  command(app, ctx, 'refs', async (request, reply, signal) => {
    const query = queryOf(request)
    const targets = argsOf(query, 'ipfs-path').map(parseTarget)
    let format = stringOption(query, ['format'], DEFAULT_FORMAT)
    if (boolOption(query, ['edges', 'e'], false)) {
      if (format !== DEFAULT_FORMAT) throw badRequest('using format argument with edges is not allowed')
      format = '<src> -> <dst>'
    }
    const unique = boolOption(query, ['unique', 'u'], false)
    const maxDepth = boolOption(query, ['recursive', 'r'], false) ? intOption(query, ['max-depth'], -1) : 1
    const blocks = new RpcBlocks(ctx.rpc, signal)
    const lines = async function * (): AsyncGenerator<string> {
      const seen = new Set<string>()
      for (const target of targets) {
        const root = CID.parse(await targetCid(ctx.rpc, target, signal))
        for await (const ref of refs(blocks, root, maxDepth, unique ? seen : undefined)) {
          yield line({ Ref: format.replaceAll('<src>', ref.from.toString()).replaceAll('<dst>', ref.to.toString()).replaceAll('<linkname>', ref.name), Err: '' })
        }
      }
    }
    return sendStream(reply, lines(), { contentType: 'application/json', kind: 'chunked', signal, log: ctx.log })
  })
}

/** Depth first, with an explicit stack (a DAG may be deeper than the call stack). `seen`: unique refs only. */
async function * refs (blocks: RpcBlocks, root: CID, maxDepth: number, seen?: Set<string>): AsyncGenerator<Ref> {
  if (maxDepth === 0) return
  const stack = [{ from: root, depth: 0, links: (await linksOf(blocks, root)).values() }]
  while (stack.length > 0) {
    const top = stack[stack.length - 1]
    if (top == null) break
    const next = top.links.next()
    if (next.done === true) {
      stack.pop()
      continue
    }
    const { to, name } = next.value
    if (seen != null) {
      if (seen.has(to.toString())) continue
      seen.add(to.toString())
    }
    yield { from: top.from, to, name }
    if (maxDepth < 0 || top.depth + 1 < maxDepth) stack.push({ from: to, depth: top.depth + 1, links: (await linksOf(blocks, to)).values() })
  }
}

async function linksOf (blocks: RpcBlocks, cid: CID): Promise<Array<{ to: CID, name: string }>> {
  const bytes = await blocks.get(cid)
  const codec = codecOf(cid.code)
  const value = codec.decode(bytes)
  if (cid.code === dagPb.code) return (value as dagPb.PBNode).Links.map((l) => ({ to: l.Hash, name: l.Name ?? '' }))
  return [...createUnsafe({ bytes, cid, codec, value }).links()].map(([path, to]) => ({ to, name: path }))
}
