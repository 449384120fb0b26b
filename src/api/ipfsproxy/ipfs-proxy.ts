/**
 * The IPFS proxy component: the Kubo RPC API (`/api/v0/...`) on
 * `listen_multiaddress`, pin, repo, put and add commands going through the
 * cluster, everything else forwarded to the Kubo daemon (kubo connector) or
 * answered from the embedded node where it can be. It holds only the RPC
 * client; the Kubo daemon's address is what it forwards to, never a
 * component.
 */
import { logger } from '@libp2p/logger'
import { buildApp } from './app.ts'
import { AnswerHeaders } from './headers.ts'
import { boundMultiaddr, boundUrl, parseListenAddress } from '../http/listen-address.ts'
import { HttpListeners } from '../http/listeners.ts'
import { httpServerOptions } from '../http/server-options.ts'
import { nodeOrigin } from './node-address.ts'
import { RequestSignals } from './signals.ts'
import type { ProxyContext } from './routes/context.ts'
import type { IpfsProxySection } from '../../config/types.ts'
import type { ClusterRpcClient, Component, ComponentInit } from '../../rpc-api.ts'
import type { FastifyInstance, FastifyReply } from 'fastify'

export interface IpfsProxyInit extends ComponentInit {
  config: IpfsProxySection
  /**
   * The kubo connector's node_multiaddress, where calls are forwarded unless
   * the section names another; undefined with the embedded connector, which
   * has no Kubo API (nothing is forwarded then).
   */
  kuboMultiaddress?: string
}

interface Running {
  app: FastifyInstance
  listeners: HttpListeners
  signals: RequestSignals
  forwarding: Set<FastifyReply>
}

export class IpfsProxy implements Component {
  readonly name = 'ipfsproxy'
  private readonly rpc: ClusterRpcClient
  private readonly config: IpfsProxySection
  private readonly node?: URL
  private readonly log = logger('pincluster:ipfsproxy')
  private running: Running | undefined

  constructor (init: IpfsProxyInit) {
    this.rpc = init.rpc
    this.config = init.config
    const kubo = init.kuboMultiaddress
    this.node = kubo == null ? undefined : nodeOrigin(init.config.node_multiaddress !== '' ? init.config.node_multiaddress : kubo)
  }

  /** Listens on every `listen_multiaddress`; rejects (listening nowhere) if any cannot be bound. */
  async start (options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.running != null) return
    options.signal?.throwIfAborted()
    const addresses = this.config.listen_multiaddress.map((a) => parseListenAddress(a, 'IPFS proxy'))
    const signals = new RequestSignals()
    const forwarding = new Set<FastifyReply>()
    const headers = new AnswerHeaders({
      node: this.node,
      extra: this.config.extract_headers_extra,
      path: this.config.extract_headers_path,
      ttl: this.config.extract_headers_ttl,
      log: this.log
    })
    const ctx: ProxyContext = { rpc: this.rpc, signals, headers, log: this.log, node: this.node, forwarding, commands: new Set() }
    const app = await buildApp(ctx, this.config)
    const listeners = new HttpListeners({ handler: app.routing, options: httpServerOptions(this.config), log: this.log, name: 'IPFS proxy' })
    try {
      await app.ready()
      await listeners.listen(addresses, options.signal)
    } catch (err) {
      await app.close()
      throw err
    }
    this.running = { app, listeners, signals, forwarding }
    if (addresses.length === 0) {
      this.log('no listen_multiaddress: the IPFS proxy is off')
      return
    }
    this.log('IPFS proxy listening on %s, %s', this.listenUrls().join(', '),
      this.node == null ? 'answering from the embedded IPFS node' : `forwarding to ${this.node.origin}`)
  }

  /**
   * Stops accepting connections, aborts the RPC calls in flight (their
   * answers say the proxy is stopping), cuts forwarded calls, and waits for
   * the answers to be written. When `signal` aborts, connections are cut.
   */
  async stop (options: { signal?: AbortSignal } = {}): Promise<void> {
    const running = this.running
    if (running == null) return
    this.running = undefined
    const force = (): void => { running.listeners.destroyConnections() }
    options.signal?.addEventListener('abort', force, { once: true })
    try {
      running.signals.stop()
      for (const reply of running.forwarding) reply.raw.destroy()
      if (options.signal?.aborted === true) force()
      await running.listeners.close()
      await running.app.close()
    } finally {
      options.signal?.removeEventListener('abort', force)
    }
    this.log('IPFS proxy stopped')
  }

  /** Where the proxy listens, as URLs (`http://127.0.0.1:9095`), ports resolved; empty when stopped. */
  listenUrls (): string[] {
    return this.running?.listeners.addresses().map((a) => boundUrl(a)) ?? []
  }

  listenMultiaddrs (): string[] {
    return this.running?.listeners.addresses().map(boundMultiaddr) ?? []
  }
}
