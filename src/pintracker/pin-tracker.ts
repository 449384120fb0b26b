/**
 * The stateless pin tracker, as IPFS Cluster's: it remembers only operations
 * (queued, in flight, failed). What a peer holds is read from the pinset
 * (Consensus) and the IPFS node (IPFSConnector) when asked, so nothing is
 * lost or stale across restarts. Pins go through two queues served by
 * `concurrent_pins` workers; a periodic pass re-queues failed and
 * unexpectedly unpinned pins.
 */
import { logger } from '@libp2p/logger'
import { parsePin, pinKey } from '../api/pin.ts'
import { IpfsPinset } from './ipfs-pinset.ts'
import { Operation } from './operation.ts'
import { OperationQueue } from './op-queue.ts'
import { allocatedTo, answererNames, compactStatus, pinInfo, satisfies } from './pin-info.ts'
import { statusMatcher } from './status-filter.ts'
import { StatusRangeBuilder } from '../api/status-range.ts'
import { PINSET_STATUSES } from '../api/tracker-status.ts'
import { isoNow } from '../util/iso-now.ts'
import type { Answerer, StatusFields } from './pin-info.ts'
import type { OperationType } from './operation.ts'
import type { PinInfoJson, PinJson, TrackerStatus } from '../api/types.ts'
import type { StatelessTrackerSection } from '../config/types.ts'
import type { ClusterApi, ClusterRpcClient, CompactPinStatus, Component, ComponentInit, PinKeyRange, StatusAllRequest, StatusRange } from '../rpc-api.ts'

const log = logger('pincluster:pintracker')

/** How long asking the IPFS node for its identity may take. */
const IDENTITY_TIMEOUT = 10_000


/** What recovering re-queues. Not `cluster_error`: that is the IPFS node not answering, which re-queuing every pin would not mend. */
const RECOVERABLE: TrackerStatus[] = ['pin_error', 'unpin_error', 'unexpectedly_unpinned']

export interface PinTrackerInit extends ComponentInit {
  /** This peer's id, to tell pins allocated here from remote ones. */
  self: string
  peername: string
  config: StatelessTrackerSection
  /** Interval of the recover pass (cluster.pin_recover_interval). */
  recoverInterval: number
  /** Whether a recover pass runs right after start (default true); the next one comes after recoverInterval either way. */
  recoverAtStart?: boolean
}

export class PinTracker implements Component {
  readonly name = 'pintracker'
  private readonly rpc: ClusterRpcClient
  private readonly config: StatelessTrackerSection
  private readonly recoverInterval: number
  private readonly recoverAtStart: boolean
  private readonly ops = new Map<string, Operation>()
  private readonly queue: OperationQueue
  private readonly answerer: Answerer
  private controller?: AbortController
  private workers: Array<Promise<void>> = []
  private recoverTimer?: ReturnType<typeof setTimeout>

  constructor (init: PinTrackerInit) {
    this.rpc = init.rpc
    this.config = init.config
    this.recoverInterval = init.recoverInterval
    this.recoverAtStart = init.recoverAtStart ?? true
    this.queue = new OperationQueue(init.config.max_pin_queue_size)
    this.answerer = { peer: init.self, peername: init.peername, ipfsId: '', ipfsAddresses: [] }
  }

  /** Starts the workers and the recover pass (operations queued before start wait for it). */
  async start (): Promise<void> {
    const controller = new AbortController()
    this.controller = controller
    await this.refreshIdentity(controller.signal)
    for (let i = 0; i < this.config.concurrent_pins; i++) this.workers.push(this.work(controller.signal))
    // a first pass at once: pins allocated here while this peer was down, or lost by the IPFS node
    this.scheduleRecover(this.recoverAtStart ? 0 : this.recoverInterval)
    log('started with %d workers', this.config.concurrent_pins)
  }

  async stop (): Promise<void> {
    clearTimeout(this.recoverTimer)
    this.controller?.abort(new Error('the pin tracker is stopping'))
    for (const op of this.ops.values()) op.cancel('the tracker stopping')
    await Promise.all(this.workers)
    this.workers = []
    this.ops.clear()
  }

  service (): ClusterApi['PinTracker'] {
    return {
      Track: async (pin) => { this.track(pin) },
      Untrack: async (cid) => { this.untrack(cid) },
      Status: async (cid, { signal }) => this.status(cid, signal),
      StatusAll: (request, { signal }) => this.statusAll(request, signal),
      StatusAllCompact: (request, { signal }) => this.statusAllCompact(request, signal),
      StatusRanges: (_arg, { signal }) => this.statusRanges(signal),
      Recover: async (cid, { signal }) => this.recover(cid, signal),
      RecoverAll: (_arg, { signal }) => this.recoverAll(signal),
      PinQueueSize: async () => this.queue.size
    }
  }

  private track (pin: PinJson): void {
    // meta, cluster-DAG and shard pins are bookkeeping: the IPFS node never pins them
    if (pin.type !== 'pin') return
    const here = allocatedTo(pin, this.answerer.peer)
    const current = this.ops.get(pin.cid)
    if (here && current?.type === 'pin' && current.phase !== 'error' && current.pin.mode === pin.mode) return
    // remote: make sure the IPFS node does not keep what was allocated elsewhere
    this.enqueue(pin, here ? 'pin' : 'remote')
  }

  private untrack (cid: string): void {
    const pin = this.ops.get(cid)?.pin ?? parsePin({ cid })
    this.enqueue(pin, 'unpin')
  }

  /** Queues an operation, cancelling any other one on the same CID. */
  private enqueue (pin: PinJson, type: OperationType, attemptCount = 0): Operation {
    this.ops.get(pin.cid)?.cancel(`a new ${type} operation`)
    const op = new Operation(pin, type, { attemptCount, priority: type === 'pin' && this.isPriority(pin, attemptCount) })
    this.ops.set(pin.cid, op)
    try {
      this.queue.push(op)
    } catch (err) {
      op.setPhase('error', (err as Error).message)
      throw err
    }
    return op
  }

  private isPriority (pin: PinJson, attempts: number): boolean {
    const age = Date.now() - Date.parse(pin.timestamp)
    return attempts < this.config.priority_pin_max_retries && age < this.config.priority_pin_max_age
  }

  private async work (signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let op: Operation
      try {
        op = await this.queue.take(signal)
      } catch {
        return
      }
      if (op.cancelled || this.ops.get(op.cid) !== op) continue
      op.setPhase('in_progress')
      try {
        await this.run(op, AbortSignal.any([op.signal, signal]))
        if (this.ops.get(op.cid) === op) this.ops.delete(op.cid)
      } catch (err) {
        if (op.cancelled || signal.aborted) continue
        op.attemptCount++
        op.setPhase('error', (err as Error).message)
        log.error('%s of %s failed (attempt %d): %s', op.type, op.cid, op.attemptCount, (err as Error).message)
      }
    }
  }

  private async run (op: Operation, signal: AbortSignal): Promise<void> {
    if (op.type === 'pin') {
      await this.rpc.call(undefined, 'IPFSConnector', 'Pin', { cid: op.cid, mode: op.pin.mode }, { signal })
      return
    }
    // unpin and remote: only what the IPFS node actually pins (IPFS refuses to unpin the rest)
    const held = await this.rpc.call(undefined, 'IPFSConnector', 'PinLsCid', op.cid, { signal })
    if (held === 'recursive' || held === 'direct') await this.rpc.call(undefined, 'IPFSConnector', 'Unpin', op.cid, { signal })
  }

  private fields (op: Operation): StatusFields {
    return { status: op.status, timestamp: op.timestamp, error: op.error, attempt_count: op.attemptCount, priority_pin: op.priority }
  }

  /** The status of a pin of the pinset with no operation, given how the IPFS node holds it (or why it could not say). */
  private derived (pin: PinJson, held: () => ReturnType<IpfsPinset['typeOf']> | Error): StatusFields {
    const status = this.derivedStatus(pin, held)
    const timestamp = isoNow()
    return status instanceof Error ? { status: 'cluster_error', timestamp, error: status.message } : { status, timestamp }
  }

  /** The status `derived` gives, or the IPFS node's error for `cluster_error`. */
  private derivedStatus (pin: PinJson, held: () => ReturnType<IpfsPinset['typeOf']> | Error): TrackerStatus | Error {
    if (!allocatedTo(pin, this.answerer.peer)) return 'remote'
    const h = held()
    if (h instanceof Error) return h
    return satisfies(pin.mode, h) ? 'pinned' : 'unexpectedly_unpinned'
  }

  private async pinOf (cid: string, signal: AbortSignal): Promise<PinJson | null> {
    try {
      return await this.rpc.call(undefined, 'Consensus', 'PinGet', cid, { signal })
    } catch (err) {
      if ((err as Error).name === 'PinNotFoundError') return null
      throw err
    }
  }

  private async status (cid: string, signal: AbortSignal): Promise<PinInfoJson> {
    const key = pinKey(cid)
    const op = this.ops.get(key)
    if (op != null) return pinInfo(op.pin, this.answerer, this.fields(op))
    const pin = await this.pinOf(key, signal)
    if (pin == null) return pinInfo(parsePin({ cid: key }), this.answerer, { status: 'unpinned', timestamp: new Date().toISOString() })
    let held: ReturnType<IpfsPinset['typeOf']> | Error = 'unpinned'
    if (allocatedTo(pin, this.answerer.peer)) {
      try {
        held = await this.rpc.call(undefined, 'IPFSConnector', 'PinLsCid', key, { signal })
      } catch (err) {
        if (signal.aborted) throw err
        held = err as Error
      }
    }
    return pinInfo(pin, this.answerer, this.derived(pin, () => held))
  }

  private statusAll (request: StatusAllRequest, signal: AbortSignal): AsyncIterable<PinInfoJson> {
    const match = statusMatcher(request.filter)
    if (request.cids != null) return this.statusOfCids(request.cids, match, signal)
    // the scan's own items, not another generator around them: a listing goes through here for every pin
    return this.scan(match, signal, request.range, (_pin, info) => info)
  }

  private async * statusOfCids (cids: string[], match: (s: TrackerStatus) => boolean, signal: AbortSignal): AsyncGenerator<PinInfoJson> {
    for (const cid of cids) {
      const info = await this.status(cid, signal)
      if (match(info.status)) yield info
    }
  }

  private async * statusAllCompact (request: StatusAllRequest, signal: AbortSignal): AsyncGenerator<CompactPinStatus> {
    let first = true
    for await (const info of this.statusAll(request, signal)) {
      yield compactStatus(info, first)
      first = false
    }
  }

  /**
   * This peer's status for every pin, one range of RANGE_SIZE pins at a
   * time: a byte per pin, and in full only what an operation or an error adds.
   */
  private async * statusRanges (signal: AbortSignal): AsyncGenerator<StatusRange> {
    const ranges = new StatusRangeBuilder(answererNames(this.answerer))
    const pinset = await this.loadPinset(signal)
    const held = pinset instanceof Error ? () => pinset : (cid: string) => pinset.typeOf(cid)
    for await (const pin of this.rpc.stream(undefined, 'Consensus', 'Pins', undefined, { signal })) {
      const cid = pin.cid
      const op = this.ops.get(cid)
      if (op != null) {
        ranges.addDetailed(compactStatus(pinInfo(op.pin, this.answerer, this.fields(op)), false))
      } else {
        const status = this.derivedStatus(pin, () => held(cid))
        if (status instanceof Error) ranges.addDetailed({ cid, status: 'cluster_error', timestamp: isoNow(), error: status.message })
        else ranges.add(cid, status)
      }
      if (ranges.full) yield ranges.take(cid)
    }
    yield ranges.take(undefined)
  }

  /** The IPFS node's pins (or why it could not list them), loaded once per scan. */
  private async loadPinset (signal: AbortSignal): Promise<IpfsPinset | Error> {
    try {
      return await IpfsPinset.load(this.rpc.stream(undefined, 'IPFSConnector', 'PinLs', { type: 'all' }, { signal }))
    } catch (err) {
      if (signal.aborted) throw err
      return err as Error
    }
  }

  /**
   * This peer's status for every pin matching (of a key range, when given), in the pinset's CID order.
   * The IPFS pinset is loaded once, and only when a matching status depends on it.
   */
  private async * scan<T> (match: (s: TrackerStatus) => boolean, signal: AbortSignal, range: PinKeyRange | undefined, shape: (pin: PinJson, info: PinInfoJson) => T): AsyncGenerator<T> {
    if (!PINSET_STATUSES.some(match)) {
      // only operation statuses: the operations are all there is to list
      const ops = [...this.ops.values()].filter((op) => match(op.status)).sort((a, b) => a.cid < b.cid ? -1 : a.cid > b.cid ? 1 : 0)
      for (const op of ops) yield shape(op.pin, pinInfo(op.pin, this.answerer, this.fields(op)))
      return
    }
    const pinset = match('pinned') || match('unexpectedly_unpinned') || match('cluster_error') ? await this.loadPinset(signal) : undefined
    const held = (cid: string) => () => pinset instanceof Error ? pinset : pinset?.typeOf(cid) ?? 'unpinned'
    for await (const pin of this.rpc.stream(undefined, 'Consensus', 'Pins', range, { signal })) {
      const op = this.ops.get(pin.cid)
      const fields = op != null ? this.fields(op) : this.derived(pin, held(pin.cid))
      if (match(fields.status)) yield shape(pin, pinInfo(op?.pin ?? pin, this.answerer, fields))
    }
  }

  /** Re-queues a failed operation, or the pin of an unexpectedly unpinned CID. */
  private async recover (cid: string, signal: AbortSignal): Promise<PinInfoJson> {
    const key = pinKey(cid)
    const op = this.ops.get(key)
    if (op?.phase === 'error') {
      this.enqueue(op.pin, op.type, op.attemptCount)
    } else if (op == null) {
      const info = await this.status(key, signal)
      if (info.status === 'unexpectedly_unpinned' || info.status === 'cluster_error') {
        const pin = await this.pinOf(key, signal)
        if (pin != null) this.enqueue(pin, 'pin')
      }
    }
    return this.status(key, signal)
  }

  /** Re-queues failed operations and unexpectedly unpinned pins; streams what it re-queued. */
  private async * recoverAll (signal: AbortSignal): AsyncGenerator<PinInfoJson> {
    for await (const { pin, info } of this.scan(statusMatcher(RECOVERABLE), signal, undefined, (pin, info) => ({ pin, info }))) {
      this.requeue(pin)
      const op = this.ops.get(pin.cid)
      yield op != null ? { ...info, ...this.fields(op) } : info
    }
  }

  private scheduleRecover (delay: number): void {
    const signal = this.controller?.signal
    if (signal == null || signal.aborted) return
    this.recoverTimer = setTimeout(() => {
      this.recoverPass(signal)
        .catch((err: Error) => { if (!signal.aborted) log.error('recover pass failed: %s', err.message) })
        .finally(() => { this.scheduleRecover(this.recoverInterval) })
    }, delay)
  }

  /**
   * The periodic pass: like RecoverAll, but it re-queues only while the
   * queue has room below a low mark, waiting for the workers otherwise, so
   * that a million lost pins never sit in memory at once.
   */
  private async recoverPass (signal: AbortSignal): Promise<void> {
    await this.refreshIdentity(signal)
    const lowMark = Math.min(this.config.max_pin_queue_size, Math.max(1000, this.config.concurrent_pins * 10))
    let count = 0
    for await (const pin of this.scan(statusMatcher(RECOVERABLE), signal, undefined, (pin) => pin)) {
      await this.queue.room(lowMark, signal)
      if (this.requeue(pin)) count++
    }
    if (count > 0) log('recover pass re-queued %d pins', count)
  }

  /** Re-queues a failed operation or the pin itself; false when the queue is full. */
  private requeue (pin: PinJson): boolean {
    const failed = this.ops.get(pin.cid)
    try {
      if (failed?.phase === 'error') this.enqueue(failed.pin, failed.type, failed.attemptCount)
      else this.enqueue(pin, 'pin')
      return true
    } catch {
      // the queue is full: the operation now says so, and the next pass tries again
      return false
    }
  }

  private async refreshIdentity (signal: AbortSignal): Promise<void> {
    try {
      const id = await this.rpc.call(undefined, 'IPFSConnector', 'ID', undefined, { signal: AbortSignal.any([signal, AbortSignal.timeout(IDENTITY_TIMEOUT)]) })
      if (id.error === '') {
        this.answerer.ipfsId = id.id
        this.answerer.ipfsAddresses = id.addresses
      }
    } catch (err) {
      log('the IPFS node did not tell its identity: %s', (err as Error).message)
    }
  }
}
