/**
 * The connectivity graph of the cluster (`GET /health/graph`), built as IPFS
 * Cluster builds it: every member is asked for its view of the peers
 * (`Cluster.Peers`: the ID of each member it reached); the peers a member
 * reached are its cluster links, its own ID there gives its name and its IPFS
 * node; each IPFS node's swarm peers (`IPFSConnector.SwarmPeers`, asked of
 * the member running it) are its IPFS links. Trust is this peer's view
 * (`Consensus.IsTrustedPeer`). A member that does not answer keeps an empty
 * list of links and no IPFS node; one whose IPFS node does not answer has no
 * IPFS node; a failed SwarmPeers leaves its IPFS node without links.
 */
import type { ConnectGraphJson, IDJson } from '../api/types.ts'
import type { ClusterRpcClient } from '../rpc-api.ts'
import type { PeerId } from '@libp2p/interface'

export interface ConnectGraphInit {
  rpc: ClusterRpcClient
  /** This peer. */
  self: PeerId
  /** The members, in the order to list them. */
  members: PeerId[]
  signal: AbortSignal
}

export async function connectGraph ({ rpc, self, members, signal }: ConnectGraphInit): Promise<ConnectGraphJson> {
  const graph: ConnectGraphJson = {
    cluster_id: self.toString(),
    id_to_peername: {},
    ipfs_links: {},
    cluster_links: {},
    cluster_trust_links: {},
    cluster_to_ipfs: {}
  }
  const trust = await Promise.all(members.map(async (m) => rpc.call(undefined, 'Consensus', 'IsTrustedPeer', m.toString(), { signal })))
  members.forEach((m, i) => { graph.cluster_trust_links[m.toString()] = trust[i] === true })

  const views = await viewsOf(rpc, members, signal)
  const withIpfs: PeerId[] = []
  for (const member of members) {
    const id = member.toString()
    graph.cluster_links[id] = []
    const view = views.get(id)
    if (view == null) continue
    let own: IDJson | undefined
    for (const seen of view) {
      if (seen.error !== '') continue
      if (seen.id === id) own = seen
      else graph.cluster_links[id].push(seen.id)
    }
    graph.id_to_peername[id] = own?.peername ?? ''
    if (own == null || own.ipfs.error !== '' || own.ipfs.id === '') continue
    graph.cluster_to_ipfs[id] = own.ipfs.id
    graph.ipfs_links[own.ipfs.id] = []
    withIpfs.push(member)
  }

  const swarms = await rpc.multiCall(withIpfs, 'IPFSConnector', 'SwarmPeers', undefined, { signal })
  for (const answer of swarms) {
    if (answer.error != null) continue
    const ipfsId = graph.cluster_to_ipfs[answer.peer.toString()]
    if (ipfsId != null) graph.ipfs_links[ipfsId] = answer.value
  }
  return graph
}

/** Each member's `Cluster.Peers`, by member id; members that failed are left out. */
async function viewsOf (rpc: ClusterRpcClient, members: PeerId[], signal: AbortSignal): Promise<Map<string, IDJson[]>> {
  const views = new Map<string, IDJson[]>(members.map((m) => [m.toString(), []]))
  for await (const item of rpc.multiStream(members, 'Cluster', 'Peers', undefined, { signal })) {
    const id = item.peer.toString()
    if (item.error != null) {
      signal.throwIfAborted()
      views.delete(id)
    } else {
      views.get(id)?.push(item.value)
    }
  }
  return views
}
