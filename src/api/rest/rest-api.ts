/**
 * The REST API component: an HTTP server compatible with IPFS Cluster's REST
 * API. It holds only the RPC client; every answer comes from RPC calls to the
 * local peer.
 */
import { logger } from '@libp2p/logger'
import { buildApp } from './app.ts'
import { boundMultiaddr, boundUrl, parseListenAddress } from './listen-address.ts'
import { HttpListeners } from './listeners.ts'
import { RequestSignals } from './request-signals.ts'
import { httpServerOptions } from './server-options.ts'
import type { RestApiSection } from '../../config/types.ts'
import type { ClusterRpcClient, Component, ComponentInit } from '../../rpc-api.ts'
import type { FastifyInstance } from 'fastify'

export interface RestApiInit extends ComponentInit {
  config: RestApiSection
}

interface Running {
  app: FastifyInstance
  listeners: HttpListeners
  signals: RequestSignals
}

export class RestApi implements Component {
  readonly name = 'restapi'
  private readonly rpc: ClusterRpcClient
  private readonly config: RestApiSection
  private readonly log = logger('pincluster:restapi')
  private running: Running | undefined

  constructor (init: RestApiInit) {
    this.rpc = init.rpc
    this.config = init.config
  }

  /** Listens on every `http_listen_multiaddress`; rejects (listening nowhere) if any cannot be bound. */
  async start (options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.running != null) return
    options.signal?.throwIfAborted()
    const addresses = this.config.http_listen_multiaddress.map(parseListenAddress)
    const signals = new RequestSignals()
    const app = buildApp({ rpc: this.rpc, config: this.config, signals, log: this.log })
    const listeners = new HttpListeners(app.routing, httpServerOptions(this.config), this.log)
    try {
      await app.ready()
      await listeners.listen(addresses, options.signal)
    } catch (err) {
      await app.close()
      throw err
    }
    this.running = { app, listeners, signals }
    if (addresses.length === 0) this.log('no http_listen_multiaddress: the REST API listens nowhere')
    else this.log('REST API listening on %s', this.listenUrls().join(', '))
  }

  /**
   * Stops accepting connections, ends streaming answers (their trailer says
   * the API is stopping) and waits for the other requests in flight. When
   * `signal` aborts, RPC calls are aborted and connections cut instead.
   */
  async stop (options: { signal?: AbortSignal } = {}): Promise<void> {
    const running = this.running
    if (running == null) return
    this.running = undefined
    const force = (): void => {
      running.signals.halt()
      running.listeners.destroyConnections()
    }
    options.signal?.addEventListener('abort', force, { once: true })
    try {
      running.signals.drain()
      if (options.signal?.aborted === true) force()
      await running.listeners.close()
      await running.app.close()
    } finally {
      options.signal?.removeEventListener('abort', force)
    }
    this.log('REST API stopped')
  }

  /** Where the API listens, as URLs (`http://127.0.0.1:9094`), ports resolved; empty when stopped. */
  listenUrls (): string[] {
    return this.running?.listeners.addresses().map((a) => boundUrl(a)) ?? []
  }

  /** Where the API listens, as multiaddrs (`/ip4/127.0.0.1/tcp/9094`), ports resolved; empty when stopped. */
  listenMultiaddrs (): string[] {
    return this.running?.listeners.addresses().map(boundMultiaddr) ?? []
  }
}
