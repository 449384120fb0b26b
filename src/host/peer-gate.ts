/**
 * A connection gater that can cut this peer off from chosen peers: it refuses
 * to dial them and refuses their connections. Tests use it to partition a
 * cluster; `Cluster` exposes it for operators' deny lists later.
 */
import type { ConnectionGater, PeerId } from '@libp2p/interface'

export class PeerGate implements ConnectionGater {
  private readonly denied = new Set<string>()

  deny (peer: PeerId): void {
    this.denied.add(peer.toString())
  }

  allow (peer: PeerId): void {
    this.denied.delete(peer.toString())
  }

  isDenied (peer: PeerId): boolean {
    return this.denied.has(peer.toString())
  }

  denyDialPeer = (peer: PeerId): boolean => this.isDenied(peer)
  denyInboundEncryptedConnection = (peer: PeerId): boolean => this.isDenied(peer)
  denyOutboundEncryptedConnection = (peer: PeerId): boolean => this.isDenied(peer)
  denyInboundUpgradedConnection = (peer: PeerId): boolean => this.isDenied(peer)
  denyOutboundUpgradedConnection = (peer: PeerId): boolean => this.isDenied(peer)
  // loopback and private addresses are where clusters (and tests) live
  denyDialMultiaddr = (): boolean => false
}
