import { writeFile } from 'node:fs/promises'
import { Option } from 'commander'
import { formatBandwidth } from '../format/bandwidth.ts'
import { formatConnectGraph } from '../format/graph.ts'
import { formatAlert, formatLines, formatMetric } from '../format/status.ts'
import type { AlertJson, BandwidthByProtocolJson, ConnectGraphJson, MetricJson } from '../../../api/types.ts'
import type { CommandContext } from '../context.ts'
import type { Command } from 'commander'

interface GraphOptions {
  file?: string
  allIpfsPeers?: boolean
}

export function addHealthCommands (program: Command, ctx: CommandContext): void {
  const health = program
    .command('health')
    .description('monitoring information of the cluster')

  health
    .command('graph')
    .description('the connections among the cluster peers and their IPFS nodes, as a Graphviz dot file (the ConnectGraph object with --enc json)')
    .addOption(new Option('-f, --file <path>', 'write the output to this file instead of stdout'))
    .addOption(new Option('--all-ipfs-peers', 'draw the swarm peers of the IPFS nodes that are not in the cluster too'))
    .action(async (options: GraphOptions) => {
      const graph = await ctx.client.get<ConnectGraphJson>('health/graph', { signal: ctx.signal })
      const text = ctx.output.render(graph, (g) => formatConnectGraph(g, options.allIpfsPeers === true))
      if (options.file != null) await writeFile(options.file, text, { signal: ctx.signal })
      else ctx.output.write(text)
    })

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

  health
    .command('bandwidth')
    .description('bytes in and out of the cluster peer behind the API, by libp2p protocol, with their recent rates')
    .action(async () => {
      ctx.output.print(await ctx.client.get<BandwidthByProtocolJson>('health/bandwidth', { signal: ctx.signal }), formatBandwidth)
    })
}
