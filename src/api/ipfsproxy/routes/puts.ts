/**
 * `block/put` and `dag/put`. With `pin=true` every block stored is then
 * pinned through the cluster (default replication), not by the IPFS node
 * alone. With a Kubo daemon the request goes to it with `pin=false` and each
 * CID it answers is pinned before its line is passed on; with the embedded
 * node the multipart body is read here and each part stored through
 * IPFSConnector.BlockPut (after re-encoding, for `dag/put`).
 */
import { CID } from 'multiformats/cid'
import { boolOption, optionOf, queryOf, stringOption } from '../args.ts'
import { line, sendStream } from '../answers.ts'
import { codecNamed } from '../codecs.ts'
import { jsonLines } from '../json-lines.ts'
import { badRequest, sendKuboError } from '../kubo-error.ts'
import { fileParts } from '../multipart.ts'
import { command } from './context.ts'
import { forward, unreachable } from './forward.ts'
import type { AnyCodec } from '../codecs.ts'
import type { ProxyContext } from './context.ts'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Readable } from 'node:stream'

/** Kubo's block size limit, and the larger one `allow-big-block` lifts it to here. */
const BLOCK_LIMIT = 1024 * 1024
const BIG_BLOCK_LIMIT = 4 * 1024 * 1024

interface Put {
  /** The CID of one line of the daemon's answer. */
  cidOf: (item: unknown) => string | undefined
  /** Stores one part on the embedded node; answers its line and CID. */
  store: (data: Uint8Array, signal: AbortSignal) => Promise<{ line: unknown, cid: string }>
}

export function registerPuts (app: FastifyInstance, ctx: ProxyContext): void {
  command(app, ctx, 'block/put', async (request, reply, signal) => {
    const query = queryOf(request)
    const format = optionOf(query, ['format', 'f'])
    const codec = codecNamed(stringOption(query, ['cid-codec', 'cidCodec'], format ?? 'raw'), 'cid-codec')
    const mhtype = stringOption(query, ['mhtype'], 'sha2-256')
    const v0 = format === 'v0' || (optionOf(query, ['version']) === '0' && codec.name === 'dag-pb' && mhtype === 'sha2-256')
    return put(ctx, request, reply, signal, {
      cidOf: (item) => typeof (item as { Key?: unknown }).Key === 'string' ? (item as { Key: string }).Key : undefined,
      store: async (data, s) => {
        let cid = await ctx.rpc.call(undefined, 'IPFSConnector', 'BlockPut', { data, codec: codec.name, mhtype }, { signal: s })
        if (v0) cid = CID.parse(cid).toV0().toString()
        return { line: { Key: cid, Size: data.length }, cid }
      }
    })
  })

  command(app, ctx, 'dag/put', async (request, reply, signal) => {
    const query = queryOf(request)
    const input = codecNamed(stringOption(query, ['input-codec', 'inputCodec'], 'dag-json'), 'input-codec')
    const stored = codecNamed(stringOption(query, ['store-codec', 'storeCodec'], 'dag-cbor'), 'store-codec')
    const mhtype = stringOption(query, ['hash'], 'sha2-256')
    return put(ctx, request, reply, signal, {
      cidOf: (item) => {
        const link = (item as { Cid?: { '/'?: unknown } }).Cid?.['/']
        return typeof link === 'string' ? link : undefined
      },
      store: async (data, s) => {
        const cid = await ctx.rpc.call(undefined, 'IPFSConnector', 'BlockPut', { data: reencode(data, input, stored), codec: stored.name, mhtype }, { signal: s })
        return { line: { Cid: { '/': cid } }, cid }
      }
    })
  })
}

async function put (ctx: ProxyContext, request: FastifyRequest, reply: FastifyReply, signal: AbortSignal, how: Put): Promise<FastifyReply> {
  const query = queryOf(request)
  const pin = boolOption(query, ['pin'], false)
  const maxPartBytes = boolOption(query, ['allow-big-block', 'allowBigBlock'], false) ? BIG_BLOCK_LIMIT : BLOCK_LIMIT
  const clusterPin = async (cid: string): Promise<void> => {
    if (pin) await ctx.rpc.call(undefined, 'Cluster', 'Pin', { cid, options: {} }, { signal })
  }
  const stream = { contentType: 'application/json', kind: 'chunked' as const, signal, log: ctx.log }

  if (ctx.node == null) {
    const lines = async function * (): AsyncGenerator<string> {
      for await (const data of fileParts(request.headers, request.body as Readable | undefined, { maxPartBytes, argument: 'data' })) {
        const stored = await how.store(data, signal)
        await clusterPin(stored.cid)
        yield line(stored.line)
      }
    }
    return sendStream(reply, lines(), stream)
  }

  if (!pin) return forward(ctx, reply)
  // the daemon stores, the cluster pins: Kubo must not pin by itself
  query.set('pin', 'false')
  return reply.from(undefined, {
    queryString: () => query.toString(),
    onError: (r, { error }) => { sendKuboError(r as FastifyReply, unreachable(ctx, error), 502) },
    onResponse: (_request, raw, res) => {
      const r = raw as FastifyReply
      if (res.statusCode !== 200) {
        r.send(res.stream)
        return
      }
      r.removeHeader('content-length')
      const lines = async function * (): AsyncGenerator<string> {
        for await (const item of jsonLines(res.stream)) {
          const cid = how.cidOf(item)
          if (cid != null) await clusterPin(cid)
          yield line(item)
        }
      }
      sendStream(r, lines(), stream).catch((err: Error) => { sendKuboError(r, err) })
    }
  })
}

function reencode (data: Uint8Array, input: AnyCodec, stored: AnyCodec): Uint8Array {
  let value: unknown
  try {
    value = input.decode(data)
  } catch (err) {
    throw badRequest(`cannot decode the data as ${input.name}: ${(err as Error).message}`)
  }
  return input === stored ? data : stored.encode(value)
}
