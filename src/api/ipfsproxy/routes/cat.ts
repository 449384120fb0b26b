/**
 * `cat` on the embedded node: UnixFS files read with ipfs-unixfs-exporter
 * over IPFSConnector.BlockGet, streamed as they are read (`offset`,
 * `length`; several paths are concatenated, as Kubo does).
 */
import { exporter } from 'ipfs-unixfs-exporter'
import { checkIpfsPath } from '../../ipfs-path.ts'
import { argsOf, intOption, queryOf } from '../args.ts'
import { sendStream } from '../answers.ts'
import { badRequest, KuboError } from '../kubo-error.ts'
import { RpcBlocks } from '../rpc-blocks.ts'
import { command } from './context.ts'
import type { ProxyContext } from './context.ts'
import type { FastifyInstance } from 'fastify'
import type { UnixFSEntry } from 'ipfs-unixfs-exporter'

type FileEntry = Extract<UnixFSEntry, { type: 'file' | 'raw' | 'identity' }>

export function registerCat (app: FastifyInstance, ctx: ProxyContext): void {
  command(app, ctx, 'cat', async (request, reply, signal) => {
    const query = queryOf(request)
    const paths = argsOf(query, 'ipfs-path').map(filePath)
    const offset = intOption(query, ['offset', 'o'], 0)
    const length = intOption(query, ['length', 'l'], -1)
    if (offset < 0) throw badRequest('cannot specify negative offset')
    const blocks = new RpcBlocks(ctx.rpc, signal)
    const files: FileEntry[] = []
    for (const path of paths) {
      const entry = await exporter(path, blocks.storage(), { signal })
      if (entry.type === 'directory') throw new KuboError('this dag node is a directory')
      if (entry.type !== 'file' && entry.type !== 'raw' && entry.type !== 'identity') throw new KuboError(`${path} is not a file`)
      files.push(entry)
    }
    const total = files.reduce((sum, f) => sum + Number(f.size), 0)
    const shown = Math.max(0, length < 0 ? total - offset : Math.min(length, total - offset))
    reply.header('X-Content-Length', String(shown))
    return sendStream(reply, contents(files, offset, length, signal), { contentType: 'text/plain', kind: 'bytes', signal, log: ctx.log })
  })
}

/** The path as the exporter takes it: `<cid>[/...]` or `/ipfs/<cid>[/...]`. */
function filePath (arg: string): string {
  const absolute = arg.startsWith('/') ? arg : `/ipfs/${arg}`
  let path: string
  try {
    path = checkIpfsPath(absolute)
  } catch (err) {
    throw badRequest((err as Error).message)
  }
  if (path.startsWith('/ipns/')) throw new KuboError(`cannot resolve ${arg}: IPNS is not available on the embedded IPFS node`)
  return path
}

/** The files' bytes from `offset`, `length` of them (-1: to the end), across file boundaries. */
async function * contents (files: FileEntry[], offset: number, length: number, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  let skip = offset
  let left = length < 0 ? Infinity : length
  for (const file of files) {
    const size = Number(file.size)
    if (skip >= size) {
      skip -= size
      continue
    }
    if (left <= 0) return
    const take = Math.min(left, size - skip)
    yield * file.content({ offset: skip, length: take, signal })
    left -= take
    skip = 0
  }
}
