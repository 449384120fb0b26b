import { formatAlert, formatLines, formatMetric } from '../format/status.ts'
import type { AlertJson, MetricJson } from '../../../api/types.ts'
import type { CommandContext } from '../context.ts'
import type { Command } from 'commander'

export function addHealthCommands (program: Command, ctx: CommandContext): void {
  const health = program
    .command('health')
    .description('monitoring information of the cluster')

  health
    .command('metrics')
    .description('the latest valid metrics of that name this peer holds, one per peer; without a name, the metric names')
    .argument('[name]', 'a metric name: freespace, ping, tag:group... (default: list the names)')
    .action(async (name: string | undefined) => {
      if (name == null) {
        ctx.output.print(await ctx.client.get<string[]>('monitor/metrics', { signal: ctx.signal }), formatLines)
        return
      }
      const metrics = await ctx.client.get<MetricJson[]>(`monitor/metrics/${encodeURIComponent(name)}`, { signal: ctx.signal })
      const now = Date.now()
      ctx.output.print(metrics, (list) => list.map((m) => formatMetric(m, now)).join(''))
    })

  health
    .command('alerts')
    .description('the latest alerts: metrics of peers that expired without a new one (a peer down, an informer failing)')
    .action(async () => {
      const alerts = await ctx.client.get<AlertJson[]>('health/alerts', { signal: ctx.signal })
      const now = Date.now()
      ctx.output.print(alerts, (list) => list.map((a) => formatAlert(a, now)).join(''))
    })
}
