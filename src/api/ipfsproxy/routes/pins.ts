/**
 * `pin/add`, `pin/rm` and `pin/update` go through the cluster: a cluster pin
 * (default replication, and the options Kubo's query has that map to pin
 * options: `recursive` to the mode, `name`), answered as Kubo answers,
 * `{"Pins": [...]}`. Every argument is checked, and for `pin/rm` found in
 * the pinset, before anything changes.
 */
import { argsOf, boolOption, optionOf, queryOf } from '../args.ts'
import { KuboError } from '../kubo-error.ts'
import { command } from './context.ts'
import { syncedPin } from './pinset.ts'
import { parseTarget, targetCid } from './targets.ts'
import type { PinOptionsJson } from '../../types.ts'
import type { ProxyContext } from './context.ts'
import type { FastifyInstance } from 'fastify'

interface PinsJson {
  Pins: string[]
}

export function registerPins (app: FastifyInstance, ctx: ProxyContext): void {
  const { rpc } = ctx

  command(app, ctx, 'pin/add', async (request, _reply, signal): Promise<PinsJson> => {
    const query = queryOf(request)
    const targets = argsOf(query, 'ipfs-path').map(parseTarget)
    const options: Partial<PinOptionsJson> = {
      mode: boolOption(query, ['recursive', 'r'], true) ? 'recursive' : 'direct',
      name: optionOf(query, ['name']) ?? ''
    }
    const pins: string[] = []
    for (const target of targets) {
      const pin = 'cid' in target
        ? await rpc.call(undefined, 'Cluster', 'Pin', { cid: target.cid, options }, { signal })
        : await rpc.call(undefined, 'Cluster', 'PinPath', { path: target.path, options }, { signal })
      pins.push(pin.cid)
    }
    return { Pins: pins }
  }, { pathArg: true })

  command(app, ctx, 'pin/rm', async (request, _reply, signal): Promise<PinsJson> => {
    const query = queryOf(request)
    const targets = argsOf(query, 'ipfs-path').map(parseTarget)
    // read only to refuse a bad value: the cluster unpins whatever the pin's mode
    boolOption(query, ['recursive', 'r'], true)
    const cids: string[] = []
    for (const target of targets) {
      const cid = await targetCid(rpc, target, signal)
      if (await syncedPin(rpc, cid, signal) == null) throw new KuboError(`${target.arg}: not pinned or pinned indirectly`)
      cids.push(cid)
    }
    for (const cid of cids) await rpc.call(undefined, 'Cluster', 'Unpin', cid, { signal })
    return { Pins: cids }
  }, { pathArg: true })

  command(app, ctx, 'pin/update', async (request, _reply, signal): Promise<PinsJson> => {
    const query = queryOf(request)
    argsOf(query, 'from-path', 1)
    const [fromArg = '', toArg = ''] = argsOf(query, 'to-path', 2)
    const unpin = boolOption(query, ['unpin'], true)
    const from = await targetCid(rpc, parseTarget(fromArg), signal)
    const to = parseTarget(toArg)
    if (await syncedPin(rpc, from, signal) == null) throw new KuboError(`'from' cid was not recursively pinned already: ${fromArg}`)
    // the new pin takes the options and allocations of the one it updates
    const options: Partial<PinOptionsJson> = { pin_update: from }
    const pin = 'cid' in to
      ? await rpc.call(undefined, 'Cluster', 'Pin', { cid: to.cid, options }, { signal })
      : await rpc.call(undefined, 'Cluster', 'PinPath', { path: to.path, options }, { signal })
    if (unpin && pin.cid !== from) await rpc.call(undefined, 'Cluster', 'Unpin', from, { signal })
    return { Pins: [from, pin.cid] }
  })
}
