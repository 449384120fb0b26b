import { formatId } from '../format/id.ts'
import type { IDJson } from '../../../api/types.ts'
import type { CommandContext } from '../context.ts'
import type { Command } from 'commander'

export function addPeersCommands (program: Command, ctx: CommandContext): void {
  const peers = program
    .command('peers')
    .description('list and manage cluster peers')

  peers
    .command('ls')
    .description('list the peers of the cluster, printing each as it arrives')
    .action(async () => {
      for await (const id of ctx.client.stream<IDJson>('peers', { signal: ctx.signal })) {
        ctx.output.printItem(id, formatId)
      }
    })

  peers
    .command('rm <peer-id>')
    .description('remove a peer from the cluster; it shuts down')
    .action(async (peerId: string) => {
      await ctx.client.noContent('DELETE', `peers/${encodeURIComponent(peerId)}`, { signal: ctx.signal })
    })
}
