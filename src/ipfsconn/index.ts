/**
 * The IPFS connector chosen in service.json (`ipfs_connector.type`): `kubo`,
 * a Kubo RPC API next to the peer, or `embedded`, a Helia node inside the
 * daemon.
 */
import { EmbeddedConnector } from './embedded/embedded-connector.ts'
import { KuboConnector } from './kubo/kubo-connector.ts'
import type { IpfsConnectorSection } from '../config/types.ts'
import type { ClusterRpcClient } from '../rpc-api.ts'
import type { IpfsConnector } from './types.ts'

export interface CreateIpfsConnectorInit {
  rpc: ClusterRpcClient
  config: IpfsConnectorSection
  /** The configuration folder (the embedded node's files go below it). */
  folder: string
}

export function createIpfsConnector (init: CreateIpfsConnectorInit): IpfsConnector {
  switch (init.config.type) {
    case 'kubo':
      return new KuboConnector({ rpc: init.rpc, config: init.config.ipfshttp })
    case 'embedded':
      return new EmbeddedConnector({ rpc: init.rpc, config: init.config.embedded, folder: init.folder })
  }
}

export { EmbeddedConnector } from './embedded/embedded-connector.ts'
export { KuboConnector } from './kubo/kubo-connector.ts'
export { ipfsApiAnswers } from './kubo/probe.ts'
export * from './errors.ts'
export type { IpfsConnector } from './types.ts'
