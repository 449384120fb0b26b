import { formatId } from '../format/id.ts'
import type { IDJson } from '../../../api/types.ts'
import type { CommandContext } from '../context.ts'
import type { Command } from 'commander'

export function addIdCommand (program: Command, ctx: CommandContext): void {
  program
    .command('id')
    .description('show the identity of the peer behind the REST API')
    .action(async () => {
      ctx.output.print(await ctx.client.get<IDJson>('id', { signal: ctx.signal }), formatId)
    })
}
