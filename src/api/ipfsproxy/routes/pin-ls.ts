/**
 * `pin/ls` from the cluster pinset: `{"Keys": {<cid>: {"Type": ...}}}`, or
 * with `stream=true` one `{"Cid", "Type"}` line per pin. The whole pinset is
 * streamed from the consensus and written as it comes, in both forms, so
 * memory stays flat however many pins there are. The cluster has recursive
 * and direct pins; `type=indirect` lists none.
 */
import { argsOf, boolOption, optionOf, queryOf, quote } from '../args.ts'
import { line, sendStream } from '../answers.ts'
import { badRequest, KuboError } from '../kubo-error.ts'
import { command } from './context.ts'
import { syncedPin } from './pinset.ts'
import { parseTarget, targetCid } from './targets.ts'
import type { PinJson } from '../../types.ts'
import type { ProxyContext } from './context.ts'
import type { FastifyInstance } from 'fastify'

const TYPES = ['direct', 'indirect', 'recursive', 'all']

interface Listing {
  type: string
  names: boolean
  /** Only pins whose name contains this. */
  name?: string
}

export function registerPinLs (app: FastifyInstance, ctx: ProxyContext): void {
  command(app, ctx, 'pin/ls', async (request, reply, signal) => {
    const query = queryOf(request)
    const args = argsOf(query, 'ipfs-path', 0)
    const type = optionOf(query, ['type', 't']) ?? 'all'
    if (!TYPES.includes(type)) throw badRequest(`invalid type ${quote(type)}, must be one of {${TYPES.join(', ')}}`)
    const name = optionOf(query, ['name'])
    const listing: Listing = { type, names: boolOption(query, ['names', 'n'], false) || name != null, name }
    const stream = boolOption(query, ['stream', 's'], false)
    const pins = args.length > 0 ? namedPins(ctx, args, type, signal) : pinset(ctx, listing, signal)
    const pieces = stream ? lines(pins, listing) : keysObject(pins, listing)
    return sendStream(reply, pieces, { contentType: 'application/json', kind: 'chunked', signal, log: ctx.log })
  }, { pathArg: true })
}

/** The pins given as arguments, every one checked before the first is answered. */
async function * namedPins (ctx: ProxyContext, args: string[], type: string, signal: AbortSignal): AsyncGenerator<PinJson> {
  const targets = args.map(parseTarget)
  const pins: PinJson[] = []
  for (const target of targets) {
    const pin = await syncedPin(ctx.rpc, await targetCid(ctx.rpc, target, signal), signal)
    if (pin == null) throw new KuboError(`path '${target.arg}' is not pinned`)
    if (type !== 'all' && pin.mode !== type) throw new KuboError(`path '${target.arg}' is not pinned as ${type}`)
    pins.push(pin)
  }
  yield * pins
}

async function * pinset (ctx: ProxyContext, listing: Listing, signal: AbortSignal): AsyncGenerator<PinJson> {
  if (listing.type === 'indirect') return
  for await (const pin of ctx.rpc.stream(undefined, 'Cluster', 'Pins', undefined, { signal })) {
    if (listing.type !== 'all' && pin.mode !== listing.type) continue
    if (listing.name != null && !pin.name.includes(listing.name)) continue
    yield pin
  }
}

function entry (pin: PinJson, listing: Listing): { Type: string, Name?: string } {
  return listing.names && pin.name !== '' ? { Type: pin.mode, Name: pin.name } : { Type: pin.mode }
}

async function * lines (pins: AsyncIterable<PinJson>, listing: Listing): AsyncGenerator<string> {
  for await (const pin of pins) yield line({ Cid: pin.cid, ...entry(pin, listing) })
}

/** `{"Keys":{...}}` written entry by entry; the first piece waits for the first pin (or the end), so an early error is an error answer. */
async function * keysObject (pins: AsyncIterable<PinJson>, listing: Listing): AsyncGenerator<string> {
  let prefix = '{"Keys":{'
  for await (const pin of pins) {
    yield `${prefix}${JSON.stringify(pin.cid)}:${JSON.stringify(entry(pin, listing))}`
    prefix = ','
  }
  yield prefix === ',' ? '}}\n' : '{"Keys":{}}\n'
}
