import { Argument, InvalidArgumentError, Option } from 'commander'
import { parseCid } from '../../../api/cid.ts'
import { formatPin } from '../format/pin.ts'
import { addPinAddOptions, pinAddQuery } from '../pin-options.ts'
import type { PinJson, PinType } from '../../../api/types.ts'
import type { CommandContext } from '../context.ts'
import type { PinAddOptions } from '../pin-options.ts'
import type { Command } from 'commander'

const PIN_TYPES: PinType[] = ['pin', 'meta-pin', 'clusterdag-pin', 'shard-pin']

export function addPinCommands (program: Command, ctx: CommandContext): void {
  const pin = program
    .command('pin')
    .description('pin, unpin and list the pins of the cluster')

  addPinAddOptions(pin
    .command('add')
    .description('pin a CID in the cluster and print the pin'))
    .addArgument(cidArgument())
    .action(async (cid: string, options: PinAddOptions) => {
      const path = withQuery(`pins/${encodeURIComponent(cid)}`, pinAddQuery(options))
      ctx.output.print(await ctx.client.post<PinJson>(path, { signal: ctx.signal }), formatPin)
    })

  pin
    .command('rm')
    .description('unpin a CID from the cluster and print the pin it was')
    .addArgument(cidArgument())
    .addOption(new Option('--no-status', 'print the pin only (cluster-ctl does not show pin status yet, so this is what it prints anyway)'))
    .action(async (cid: string) => {
      ctx.output.print(await ctx.client.delete<PinJson>(`pins/${encodeURIComponent(cid)}`, { signal: ctx.signal }), formatPin)
    })

  pin
    .command('ls')
    .description('list the pinset, printing each pin as it arrives, or show one pin')
    .addArgument(cidArgument().argOptional())
    .addOption(new Option('--filter <types>', `pin types to list, comma-separated: ${PIN_TYPES.join(', ')} or all`)
      .argParser(pinTypes)
      .default('pin'))
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

function cidArgument (): Argument {
  return new Argument('<cid>', 'a CID, v0 (Qm...) or v1 in any multibase').argParser((value: string) => {
    try {
      parseCid(value)
    } catch (err) {
      throw new InvalidArgumentError(`not a CID: ${(err as Error).message}`)
    }
    return value
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

function withQuery (path: string, query: URLSearchParams): string {
  const text = query.toString()
  return text === '' ? path : `${path}?${text}`
}
