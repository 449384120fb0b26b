import type { BandwidthByProtocolJson, ConnectGraphJson } from '../../types.ts'
import type { RouteModule, RouteSettings } from './context.ts'

const settings: RouteSettings = { public: true }

/**
 * GET /health: 204 while the API is up; for load balancers and probes, so
 * never authenticated. GET /health/graph: who is connected to whom
 * (ConnectGraph). GET /health/bandwidth: bytes in and out of this peer's
 * cluster host by libp2p protocol.
 */
export const healthRoutes: RouteModule = ({ rpc, signals }) => [{
  method: 'GET',
  url: '/health',
  config: settings,
  handler: async (_request, reply) => reply.code(204).send()
}, {
  method: 'GET',
  url: '/health/graph',
  handler: async (request, reply): Promise<ConnectGraphJson> => {
    const graph = await rpc.call(undefined, 'Cluster', 'ConnectGraph', undefined, { signal: signals.forCall(reply) })
    return {
      cluster_id: graph.cluster_id,
      id_to_peername: graph.id_to_peername,
      ipfs_links: graph.ipfs_links,
      cluster_links: graph.cluster_links,
      cluster_trust_links: graph.cluster_trust_links,
      cluster_to_ipfs: graph.cluster_to_ipfs
    }
  }
}, {
  method: 'GET',
  url: '/health/bandwidth',
  handler: async (request, reply): Promise<BandwidthByProtocolJson> => {
    const byProtocol = await rpc.call(undefined, 'Cluster', 'BandwidthByProtocol', undefined, { signal: signals.forCall(reply) })
    const out: BandwidthByProtocolJson = {}
    for (const [protocol, b] of Object.entries(byProtocol)) {
      out[protocol] = { total_in: b.total_in, total_out: b.total_out, rate_in: b.rate_in, rate_out: b.rate_out }
    }
    return out
  }
}]
