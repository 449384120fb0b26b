import { Argument, InvalidArgumentError, Option } from 'commander'
import { parseCid } from '../../../api/cid.ts'
import { STATUS_FILTERS, isStatusFilter } from '../../../api/tracker-status.ts'
import { formatGlobalPinInfo } from '../format/status.ts'
import { withQuery } from './pin.ts'
import type { GlobalPinInfoJson } from '../../../api/types.ts'
import type { CommandContext } from '../context.ts'
import type { Command } from 'commander'

interface StatusOptions {
  local?: boolean
  filter?: string
}

export function addStatusCommands (program: Command, ctx: CommandContext): void {
  program
    .command('status')
    .description('show the status of pins on every peer (or this peer only with --local), printing each as it arrives')
    .addArgument(new Argument('[cid...]', 'CIDs to show (default: every pin)').argParser(cids))
    .addOption(localOption())
    .addOption(new Option('--filter <statuses>', `only pins with one of these statuses on some peer, comma-separated: ${STATUS_FILTERS.join(', ')}`)
      .argParser(statuses))
    .action(async (cidList: string[] | undefined, options: StatusOptions) => {
      const query = new URLSearchParams()
      if (options.local === true) query.set('local', 'true')
      const list = cidList ?? []
      const [only] = list
      if (only !== undefined && list.length === 1 && options.filter == null) {
        const path = withQuery(`pins/${encodeURIComponent(only)}`, query)
        ctx.output.print(await ctx.client.get<GlobalPinInfoJson>(path, { signal: ctx.signal }), formatGlobalPinInfo)
        return
      }
      if (options.filter != null) query.set('filter', options.filter)
      if (list.length > 0) query.set('cids', list.join(','))
      for await (const item of ctx.client.stream<GlobalPinInfoJson>(withQuery('pins', query), { signal: ctx.signal })) {
        ctx.output.printItem(item, formatGlobalPinInfo)
      }
    })

  program
    .command('recover')
    .description('re-queue a failed pin (or every failed pin) on every peer (or this peer only with --local); print what was re-queued')
    .addArgument(new Argument('[cid]', 'the CID to recover (default: every pin in error)').argParser(cid))
    .addOption(localOption())
    .action(async (cid: string | undefined, options: StatusOptions) => {
      const query = new URLSearchParams()
      if (options.local === true) query.set('local', 'true')
      if (cid != null) {
        const path = withQuery(`pins/${encodeURIComponent(cid)}/recover`, query)
        ctx.output.print(await ctx.client.post<GlobalPinInfoJson>(path, { signal: ctx.signal }), formatGlobalPinInfo)
        return
      }
      for await (const item of ctx.client.stream<GlobalPinInfoJson>(withQuery('pins/recover', query), { signal: ctx.signal, method: 'POST' })) {
        ctx.output.printItem(item, formatGlobalPinInfo)
      }
    })
}

export function localOption (): Option {
  return new Option('--local', 'on the peer behind the API only, not on every peer')
}

function cid (value: string): string {
  try {
    parseCid(value)
  } catch (err) {
    throw new InvalidArgumentError(`not a CID: ${(err as Error).message}`)
  }
  return value
}

function cids (value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), cid(value)]
}

function statuses (value: string): string {
  for (const name of value.split(',')) {
    if (!isStatusFilter(name)) throw new InvalidArgumentError(`${JSON.stringify(name)} is not one of ${STATUS_FILTERS.join(', ')}`)
  }
  return value
}
