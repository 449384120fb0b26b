import { formatGlobalRepoGC } from '../format/status.ts'
import { localOption } from './status.ts'
import { withQuery } from './pin.ts'
import type { GlobalRepoGCJson } from '../../../api/types.ts'
import type { CommandContext } from '../context.ts'
import type { Command } from 'commander'

export function addIpfsCommands (program: Command, ctx: CommandContext): void {
  const ipfs = program
    .command('ipfs')
    .description('manage the IPFS nodes of the cluster peers')

  ipfs
    .command('gc')
    .description('garbage-collect the IPFS repo of every peer (or of this peer only with --local); print what each removed')
    .addOption(localOption())
    .action(async (options: { local?: boolean }) => {
      const path = withQuery('ipfs/gc', new URLSearchParams(options.local === true ? { local: 'true' } : {}))
      ctx.output.print(await ctx.client.post<GlobalRepoGCJson>(path, { signal: ctx.signal }), formatGlobalRepoGC)
    })
}
