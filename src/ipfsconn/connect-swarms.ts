/**
 * ConnectSwarms, the part both connectors share: find the other cluster
 * peers' IPFS nodes (Consensus.Peers, then Cluster.ID of each through one
 * multiCall) and dial each one address after the other until one connects.
 * How to dial is the connector's.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { ClusterRpcClient } from '../rpc-api.ts'
import type { PeerId } from '@libp2p/interface'
import type { Logger } from '@libp2p/logger'
import type { Multiaddr } from '@multiformats/multiaddr'

/** One other peer's IPFS node and the addresses this node may dial it at (each ending in /p2p/<id>). */
export interface SwarmTarget {
  clusterPeer: string
  ipfsId: string
  addresses: Multiaddr[]
}

export interface SwarmTargetsOptions {
  signal: AbortSignal
  /** This IPFS node's peer id: another cluster peer sharing the node is skipped. */
  selfIpfsId?: string
  /** Whether this node can dial the address (given without its /p2p/ part). */
  dialable: (address: Multiaddr) => boolean
  log: Logger
}

const P2P = 'p2p'

/** The addresses of `ipfsId` among `texts` that are dialable, each with /p2p/<ipfsId>; others are dropped. */
export function dialableAddresses (ipfsId: string, texts: string[], dialable: (address: Multiaddr) => boolean): Multiaddr[] {
  const seen = new Set<string>()
  const out: Multiaddr[] = []
  for (const text of texts) {
    let address: Multiaddr
    try {
      address = multiaddr(text)
    } catch {
      continue
    }
    const components = address.getComponents()
    const p2p = components.findIndex((c) => c.name === P2P)
    if (p2p !== -1) {
      // an address of another peer (a relay, or a mistake) is not this node's
      if (p2p !== components.length - 1 || components[p2p]?.value !== ipfsId) continue
      address = multiaddr(components.slice(0, p2p))
    }
    if (!dialable(address)) continue
    const full = address.encapsulate(`/p2p/${ipfsId}`)
    const key = full.toString()
    if (seen.has(key)) continue
    seen.add(key)
    out.push(full)
  }
  return out
}

/** The other cluster peers' IPFS nodes, with their dialable addresses; peers that do not answer are skipped. */
export async function swarmTargets (rpc: ClusterRpcClient, options: SwarmTargetsOptions): Promise<SwarmTarget[]> {
  const { signal, log } = options
  const voters = await rpc.call(undefined, 'Consensus', 'Peers', undefined, { signal })
  const self = rpc.localPeer.toString()
  const others: PeerId[] = []
  for (const voter of voters) {
    if (voter === self) continue
    try {
      others.push(peerIdFromString(voter))
    } catch {
      log.error('consensus peer %s is not a peer id', voter)
    }
  }
  if (others.length === 0) return []
  const answers = await rpc.multiCall(others, 'Cluster', 'ID', undefined, { signal })
  const targets: SwarmTarget[] = []
  for (const answer of answers) {
    const clusterPeer = answer.peer.toString()
    if (answer.error != null) {
      log('cluster peer %s did not answer its ID: %s', clusterPeer, answer.error.message)
      continue
    }
    const ipfs = answer.value.ipfs
    if (ipfs.error !== '' || ipfs.id === '') {
      log('cluster peer %s has no IPFS node to connect to: %s', clusterPeer, ipfs.error)
      continue
    }
    if (ipfs.id === options.selfIpfsId) continue
    const addresses = dialableAddresses(ipfs.id, ipfs.addresses, options.dialable)
    if (addresses.length === 0) {
      log('cluster peer %s: IPFS node %s has no address this node can dial', clusterPeer, ipfs.id)
      continue
    }
    targets.push({ clusterPeer, ipfsId: ipfs.id, addresses })
  }
  return targets
}

export interface ConnectResult {
  connected: string[]
  failed: string[]
}

/** Dials every target in parallel, each one address at a time until one connects. Never throws but for an abort. */
export async function connectTargets (
  targets: SwarmTarget[],
  dial: (address: Multiaddr, signal: AbortSignal) => Promise<void>,
  options: { signal: AbortSignal, log: Logger }
): Promise<ConnectResult> {
  const { signal, log } = options
  const result: ConnectResult = { connected: [], failed: [] }
  await Promise.all(targets.map(async (target) => {
    for (const address of target.addresses) {
      signal.throwIfAborted()
      try {
        await dial(address, signal)
        log('connected to IPFS node %s of cluster peer %s at %a', target.ipfsId, target.clusterPeer, address)
        result.connected.push(target.ipfsId)
        return
      } catch (err) {
        signal.throwIfAborted()
        log('could not connect to %a: %s', address, (err as Error).message)
      }
    }
    result.failed.push(target.ipfsId)
  }))
  return result
}

/** Whether a multiaddr (without /p2p/) is plain TCP over an IP or a DNS name, all a TCP-only node can dial. */
export function isTcpAddress (address: Multiaddr): boolean {
  const components = address.getComponents()
  return components.length === 2 &&
    ['ip4', 'ip6', 'dns', 'dns4', 'dns6'].includes(components[0]?.name ?? '') &&
    components[1]?.name === 'tcp'
}
