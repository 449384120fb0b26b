/**
 * Keeps each request's recorded status close to the cluster's, so that
 * listing by status (which reads the recorded ones) finds what it should:
 * every couple of seconds the requests still `queued` or `pinning` are asked
 * again, and every few minutes all of them (a pinned CID can fail later, a
 * failed one be recovered). The same timer retries unpins that failed. Each
 * pass streams the datastore with a few lookups in flight: memory stays flat;
 * a full pass costs one Cluster.Status call per request.
 */
import { forEachConcurrent } from './concurrent.ts'
import { REQUESTS_PREFIX, rangeOf, statusPrefix } from './store/keys.ts'
import type { StatusLookup } from './pin-status.ts'
import type { Requests } from './requests.ts'
import type { RequestStore } from './store/request-store.ts'
import type { RequestRecord, SpecStatus } from './types.ts'
import type { Logger } from '@libp2p/logger'

const LOOKUP_CONCURRENCY = 8

export interface StatusSyncInit {
  store: RequestStore
  lookup: StatusLookup
  requests: Requests
  log: Logger
  /** Between passes over the pending (queued, pinning) requests. */
  pendingInterval: number
  /** Between passes over every request. */
  fullInterval: number
}

export class StatusSync {
  private readonly init: StatusSyncInit
  private controller: AbortController | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private running: Promise<void> | undefined
  private lastFull = 0

  constructor (init: StatusSyncInit) {
    this.init = init
  }

  start (): void {
    if (this.controller != null) return
    this.controller = new AbortController()
    this.lastFull = Date.now()
    this.schedule()
  }

  async stop (): Promise<void> {
    this.controller?.abort()
    this.controller = undefined
    clearTimeout(this.timer)
    await this.running
  }

  private schedule (): void {
    const controller = this.controller
    if (controller == null) return
    this.timer = setTimeout(() => {
      this.running = this.pass(controller.signal).finally(() => {
        this.running = undefined
        if (this.controller === controller) this.schedule()
      })
    }, this.init.pendingInterval)
  }

  private async pass (signal: AbortSignal): Promise<void> {
    const { store, requests, log } = this.init
    try {
      const full = Date.now() - this.lastFull >= this.init.fullInterval
      if (full) {
        this.lastFull = Date.now()
        await this.refresh(store.records(rangeOf(REQUESTS_PREFIX, {}), { oldestFirst: true, signal }), signal)
      } else {
        for (const status of ['queued', 'pinning'] satisfies SpecStatus[]) {
          await this.refresh(this.recordsOf(store.ids(statusPrefix(status), rangeOf(statusPrefix(status), {}), { oldestFirst: true, signal })), signal)
        }
      }
      await requests.unpinLeftovers(signal)
    } catch (err) {
      if (!signal.aborted) log.error('status sync: %s', (err as Error).message)
    }
  }

  private async refresh (records: AsyncIterable<RequestRecord>, signal: AbortSignal): Promise<void> {
    const { store, lookup, log } = this.init
    await forEachConcurrent(records, LOOKUP_CONCURRENCY, async (record) => {
      try {
        const live = await lookup.of(record.pin.cid, signal)
        if (live.status !== record.status) await store.setStatus(record.id, live.status)
      } catch (err) {
        if (signal.aborted) throw err
        log('status of request %s not refreshed: %s', record.id, (err as Error).message)
      }
    })
  }

  private async * recordsOf (ids: AsyncIterable<string>): AsyncGenerator<RequestRecord> {
    for await (const id of ids) {
      const record = await this.init.store.get(id)
      if (record != null) yield record
    }
  }
}
