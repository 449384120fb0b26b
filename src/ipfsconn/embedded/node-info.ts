/**
 * What the embedded node says of itself, in the shape of Kubo's `id`,
 * `version` and `swarm/peers` answers (the IPFS proxy serves those from it).
 */
import { publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { goSystem } from '../go-system.ts'
import type { EmbeddedHelia } from './node.ts'
import type { IpfsNodeInfo, IpfsSwarmConnection } from '../../rpc-api.ts'

export function nodeInfo (helia: EmbeddedHelia): IpfsNodeInfo {
  const libp2p = helia.libp2p
  const key = libp2p.peerId.publicKey
  return {
    id: libp2p.peerId.toString(),
    public_key: key == null ? '' : Buffer.from(publicKeyToProtobuf(key)).toString('base64'),
    addresses: libp2p.getMultiaddrs().map((a) => a.toString()),
    agent_version: `${helia.info.name}/${helia.info.version}`,
    protocols: libp2p.getProtocols(),
    version: helia.info.version,
    commit: '',
    repo: '',
    system: goSystem()
  }
}

export function swarmConnections (helia: EmbeddedHelia): IpfsSwarmConnection[] {
  return helia.libp2p.getConnections().map((c) => ({
    peer: c.remotePeer.toString(),
    addr: c.remoteAddr.toString(),
    direction: c.direction
  }))
}
