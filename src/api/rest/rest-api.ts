/**
 * The REST API component: an HTTP server compatible with IPFS Cluster's REST
 * API. It holds only the RPC client; every answer comes from RPC calls to the
 * local peer.
 */
import { resolve } from 'node:path'
import { logger } from '@libp2p/logger'
import { buildApp } from './app.ts'
import { boundMultiaddr, boundUrl, parseListenAddress } from '../http/listen-address.ts'
import { HttpListeners } from '../http/listeners.ts'
import { httpServerOptions } from '../http/server-options.ts'
import { onClientError } from './client-error.ts'
import { openRequestLog } from './request-log-file.ts'
import { RequestSignals } from './request-signals.ts'
import { readTlsFiles } from './tls.ts'
import type { RequestLog } from './request-log-file.ts'
import type { RestApiSection } from '../../config/types.ts'
import type { ClusterRpcClient, Component, ComponentInit } from '../../rpc-api.ts'
import type { FastifyInstance } from 'fastify'

export interface RestApiInit extends ComponentInit {
  config: RestApiSection
  /** The configuration folder: relative `ssl_*_file` and `http_log_file` paths start there (default: the working directory). */
  folder?: string
}

interface Running {
  app: FastifyInstance
  listeners: HttpListeners
  signals: RequestSignals
  requestLog: RequestLog | undefined
}

export class RestApi implements Component {
  readonly name = 'restapi'
  private readonly rpc: ClusterRpcClient
  private readonly config: RestApiSection
  private readonly folder: string
  private readonly log = logger('pincluster:restapi')
  private running: Running | undefined

  constructor (init: RestApiInit) {
    this.rpc = init.rpc
    this.config = init.config
    this.folder = init.folder ?? '.'
  }

  /**
   * Listens on every `http_listen_multiaddress`; rejects (listening nowhere)
   * if any cannot be bound, or if the TLS files or the request log file
   * cannot be used.
   */
  async start (options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.running != null) return
    options.signal?.throwIfAborted()
    const addresses = this.config.http_listen_multiaddress.map((a) => parseListenAddress(a, 'REST API'))
    const tls = await readTlsFiles(this.config, (path) => resolve(this.folder, path), options.signal)
    const logPath = this.config.http_log_file === '' ? undefined : resolve(this.folder, this.config.http_log_file)
    const requestLog = await openRequestLog(logPath, this.log)
    const signals = new RequestSignals()
    const app = buildApp({ rpc: this.rpc, config: this.config, signals, log: this.log, requestLog })
    const listeners = new HttpListeners({ handler: app.routing, options: httpServerOptions(this.config), log: this.log, name: 'REST API', tls, onClientError })
    try {
      await app.ready()
      await listeners.listen(addresses, options.signal)
    } catch (err) {
      await app.close()
      await requestLog?.close()
      throw err
    }
    this.running = { app, listeners, signals, requestLog }
    const authenticated = this.config.basic_auth_credentials != null ? ' (authenticated)' : ''
    if (addresses.length === 0) this.log('no http_listen_multiaddress: the REST API listens nowhere')
    else this.log('REST API listening on %s%s', this.listenUrls().join(', '), authenticated)
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
      await running.requestLog?.close()
    } finally {
      options.signal?.removeEventListener('abort', force)
    }
    this.log('REST API stopped')
  }

  /** Where the API listens, as URLs (`http://127.0.0.1:9094`, https with TLS), ports resolved; empty when stopped. */
  listenUrls (): string[] {
    const listeners = this.running?.listeners
    return listeners?.addresses().map((a) => boundUrl(a, listeners.secure ? 'https' : 'http')) ?? []
  }

  /** Where the API listens, as multiaddrs (`/ip4/127.0.0.1/tcp/9094`), ports resolved; empty when stopped. */
  listenMultiaddrs (): string[] {
    return this.running?.listeners.addresses().map(boundMultiaddr) ?? []
  }
}
