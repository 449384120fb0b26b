import { formatVersion } from '../format/version.ts'
import type { VersionJson } from '../../../api/types.ts'
import type { CommandContext } from '../context.ts'
import type { Command } from 'commander'

export function addVersionCommand (program: Command, ctx: CommandContext): void {
  program
    .command('version')
    .description('show the version of the peer behind the REST API')
    .action(async () => {
      ctx.output.print(await ctx.client.get<VersionJson>('version', { signal: ctx.signal }), formatVersion)
    })
}
