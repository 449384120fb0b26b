/** Kubo's own `id`, `version` and `swarm/peers` answers, as NodeInfo and SwarmConnections give them. */
import type { IpfsNodeInfo, IpfsSwarmConnection } from '../../rpc-api.ts'
import type { KuboRPCClient } from 'kubo-rpc-client'

export async function kuboNodeInfo (client: KuboRPCClient, signal: AbortSignal): Promise<IpfsNodeInfo> {
  const [id, version] = await Promise.all([client.id({ signal }), client.version({ signal })])
  return {
    id: id.id.toString(),
    public_key: id.publicKey ?? '',
    addresses: (id.addresses ?? []).map((a) => a.toString()),
    agent_version: id.agentVersion ?? '',
    protocols: id.protocols ?? [],
    version: version.version,
    commit: version.commit ?? '',
    repo: version.repo ?? '',
    system: version.system ?? ''
  }
}

export async function kuboSwarmConnections (client: KuboRPCClient, signal: AbortSignal): Promise<IpfsSwarmConnection[]> {
  const peers = await client.swarm.peers({ direction: true, signal })
  return peers.map((p) => ({ peer: p.peer.toString(), addr: p.addr.toString(), direction: p.direction ?? 'outbound' }))
}
