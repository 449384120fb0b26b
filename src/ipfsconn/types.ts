/**
 * What every IPFS connector is: a Component serving the IPFSConnector RPC
 * service. The Cluster registers `service()` and starts it after the
 * consensus.
 */
import type { ClusterApi, Component } from '../rpc-api.ts'

export interface IpfsConnector extends Component {
  service(): ClusterApi['IPFSConnector']
}
