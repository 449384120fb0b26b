import { Argument, InvalidArgumentError, Option } from 'commander'
import { parseCid } from '../../../api/cid.ts'
import { checkIpfsPath } from '../../../api/ipfs-path.ts'
import { formatPin } from '../format/pin.ts'
import { formatGlobalPinInfo } from '../format/status.ts'
import { addPinAddOptions, addPinUpdateOptions, pinAddQuery, pinUpdateQuery } from '../pin-options.ts'
import { addWaitOptions, waitForStatus } from '../wait.ts'
import type { GlobalPinInfoJson, PinJson, PinType } from '../../../api/types.ts'
import type { CommandContext } from '../context.ts'
import type { PinAddOptions, PinUpdateOptions } from '../pin-options.ts'
import type { WaitOptions, WaitTarget } from '../wait.ts'
import type { Command } from 'commander'

const PIN_TYPES: PinType[] = ['pin', 'meta-pin', 'clusterdag-pin', 'shard-pin']

/** What `pin add` and `pin rm` act on: the API path of a CID (`pins/<cid>`) or of an IPFS path (`pins/ipfs/...`). */
interface PinTarget {
  apiPath: string
}

interface StatusOptions extends WaitOptions {
  /** false with --no-status. */
  status: boolean
}

export function addPinCommands (program: Command, ctx: CommandContext): void {
  const pin = program
    .command('pin')
    .description('pin, unpin and list the pins of the cluster')

  addWaitOptions(addPinAddOptions(pin
    .command('add')
    .description('pin a CID, or what an IPFS path resolves to, in the cluster; print its status on every peer')), 'pinned')
    .addArgument(targetArgument())
    .action(async (target: PinTarget, options: PinAddOptions & WaitOptions) => {
      const path = withQuery(target.apiPath, pinAddQuery(options))
      const added = await ctx.client.post<PinJson>(path, { signal: ctx.signal })
      await printOutcome(ctx, added, 'pinned', options)
    })

  addWaitOptions(pin
    .command('rm')
    .description('unpin a CID, or what an IPFS path resolves to, from the cluster; print its status on every peer')
    .addArgument(targetArgument())
    .addOption(noStatusOption()), 'unpinned')
    .action(async (target: PinTarget, options: StatusOptions) => {
      const removed = await ctx.client.delete<PinJson>(target.apiPath, { signal: ctx.signal })
      await printOutcome(ctx, removed, 'unpinned', options)
    })

  addWaitOptions(addPinUpdateOptions(pin
    .command('update')
    .description('pin a new CID (or what an IPFS path resolves to) with the options and allocations of an existing pin, which stays pinned; ' +
      'print its status on every peer')
    .addArgument(cidArgument('<from>', 'the pinned CID whose options and allocations the new pin copies'))
    .addArgument(targetArgument('<to>'))), 'pinned')
    .action(async (from: string, target: PinTarget, options: PinUpdateOptions & WaitOptions) => {
      const updated = await ctx.client.post<PinJson>(withQuery(target.apiPath, pinUpdateQuery(from, options)), { signal: ctx.signal })
      await printOutcome(ctx, updated, 'pinned', options)
    })

  pin
    .command('ls')
    .description('list the pinset, printing each pin as it arrives, or show one pin')
    .addArgument(cidArgument().argOptional())
    // ipfs-cluster-ctl 1.x lists every type by default (0.x listed `pin`)
    .addOption(new Option('--filter <types>', `pin types to list, comma-separated: ${PIN_TYPES.join(', ')} or all`)
      .argParser(pinTypes)
      .default('all'))
    .action(async (cid: string | undefined, options: { filter: string }) => {
      if (cid != null) {
        ctx.output.print(await ctx.client.get<PinJson>(`allocations/${encodeURIComponent(cid)}`, { signal: ctx.signal }), formatPin)
        return
      }
      const path = withQuery('allocations', new URLSearchParams({ filter: options.filter }))
      for await (const item of ctx.client.stream<PinJson>(path, { signal: ctx.signal })) {
        ctx.output.printItem(item, formatPin)
      }
    })
}

function noStatusOption (): Option {
  return new Option('--no-status', 'print the pin instead of its status on every peer (one request less)')
}

/**
 * As ipfs-cluster-ctl: with --wait, wait for the target status first; then
 * print the pin with --no-status, else its status (the last one --wait saw,
 * or a fresh one).
 */
async function printOutcome (ctx: CommandContext, pin: PinJson, target: WaitTarget, options: StatusOptions): Promise<void> {
  let status = options.wait === true ? await waitForStatus(ctx, pin.cid, target, options) : undefined
  if (!options.status) {
    ctx.output.print(pin, formatPin)
    return
  }
  status ??= await ctx.client.get<GlobalPinInfoJson>(`pins/${encodeURIComponent(pin.cid)}`, { signal: ctx.signal })
  ctx.output.print(status, formatGlobalPinInfo)
}

function cidArgument (name = '<cid>', description = 'a CID, v0 (Qm...) or v1 in any multibase'): Argument {
  return new Argument(name, description).argParser((value: string) => {
    try {
      parseCid(value)
    } catch (err) {
      throw new InvalidArgumentError(`not a CID: ${(err as Error).message}`)
    }
    return value
  })
}

function targetArgument (name = '<cid|path>'): Argument {
  return new Argument(name, 'a CID, v0 (Qm...) or v1 in any multibase, or an IPFS path: /ipfs/<cid>/..., /ipns/<name>/..., /ipld/<cid>/...')
    .argParser((value: string): PinTarget => {
      if (value.startsWith('/')) {
        try {
          const path = checkIpfsPath(value)
          return { apiPath: 'pins' + path.split('/').map(encodeURIComponent).join('/') }
        } catch (err) {
          throw new InvalidArgumentError((err as Error).message)
        }
      }
      try {
        parseCid(value)
      } catch (err) {
        throw new InvalidArgumentError(`not a CID (${(err as Error).message}) nor an IPFS path`)
      }
      return { apiPath: `pins/${encodeURIComponent(value)}` }
    })
}

function pinTypes (value: string): string {
  for (const name of value.split(',')) {
    if (name !== 'all' && !(PIN_TYPES as string[]).includes(name)) {
      throw new InvalidArgumentError(`${JSON.stringify(name)} is not one of ${PIN_TYPES.join(', ')}, all`)
    }
  }
  return value
}

export function withQuery (path: string, query: URLSearchParams): string {
  const text = query.toString()
  return text === '' ? path : `${path}?${text}`
}
