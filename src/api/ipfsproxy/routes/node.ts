/** `id`, `version` and `swarm/peers` of the embedded node, in Kubo's shapes. */
import { multiaddr } from '@multiformats/multiaddr'
import { argsOf, boolOption, queryOf } from '../args.ts'
import { KuboError } from '../kubo-error.ts'
import { command } from './context.ts'
import type { ProxyContext } from './context.ts'
import type { FastifyInstance } from 'fastify'

/** go-libp2p's network.Direction values. */
const DIRECTIONS = { inbound: 1, outbound: 2 }

export function registerNodeInfo (app: FastifyInstance, ctx: ProxyContext): void {
  const { rpc } = ctx

  command(app, ctx, 'id', async (request, _reply, signal) => {
    const [peer] = argsOf(queryOf(request), 'peerid', 0)
    const info = await rpc.call(undefined, 'IPFSConnector', 'NodeInfo', undefined, { signal })
    if (peer != null && peer !== info.id) throw new KuboError('the embedded IPFS node answers only its own id (it has no routing to find other peers)')
    return {
      ID: info.id,
      PublicKey: info.public_key,
      Addresses: info.addresses,
      AgentVersion: info.agent_version,
      Protocols: info.protocols
    }
  })

  command(app, ctx, 'version', async (_request, _reply, signal) => {
    const info = await rpc.call(undefined, 'IPFSConnector', 'NodeInfo', undefined, { signal })
    return { Version: info.version, Commit: info.commit, Repo: info.repo, System: info.system, Golang: '' }
  })

  command(app, ctx, 'swarm/peers', async (request, _reply, signal) => {
    const withDirection = boolOption(queryOf(request), ['direction'], false)
    const connections = await rpc.call(undefined, 'IPFSConnector', 'SwarmConnections', undefined, { signal })
    return {
      Peers: connections.map((c) => ({
        // Kubo shows the remote address without the peer id, which has its own field
        Addr: multiaddr(c.addr).decapsulateCode(421).toString(),
        Peer: c.peer,
        ...(withDirection ? { Direction: DIRECTIONS[c.direction] } : {})
      }))
    }
  })
}
