/**
 * The IPFS Pinning Service API component (https://ipfs.github.io/pinning-services-api-spec/).
 * It holds the RPC client and its own datastore of requests under
 * `<config folder>/pinsvc/`; pins go to the cluster through Cluster.Pin and
 * Cluster.Unpin, statuses come from Cluster.Status. An empty
 * `http_listen_multiaddress` turns it off.
 */
import { join } from 'node:path'
import { logger } from '@libp2p/logger'
import { buildApp } from './app.ts'
import { Authenticator } from './auth.ts'
import { ApiStoppingError } from './errors.ts'
import { boundUrl, parseListenAddress } from '../http/listen-address.ts'
import { HttpListeners } from '../http/listeners.ts'
import { httpServerOptions } from '../http/server-options.ts'
import { onClientError } from './client-error.ts'
import { StatusLookup } from './pin-status.ts'
import { Requests } from './requests.ts'
import { StatusSync } from './status-sync.ts'
import { RequestStore } from './store/request-store.ts'
import { RequestSignals } from './request-signals.ts'
import type { PinSvcApiSection } from '../../config/types.ts'
import type { ClusterRpcClient, Component, ComponentInit } from '../../rpc-api.ts'
import type { FastifyInstance } from 'fastify'

const PENDING_SYNC_INTERVAL = 2_000
const FULL_SYNC_INTERVAL = 5 * 60_000

export interface PinSvcApiInit extends ComponentInit {
  config: PinSvcApiSection
  /** The configuration folder; requests are kept in `<folder>/pinsvc/`. */
  folder: string
}

interface Running {
  app: FastifyInstance
  listeners: HttpListeners
  store: RequestStore
  sync: StatusSync
  signals: RequestSignals
}

export function pinsvcDatastorePath (folder: string): string {
  return join(folder, 'pinsvc')
}

export class PinSvcApi implements Component {
  readonly name = 'pinsvcapi'
  private readonly rpc: ClusterRpcClient
  private readonly config: PinSvcApiSection
  private readonly folder: string
  private readonly log = logger('pincluster:pinsvcapi')
  private running: Running | undefined

  constructor (init: PinSvcApiInit) {
    this.rpc = init.rpc
    this.config = init.config
    this.folder = init.folder
  }

  async start (options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.running != null) return
    options.signal?.throwIfAborted()
    const addresses = this.config.http_listen_multiaddress.map((a) => parseListenAddress(a, 'Pinning Service API'))
    if (addresses.length === 0) {
      this.log('no http_listen_multiaddress: the Pinning Service API is off')
      return
    }
    const store = new RequestStore(pinsvcDatastorePath(this.folder))
    await store.open()
    const signals = new RequestSignals()
    const lookup = new StatusLookup(this.rpc)
    const requests = new Requests({ rpc: this.rpc, store, lookup, log: this.log })
    const sync = new StatusSync({ store, lookup, requests, log: this.log, pendingInterval: PENDING_SYNC_INTERVAL, fullInterval: FULL_SYNC_INTERVAL })
    const credentials = this.config.basic_auth_credentials
    let app: FastifyInstance | undefined
    try {
      app = await buildApp({
        config: this.config,
        ...(credentials != null ? { auth: new Authenticator(credentials, this.config.jwt_expiry) } : {}),
        store,
        lookup,
        requests,
        signals,
        log: this.log
      })
      await app.ready()
      const listeners = new HttpListeners({ handler: app.routing, options: httpServerOptions(this.config), log: this.log, name: 'Pinning Service API', onClientError })
      await listeners.listen(addresses, options.signal)
      this.running = { app, listeners, store, sync, signals }
    } catch (err) {
      await app?.close()
      await store.close()
      throw err
    }
    sync.start()
    this.log('Pinning Service API listening on %s%s', this.listenUrls().join(', '), credentials != null ? ' (authenticated)' : '')
  }

  /**
   * Stops accepting connections and waits for the requests in flight, then
   * closes the datastore. When `signal` aborts, those requests are cut short.
   */
  async stop (options: { signal?: AbortSignal } = {}): Promise<void> {
    const running = this.running
    if (running == null) return
    this.running = undefined
    const force = (): void => {
      running.signals.halt(new ApiStoppingError())
      running.listeners.destroyConnections()
    }
    options.signal?.addEventListener('abort', force, { once: true })
    try {
      if (options.signal?.aborted === true) force()
      await running.sync.stop()
      await running.listeners.close()
      await running.app.close()
    } finally {
      options.signal?.removeEventListener('abort', force)
      await running.store.close()
    }
    this.log('Pinning Service API stopped')
  }

  /** Where the API listens, as URLs (`http://127.0.0.1:9097`); empty when stopped or off. */
  listenUrls (): string[] {
    return this.running?.listeners.addresses().map((a) => boundUrl(a)) ?? []
  }
}
