/**
 * Drives the pure Raft core: feeds it ticks, messages and proposals, and acts
 * on each Ready in the order the core requires — persist (one fsync for the
 * whole Ready: group commit), then send, then apply, then advance.
 *
 * Inputs that arrive while a Ready is being handled wait in a queue and are
 * fed to the core together before the next Ready, so every proposal made
 * during an fsync lands in the next batch.
 */
import { logger } from '@libp2p/logger'
import type { RaftCore } from './raft/core.ts'
import type { Entry, Message, NodeId, Ready, Snapshot, SoftState } from './raft/types.ts'
import type { RaftStorage } from './storage/raft-storage.ts'

const log = logger('pincluster:consensus:driver')

export interface DriverHooks {
  /** Sends a batch of messages to one member; rejects when it cannot be delivered. */
  send: (to: NodeId, messages: Message[]) => Promise<void>
  /** Installs a snapshot received from the leader into the state machine. */
  install: (snapshot: Snapshot, signal: AbortSignal) => Promise<void>
  /** Applies committed entries, in order, to the state machine. */
  apply: (entries: Entry[], signal: AbortSignal) => Promise<void>
  /** Leader or role changed. */
  onSoftState: (state: SoftState) => void
  /** The driver failed (storage error): the consensus cannot go on. */
  onFatal: (err: Error) => void
}

export class RaftDriver {
  private readonly core: RaftCore
  private readonly storage: RaftStorage
  private readonly hooks: DriverHooks
  private readonly inputs: Array<() => void> = []
  private readonly tasks: Array<() => Promise<void>> = []
  private running = false
  private scheduled = false
  private stopped = false
  private readonly lifetime = new AbortController()
  private idle: PromiseWithResolvers<void> | undefined

  constructor (core: RaftCore, storage: RaftStorage, hooks: DriverHooks) {
    this.core = core
    this.storage = storage
    this.hooks = hooks
  }

  /** Runs `input` against the core before the next Ready; resolves with its result. */
  submit<T> (input: (core: RaftCore) => T): Promise<T> {
    if (this.stopped) return Promise.reject(new Error('the consensus is stopped'))
    const { promise, resolve, reject } = Promise.withResolvers<T>()
    this.inputs.push(() => {
      try {
        resolve(input(this.core))
      } catch (err) {
        reject(err as Error)
      }
    })
    this.schedule()
    return promise
  }

  /** Like submit, for inputs with no result and no one waiting (ticks, messages). */
  feed (input: (core: RaftCore) => void): void {
    if (this.stopped) return
    this.inputs.push(() => {
      try {
        input(this.core)
      } catch (err) {
        log('input refused: %s', (err as Error).message)
      }
    })
    this.schedule()
  }

  /**
   * Runs an asynchronous task with the core and the storage to itself:
   * between two Readies, never during one (compaction uses it).
   */
  exclusive (task: (core: RaftCore) => Promise<void>): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('the consensus is stopped'))
    const { promise, resolve, reject } = Promise.withResolvers<void>()
    this.tasks.push(async () => {
      try {
        await task(this.core)
        resolve()
      } catch (err) {
        reject(err as Error)
      }
    })
    this.schedule()
    return promise
  }

  /** Stops handling Readies; waits for the one in progress. */
  async stop (): Promise<void> {
    this.stopped = true
    this.lifetime.abort(new Error('the consensus is stopping'))
    if (this.running) {
      this.idle ??= Promise.withResolvers<void>()
      await this.idle.promise
    }
  }

  private schedule (): void {
    if (this.scheduled || this.running) return
    this.scheduled = true
    queueMicrotask(() => {
      this.scheduled = false
      void this.run()
    })
  }

  private async run (): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      while (!this.stopped) {
        const batch = this.inputs.splice(0)
        for (const input of batch) input()
        for (const task of this.tasks.splice(0)) await task()
        if (!this.core.hasReady()) {
          if (this.inputs.length === 0 && this.tasks.length === 0) break
          continue
        }
        await this.handle(this.core.ready())
        this.core.advance()
      }
    } catch (err) {
      this.stopped = true
      log.error('raft driver failed: %s', (err as Error).message)
      this.hooks.onFatal(err as Error)
    } finally {
      this.running = false
      this.idle?.resolve()
      this.idle = undefined
    }
  }

  private async handle (rd: Ready): Promise<void> {
    const signal = this.lifetime.signal
    if (rd.softState != null) this.hooks.onSoftState(rd.softState)
    if (rd.snapshot != null) await this.hooks.install(rd.snapshot, signal)
    if (rd.hardState != null || rd.entries.length > 0 || rd.snapshot != null) {
      await this.storage.save({ hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot }, { signal })
    }
    this.send(rd.messages)
    if (rd.committedEntries.length > 0) await this.hooks.apply(rd.committedEntries, signal)
  }

  private send (messages: Message[]): void {
    const byPeer = new Map<NodeId, Message[]>()
    for (const m of messages) {
      const list = byPeer.get(m.to)
      if (list == null) byPeer.set(m.to, [m])
      else list.push(m)
    }
    for (const [to, batch] of byPeer) {
      const hasSnapshot = batch.some((m) => m.type === 'snapshot')
      this.hooks.send(to, batch).then(() => {
        // the follower fetches the state itself and then answers at the snapshot's index
        if (hasSnapshot) this.feed((core) => { core.reportSnapshot(to, true) })
      }, (err: Error) => {
        log('cannot reach %s: %s', to, err.message)
        this.feed((core) => {
          core.reportUnreachable(to)
          if (hasSnapshot) core.reportSnapshot(to, false)
        })
      })
    }
  }
}
