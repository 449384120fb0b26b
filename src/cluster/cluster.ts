/**
 * The Cluster component: it owns the libp2p host and the RPC server, builds
 * one RPC client, hands that client to every other component, registers their
 * services, and starts them in order (host + RPC first, APIs last), stopping
 * them in reverse.
 */
import { logger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { RestApi } from '../api/rest/index.ts'
import { IpfsProxy } from '../api/ipfsproxy/index.ts'
import { PinSvcApi } from '../api/pinsvc/index.ts'
import { CATCH_UP_TIMEOUT, RaftConsensus } from '../consensus/consensus.ts'
import { PinTracker } from '../pintracker/pin-tracker.ts'
import { createIpfsConnector } from '../ipfsconn/index.ts'
import { PeerMonitor } from '../monitor/index.ts'
import { BalancedAllocator } from '../allocator/index.ts'
import { MetricsPublisher, createInformers } from '../informer/index.ts'
import { StateSync } from './state-sync.ts'
import { createClusterHost } from '../host/host.ts'
import { PeerGate } from '../host/peer-gate.ts'
import { ProtocolBandwidth } from '../host/bandwidth.ts'
import { RpcClient } from '../rpc/client.ts'
import { RpcServer } from '../rpc/server.ts'
import { clusterMethods } from '../rpc-api.ts'
import { ClusterService } from './cluster-service.ts'
import { startInOrder, stopInReverse } from './lifecycle.ts'
import { PeerWatch } from './peer-watch.ts'
import { DenyFile } from './deny-file.ts'
import type { ClusterHost } from '../host/host.ts'
import type { ServiceConfig } from '../config/types.ts'
import type { ClusterApi, ClusterRpcClient, Component } from '../rpc-api.ts'
import type { PrivateKey } from '@libp2p/interface'

const log = logger('pincluster:cluster')

function anySignal (signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs)
  return signal == null ? timeout : AbortSignal.any([signal, timeout])
}

/** How long one peer may take to answer when the cluster lists its peers. */
const PEER_ANSWER_TIMEOUT = 10_000

export interface ClusterInit {
  config: ServiceConfig
  /** The configuration folder: component data lives below it. */
  folder: string
  privateKey: PrivateKey
  /** Multiaddrs (with /p2p/) of peers to dial at start. */
  bootstrap?: string[]
  /** The connection gate; tests pass one to cut peers apart. */
  gate?: PeerGate
}

/** Fired when the peer must shut down on its own (removed from the cluster); `detail` says why. */
export class ShutdownRequestEvent extends Event {
  readonly reason: string
  constructor (reason: string) {
    super('shutdown-request')
    this.reason = reason
  }
}

export class Cluster extends EventTarget {
  readonly gate: PeerGate
  private readonly config: ServiceConfig
  private readonly folder: string
  private readonly privateKey: PrivateKey
  private readonly bootstrap: string[]
  private host?: ClusterHost
  private server?: RpcServer<ClusterApi>
  private client?: ClusterRpcClient
  private components: Component[] = []
  private restApi?: RestApi
  private ipfsProxy?: IpfsProxy
  private pinSvcApi?: PinSvcApi

  constructor (init: ClusterInit) {
    super()
    this.config = init.config
    this.folder = init.folder
    this.privateKey = init.privateKey
    this.bootstrap = init.bootstrap ?? []
    this.gate = init.gate ?? new PeerGate()
  }

  get libp2p (): ClusterHost {
    if (this.host == null) throw new Error('the cluster is not started')
    return this.host
  }

  get rpc (): ClusterRpcClient {
    if (this.client == null) throw new Error('the cluster is not started')
    return this.client
  }

  /** Where the REST API listens (URLs), once started. */
  get restApiUrls (): string[] {
    return this.restApi?.listenUrls() ?? []
  }

  /** Where the IPFS proxy listens (URLs), once started. */
  get ipfsProxyUrls (): string[] {
    return this.ipfsProxy?.listenUrls() ?? []
  }

  /** Where the Pinning Service API listens (URLs), once started; empty when it is off. */
  get pinSvcApiUrls (): string[] {
    return this.pinSvcApi?.listenUrls() ?? []
  }

  async start (options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = options
    const cfg = this.config
    const bandwidth = new ProtocolBandwidth()
    const host = await createClusterHost({
      bandwidth,
      privateKey: this.privateKey,
      secret: cfg.cluster.secret,
      listen: cfg.cluster.listen_multiaddress,
      announce: cfg.cluster.announce_multiaddress,
      gate: this.gate
    })
    // trusted peers: the consensus peerset
    const server: RpcServer<ClusterApi> = new RpcServer<ClusterApi>({
      host,
      methods: clusterMethods,
      maxFrameSize: cfg.rpc.max_frame_size,
      isTrusted: async (peer, signal) => rpc.call(undefined, 'Consensus', 'IsTrustedPeer', peer.toString(), { signal })
    })
    const rpc = new RpcClient<ClusterApi>({ host, server })
    this.host = host
    this.server = server
    this.client = rpc

    server.register('Cluster', new ClusterService({
      host,
      rpc,
      peername: cfg.cluster.peername,
      peerTimeout: PEER_ANSWER_TIMEOUT,
      replication: { min: cfg.cluster.replication_factor_min, max: cfg.cluster.replication_factor_max },
      onShutdown: (reason) => { this.dispatchEvent(new ShutdownRequestEvent(reason)) },
      disableRepinning: cfg.cluster.disable_repinning,
      bandwidth
    }))
    const consensus = new RaftConsensus({
      rpc,
      config: cfg.consensus.raft,
      folder: this.folder,
      self: host.peerId.toString(),
      join: this.bootstrap.length > 0
    })
    server.register('Consensus', consensus.service())
    const self = host.peerId.toString()
    const ipfs = createIpfsConnector({ rpc, config: cfg.ipfs_connector, folder: this.folder })
    server.register('IPFSConnector', ipfs.service())
    const tracker = new PinTracker({
      rpc,
      self,
      peername: cfg.cluster.peername,
      config: cfg.pin_tracker.stateless,
      recoverInterval: cfg.cluster.pin_recover_interval
    })
    server.register('PinTracker', tracker.service())
    const monitor = new PeerMonitor({ rpc, config: cfg.monitor })
    server.register('PeerMonitor', monitor.service())
    const allocator = new BalancedAllocator({ rpc, config: cfg.allocator.balanced })
    server.register('Allocator', allocator.service())
    const publisher = new MetricsPublisher({ rpc, informers: createInformers({ rpc, config: cfg.informer }), pingInterval: cfg.cluster.monitor_ping_interval })
    const stateSync = new StateSync({ rpc, self, interval: cfg.cluster.state_sync_interval })
    this.restApi = new RestApi({ rpc, config: cfg.api.restapi, folder: this.folder })
    this.ipfsProxy = new IpfsProxy({
      rpc,
      config: cfg.api.ipfsproxy,
      kuboMultiaddress: cfg.ipfs_connector.type === 'kubo' ? cfg.ipfs_connector.ipfshttp.node_multiaddress : undefined
    })
    this.pinSvcApi = new PinSvcApi({ rpc, config: cfg.api.pinsvcapi, folder: this.folder })
    const peerWatch = new PeerWatch({ host, rpc, folder: this.folder, interval: cfg.cluster.peer_watch_interval, dialTimeout: cfg.consensus.raft.network_timeout })
    const denyFile = new DenyFile(this.gate, host)
    // stopped in reverse: the APIs first, the consensus after everything that writes through it
    this.components = [denyFile, consensus, ipfs, tracker, monitor, allocator, publisher, stateSync, peerWatch, this.restApi, this.ipfsProxy, this.pinSvcApi]

    await host.start()
    try {
      await server.start()
      await startInOrder([denyFile], signal)
      await peerWatch.load()
      await this.dialBootstrap(signal)
      // the consensus hands applied pins to the tracker, which queues them until it starts
      await startInOrder([consensus], signal)
      await this.joinIfNew(signal)
      await peerWatch.connectMembers(signal)
      await startInOrder([ipfs, tracker, monitor, allocator, publisher, stateSync, peerWatch, this.restApi, this.ipfsProxy, this.pinSvcApi], signal)
    } catch (err) {
      // stopping a component that never started does nothing
      await stopInReverse(this.components).catch(() => {})
      await rpc.stop()
      await server.stop()
      await host.stop()
      throw err
    }
    log('cluster peer %p started', host.peerId)
  }

  async stop (options: { signal?: AbortSignal } = {}): Promise<void> {
    const errors: Error[] = []
    if (this.config.cluster.leave_on_shutdown && this.client != null) {
      try {
        await this.client.call(undefined, 'Consensus', 'Leave', undefined, { signal: options.signal })
      } catch (err) {
        errors.push(new Error(`leaving the cluster: ${(err as Error).message}`, { cause: err }))
      }
    }
    try {
      await stopInReverse(this.components, options.signal)
    } catch (err) {
      errors.push(err as Error)
    }
    for (const step of [async () => this.client?.stop(), async () => this.server?.stop(), async () => this.host?.stop()]) {
      try {
        await step()
      } catch (err) {
        errors.push(err as Error)
      }
    }
    this.components = []
    log('cluster peer stopped')
    if (errors.length > 0) throw new AggregateError(errors, `stopping the cluster: ${errors.map((e) => e.message).join('; ')}`)
  }

  /**
   * A fresh peer started with --bootstrap asks a member to add it, then waits
   * to catch up; if it cannot, it asks to be removed again, so the cluster is
   * as before.
   */
  private async joinIfNew (signal?: AbortSignal): Promise<void> {
    const rpc = this.rpc
    const self = this.libp2p.peerId.toString()
    const voters = await rpc.call(undefined, 'Consensus', 'Peers', undefined, { signal })
    if (voters.includes(self) || this.bootstrap.length === 0) return
    const member = peerIdFromString(multiaddr(this.bootstrap[0] ?? '').getComponents().find((c) => c.name === 'p2p')?.value ?? '')
    const timeout = this.config.consensus.raft.wait_for_leader_timeout
    await rpc.call(member, 'Cluster', 'PeerAdd', self, { signal: anySignal(signal, timeout) })
    try {
      await rpc.call(undefined, 'Consensus', 'WaitForSync', undefined, { signal: anySignal(signal, CATCH_UP_TIMEOUT) })
    } catch (err) {
      log.error('could not catch up after joining: %s; leaving again', (err as Error).message)
      await rpc.call(member, 'Cluster', 'PeerRemove', self, { signal: anySignal(undefined, timeout) }).catch(() => {})
      throw err
    }
    log('joined the cluster through %p', member)
  }

  private async dialBootstrap (signal?: AbortSignal): Promise<void> {
    const addrs = [...this.bootstrap, ...this.config.cluster.peer_addresses]
    for (const addr of addrs) {
      try {
        await this.libp2p.dial(multiaddr(addr), { signal })
        log('connected to %s', addr)
      } catch (err) {
        log.error('could not connect to %s: %s', addr, (err as Error).message)
        if (this.bootstrap.includes(addr)) throw new Error(`cannot reach bootstrap peer ${addr}: ${(err as Error).message}`, { cause: err })
      }
    }
  }
}
