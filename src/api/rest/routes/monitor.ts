import { canonicalAlert, canonicalMetric } from '../status-json.ts'
import type { AlertJson, MetricJson } from '../../types.ts'
import type { RouteModule } from './context.ts'

/**
 * GET /monitor/metrics: the names of the metrics this peer's monitor holds.
 * GET /monitor/metrics/{name}: the latest valid metric of that name from each
 * current peer. GET /health/alerts: the monitor's recent alerts (expired
 * metrics), through Cluster.Alerts as in IPFS Cluster.
 */
export const monitorRoutes: RouteModule = ({ rpc, signals }) => [{
  method: 'GET',
  url: '/monitor/metrics',
  handler: async (request, reply): Promise<string[]> =>
    rpc.call(undefined, 'PeerMonitor', 'MetricNames', undefined, { signal: signals.forCall(reply) })
}, {
  method: 'GET',
  url: '/monitor/metrics/:name',
  handler: async (request, reply): Promise<MetricJson[]> => {
    const { name } = request.params as { name: string }
    const metrics = await rpc.call(undefined, 'PeerMonitor', 'LatestMetrics', name, { signal: signals.forCall(reply) })
    return metrics.map(canonicalMetric)
  }
}, {
  method: 'GET',
  url: '/health/alerts',
  handler: async (request, reply): Promise<AlertJson[]> => {
    const alerts = await rpc.call(undefined, 'Cluster', 'Alerts', undefined, { signal: signals.forCall(reply) })
    return alerts.map(canonicalAlert)
  }
}]
