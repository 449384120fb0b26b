/**
 * `add`: a multipart upload imported by the cluster adder (src/adder), its
 * blocks sent to the peers the pin is allocated to and its root pinned
 * through the cluster with the default replication, as IPFS Cluster's proxy
 * does. The answer has Kubo's shape: one `{"Name", "Hash", "Size"}` line per
 * file and directory (Size a string, as Kubo writes it), and `{"Name",
 * "Bytes"}` progress lines with `progress=true`.
 *
 * Kubo's options map onto the adder's: `trickle=true` is the trickle layout,
 * `pin=false` adds without pinning, `pin-name` names the pin; `quiet` and
 * `quieter` only change what Kubo's own CLI prints, so every line is sent;
 * `silent` sends none. `only-hash` would need an import that stores nothing:
 * it is refused rather than storing blocks the client did not ask for.
 */
import { Adder, importParamsFromQuery, isProgress, parseMultipart } from '../../../adder/index.ts'
import { boolOption, optionOf, queryOf } from '../args.ts'
import { line, sendStream } from '../answers.ts'
import { badRequest } from '../kubo-error.ts'
import { command } from './context.ts'
import type { AddOutput, AddParams } from '../../../adder/index.ts'
import type { ProxyContext } from './context.ts'
import type { FastifyInstance } from 'fastify'

/** Kubo's AddEvent, zero values left out as its `omitempty` does. */
interface KuboAddEvent {
  Name: string
  Hash?: string
  Bytes?: number
  Size?: string
}

export function registerAdd (app: FastifyInstance, ctx: ProxyContext): void {
  const adder = new Adder({ rpc: ctx.rpc, log: ctx.log })
  command(app, ctx, 'add', async (request, reply, signal) => {
    const params = addParamsOf(queryOf(request))
    const silent = boolOption(queryOf(request), ['silent'], false)
    const files = parseMultipart(request.raw, request.headers['content-type'], { signal })
    const lines = async function * (): AsyncGenerator<string> {
      for await (const output of adder.add(files, params, { signal })) {
        if (!silent) yield line(kuboEvent(output))
      }
    }
    return sendStream(reply, lines(), { contentType: 'application/json', kind: 'chunked', signal, log: ctx.log })
  })
}

function addParamsOf (query: URLSearchParams): AddParams {
  if (boolOption(query, ['only-hash', 'n'], false)) throw badRequest('only-hash is not supported through the cluster: add with the IPFS node\'s own API')
  const imports = new URLSearchParams(query)
  if (boolOption(query, ['trickle', 't'], false)) imports.set('layout', 'trickle')
  imports.delete('local')
  const name = optionOf(query, ['pin-name'])
  return {
    ...importParamsFromQuery(imports),
    noPin: !boolOption(query, ['pin'], true),
    pin: name == null || name === '' ? {} : { name }
  }
}

function kuboEvent (output: AddOutput): KuboAddEvent {
  if (isProgress(output)) return { Name: output.name, Bytes: output.bytes }
  const event: KuboAddEvent = { Name: output.name, Hash: output.cid }
  if (output.size != null && output.size !== 0) event.Size = String(output.size)
  return event
}
