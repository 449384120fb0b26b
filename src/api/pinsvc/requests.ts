/**
 * Creating, replacing and deleting requests. Several requests may want the
 * same CID; the cluster pin stays while one of them (on this peer) does.
 * Work on one CID runs one task at a time (KeyedLock), so "is this the last
 * request for the CID" and the unpin that follows cannot interleave with a
 * new request for it.
 *
 * Order of the steps, so that a failure or a crash leaves nothing wrong
 * behind: a new request is stored only once the cluster pins its CID (a
 * failed pin stores nothing); deleting the last request for a CID marks the
 * CID for unpinning in the same write, then unpins it: if that fails, the
 * mark stays and StatusSync tries again (a new request for the CID clears it).
 * A CID already in the cluster's pinset (pinned through the REST API, say)
 * is not pinned again, so its options are kept; it is unpinned when the last
 * request of this API for it goes.
 */
import { badRequest, notFound } from './errors.ts'
import { KeyedLock } from './keyed-lock.ts'
import { toPinStatus } from './pin-status-json.ts'
import { isRequestId } from './store/request-id.ts'
import { inPinset } from './in-pinset.ts'
import type { StatusLookup } from './pin-status.ts'
import type { RequestStore } from './store/request-store.ts'
import type { PinObject, PinStatusJson, RequestRecord } from './types.ts'
import type { ClusterRpcClient } from '../../rpc-api.ts'
import type { Logger } from '@libp2p/logger'

export interface RequestsInit {
  rpc: ClusterRpcClient
  store: RequestStore
  lookup: StatusLookup
  log: Logger
}

export class Requests {
  private readonly rpc: ClusterRpcClient
  private readonly store: RequestStore
  private readonly lookup: StatusLookup
  private readonly log: Logger
  private readonly lock = new KeyedLock()

  constructor (init: RequestsInit) {
    this.rpc = init.rpc
    this.store = init.store
    this.lookup = init.lookup
    this.log = init.log
  }

  async create (pin: PinObject, signal: AbortSignal): Promise<PinStatusJson> {
    return this.lock.run([pin.cid], async () => {
      await this.pinInCluster(pin, undefined, signal)
      const live = await this.lookup.of(pin.cid, signal)
      const record = await this.store.create(pin, live.status)
      this.log('request %s: pin %s', record.id, pin.cid)
      return toPinStatus(record, live)
    })
  }

  /** The request with its live status (recorded when it changed). */
  async get (id: string, signal: AbortSignal): Promise<PinStatusJson> {
    const record = await this.find(id)
    const live = await this.lookup.of(record.pin.cid, signal)
    if (live.status !== record.status) await this.store.setStatus(record.id, live.status)
    return toPinStatus(record, live)
  }

  /** A new request for `pin` in place of `id`: the new one gets a new id, the old one is gone. */
  async replace (id: string, pin: PinObject, signal: AbortSignal): Promise<PinStatusJson> {
    const found = await this.find(id)
    return this.lock.run([found.pin.cid, pin.cid], async () => {
      const old = await this.find(id)
      const changed = old.pin.cid !== pin.cid
      // the new pin copies the old one's allocations: blocks both share stay where they are
      await this.pinInCluster(pin, changed ? old.pin.cid : undefined, signal)
      const unpinOld = changed && !(await this.store.wanted(old.pin.cid, old.id))
      const live = await this.lookup.of(pin.cid, signal)
      const record = await this.store.replace(old, pin, live.status, unpinOld)
      this.log('request %s replaced by %s: pin %s', old.id, record.id, pin.cid)
      if (unpinOld) await this.unpinMarked(old.pin.cid, signal)
      return toPinStatus(record, live)
    })
  }

  async remove (id: string, signal: AbortSignal): Promise<void> {
    const found = await this.find(id)
    await this.lock.run([found.pin.cid], async () => {
      const record = await this.find(id)
      const last = !(await this.store.wanted(record.pin.cid, record.id))
      await this.store.remove(record, last)
      this.log('request %s removed', record.id)
      if (last) await this.unpinMarked(record.pin.cid, signal)
    })
  }

  /** Unpins every CID still marked (an unpin that failed or was cut short); for StatusSync. */
  async unpinLeftovers (signal: AbortSignal): Promise<void> {
    for await (const cid of this.store.unpinMarks(signal)) {
      await this.lock.run([cid], async () => { await this.unpinMarked(cid, signal) })
    }
  }

  private async find (id: string): Promise<RequestRecord> {
    if (!isRequestId(id)) throw badRequest(`${JSON.stringify(id.slice(0, 64))} is not a request id of this service`)
    const record = await this.store.get(id)
    if (record == null) throw notFound(`no pin request ${id}`)
    return record
  }

  private async pinInCluster (pin: PinObject, from: string | undefined, signal: AbortSignal): Promise<void> {
    if (await inPinset(this.rpc, pin.cid, signal)) return
    const options = {
      name: pin.name,
      origins: pin.origins,
      metadata: Object.keys(pin.meta).length > 0 ? pin.meta : null,
      mode: 'recursive' as const
    }
    if (from != null) {
      try {
        await this.rpc.call(undefined, 'Cluster', 'Pin', { cid: pin.cid, options: { ...options, pin_update: from } }, { signal })
        return
      } catch (err) {
        // the old CID left the pinset by other means: an ordinary pin then
        if ((err as Error).name !== 'PinNotFoundError') throw err
      }
    }
    await this.rpc.call(undefined, 'Cluster', 'Pin', { cid: pin.cid, options }, { signal })
  }

  /** Unpins a CID marked for it, unless a request wants it again; a failure leaves the mark for the next try. Called under the CID's lock. */
  private async unpinMarked (cid: string, signal: AbortSignal): Promise<void> {
    if (!(await this.store.wanted(cid))) {
      try {
        await this.rpc.call(undefined, 'Cluster', 'Unpin', cid, { signal })
        this.log('unpinned %s: no request wants it any more', cid)
      } catch (err) {
        if ((err as Error).name !== 'PinNotFoundError') {
          this.log.error('could not unpin %s (tried again later): %s', cid, (err as Error).message)
          return
        }
      }
    }
    await this.store.clearUnpinMark(cid)
  }
}
