/**
 * What the shared connector suite runs on: connectors over partial RPC mocks,
 * each on a real IPFS node (an embedded Helia node, or a js-ipfs daemon).
 */
import { fakeId } from '../fixtures/rpc-mock.ts'
import type { ClusterRpcMock } from '../fixtures/rpc-mock.ts'
import type { IPFSIDJson } from '../../src/api/types.ts'
import type { IpfsConnector } from '../../src/ipfsconn/index.ts'
import type { ClusterApi } from '../../src/rpc-api.ts'
import type { CallContext } from '../../src/rpc/types.ts'
import type { PeerId } from '@libp2p/interface'

export interface ConnectorPeer {
  connector: IpfsConnector
  svc: ClusterApi['IPFSConnector']
  mock: ClusterRpcMock
}

export interface Harness {
  /** Two started connectors on two IPFS nodes not connected to each other. */
  a: ConnectorPeer
  b: ConnectorPeer
  /** A started connector with pin_timeout 1 s. */
  impatient: ConnectorPeer
}

export interface HarnessFactory {
  name: string
  start(): Promise<Harness>
  stop(): Promise<void>
}

/** A call context with a generous deadline: a hung call fails the test instead of the whole run. */
export function ctx (ms = 60_000): CallContext {
  return { signal: AbortSignal.timeout(ms) }
}

export async function collect<T> (items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

/** Polls `check` until it holds (no fixed sleeps as synchronization); fails after `ms`. */
export async function eventually (check: () => Promise<boolean>, ms = 30_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const remoteIds = new WeakMap<ClusterRpcMock, Map<string, IPFSIDJson>>()

/**
 * Makes the mock's cluster hold one more peer (its first "other" peer),
 * whose IPFS node is `ipfs`: Consensus.Peers lists both, and Cluster.ID
 * called on that peer answers with `ipfs`. The mock has no network, so calls
 * to other peers are answered here, before they would try to dial.
 */
export function clusterPeerWithIpfsNode (mock: ClusterRpcMock, ipfs: IPFSIDJson): PeerId {
  const other = mock.otherPeers[0]
  if (other == null) throw new Error('the mock needs at least one other peer')
  mock.mockService('Consensus', { Peers: async () => [mock.peerId.toString(), other.toString()] })
  let ids = remoteIds.get(mock)
  if (ids == null) {
    ids = new Map()
    remoteIds.set(mock, ids)
    const answers = ids
    const rpc = mock.rpc
    const call = rpc.call.bind(rpc) as (...args: unknown[]) => Promise<unknown>
    const patched = (peer: PeerId | undefined, service: string, method: string, arg: unknown, options?: { signal?: AbortSignal }): Promise<unknown> => {
      const ipfsId = peer != null ? answers.get(peer.toString()) : undefined
      if (peer != null && !rpc.isLocal(peer) && service === 'Cluster' && method === 'ID' && ipfsId != null) {
        return Promise.resolve(fakeId(peer, { ipfs: ipfsId }))
      }
      return call(peer, service, method, arg, options)
    }
    // multiCall reaches remote peers without going through call(): answer it per peer the same way
    const multiCall = async (peers: PeerId[], service: string, method: string, arg: unknown, options?: { signal?: AbortSignal }): Promise<unknown[]> =>
      Promise.all(peers.map(async (peer) => {
        try {
          return { peer, value: await patched(peer, service, method, arg, options) }
        } catch (err) {
          return { peer, error: err as Error }
        }
      }))
    Object.assign(rpc, { call: patched, multiCall })
  }
  ids.set(other.toString(), ipfs)
  return other
}
