/**
 * A simulated member: a RaftCore over an in-memory disk, and an app whose
 * state is the list of entries it applied. It writes to its disk only what
 * each Ready says, and can crash at any point (also between writing a Ready
 * and sending its messages), losing everything but the disk.
 */
import { RaftCore } from '../../../../src/consensus/raft/core.ts'
import { MemoryDisk } from '../support/disk.ts'
import { mulberry32 } from '../../../fixtures/prng.ts'
import { entryKey, snapshotKeys } from './checker.ts'
import type { LogView, SafetyChecker } from './checker.ts'
import type { Rng } from '../../../fixtures/prng.ts'
import type { RaftStatus } from '../../../../src/consensus/raft/core.ts'
import type { Message, NodeId, Ready } from '../../../../src/consensus/raft/types.ts'

export interface NodeConfig {
  electionTick: number
  heartbeatTick: number
  maxInflight: number
  maxMessageBytes: number
  /** Chance of crashing at each of two points while handling a Ready. */
  crashInReady: number
  /** A Ready's write (one fsync) takes up to this much virtual time; the node goes on meanwhile. */
  maxWriteDelay: number
  preVote: boolean
  checkQuorum: boolean
}

export interface SimContext {
  rng: Rng
  now: () => number
  checker: SafetyChecker
  send: (msgs: Message[]) => void
  trace: (line: string) => void
  fail: (message: string) => never
}

export class SimNode {
  readonly id: NodeId
  readonly disk = new MemoryDisk()
  core: RaftCore | undefined
  /** The app's state: the key of every entry applied, index i + 1 at i. */
  app: string[] = []
  incarnation = 0
  /** Virtual time to restart at, while crashed. */
  downUntil = 0
  /** The Ready being written, when its write completes, and the node's view when it was handed out. */
  private writing: { rd: Ready, at: number, view: LogView } | undefined
  private readonly initialVoters: NodeId[]
  private readonly ctx: SimContext
  private readonly config: NodeConfig

  constructor (id: NodeId, initialVoters: NodeId[], ctx: SimContext, config: NodeConfig) {
    this.id = id
    this.initialVoters = initialVoters
    this.ctx = ctx
    this.config = config
  }

  get alive (): boolean {
    return this.core !== undefined
  }

  start (): void {
    // as the consensus component does: the initial voters only for an empty disk
    const fresh = this.disk.hardState === undefined && this.disk.snapshot === undefined && this.disk.entries.length === 0
    this.core = new RaftCore({
      id: this.id,
      voters: fresh ? this.initialVoters : [],
      electionTick: this.config.electionTick,
      heartbeatTick: this.config.heartbeatTick,
      maxInflight: this.config.maxInflight,
      maxMessageBytes: this.config.maxMessageBytes,
      preVote: this.config.preVote,
      checkQuorum: this.config.checkQuorum,
      random: mulberry32(this.ctx.rng.int(0, 2 ** 31)),
      restore: this.disk.load()
    })
    this.app = this.disk.snapshot !== undefined ? [...snapshotKeys(this.disk.snapshot)] : []
    this.incarnation++
    this.ctx.trace(`${this.id} starts (#${this.incarnation}) term ${this.core.status.term} last ${this.core.status.lastIndex}`)
    this.process()
  }

  crash (): void {
    this.ctx.trace(`${this.id} crashes${this.writing !== undefined ? ' while writing a Ready' : ''}`)
    this.writing = undefined
    this.core = undefined
    this.app = []
    this.lastRole = ''
    this.ctx.checker.crashed(this.id)
  }

  tick (): void {
    this.core?.tick()
    this.process()
  }

  receive (m: Message): void {
    this.core?.step(m)
    this.process()
  }

  /** The app snapshots its state at (about) what it applied, and compacts the log. */
  compact (): void {
    const core = this.core
    if (core === undefined) return
    const index = this.app.length - this.ctx.rng.int(0, 3)
    if (index < core.status.firstIndex + 20) return
    const s = core.compact(index, new TextEncoder().encode(JSON.stringify(this.app.slice(0, index))))
    if (s !== undefined) this.disk.compact(s)
  }

  /**
   * Handles Readies: persist, send, apply, advance, with a chance of crashing on the way.
   * A write may take time; meanwhile the node keeps taking messages and ticks, and the
   * next Ready waits for advance().
   */
  process (): void {
    while (this.core !== undefined && this.writing === undefined && this.core.hasReady()) {
      const rd = this.core.ready()
      const view = this.view() ?? this.fail('no view')
      const delay = this.ctx.rng.int(0, this.config.maxWriteDelay)
      this.writing = { rd, at: this.ctx.now() + delay, view }
      if (delay > 0) break
      this.finishWrite()
    }
    const s = this.core?.status
    if (s !== undefined) {
      this.traceRole(s)
      this.ctx.checker.commitIndex(this.id, s.term, s.commit)
    }
    this.ctx.checker.status(this.view(s), this.id)
  }

  private lastRole = ''
  private lastTerm = -1

  private traceRole (s: RaftStatus): void {
    if (s.role === this.lastRole && s.term === this.lastTerm) return
    this.lastRole = s.role
    this.lastTerm = s.term
    this.ctx.trace(`${this.id} is ${s.role} in term ${s.term} (last ${s.lastIndex}, commit ${s.commit}, voters ${s.voters.join(',')})`)
  }

  /** Completes the write in progress once it is due. */
  poll (): void {
    if (this.writing !== undefined && this.writing.at <= this.ctx.now()) {
      this.finishWrite()
      this.process()
    }
  }

  /** Whether the disk holds all of the log (nothing being written, nothing to write). */
  settled (): boolean {
    return this.core !== undefined && this.writing === undefined && !this.core.hasReady()
  }

  private finishWrite (): void {
    const core = this.core
    const w = this.writing
    if (core === undefined || w === undefined) return
    this.writing = undefined
    const { rd, view } = w
    if (this.ctx.rng.chance(this.config.crashInReady)) {
      this.ctx.trace(`${this.id} crashes before writing a Ready`)
      this.crash()
      return
    }
    this.ctx.checker.beforeSave(view, rd, this.disk.lastIndex)
    this.disk.save(rd)
    this.ctx.checker.afterSave(this.id, rd, (i) => this.disk.term(i))
    if (this.ctx.rng.chance(this.config.crashInReady)) {
      this.ctx.trace(`${this.id} crashes after writing a Ready, before sending`)
      this.crash()
      return
    }
    this.ctx.send(rd.messages)
    if (rd.snapshot !== undefined) {
      const keys = snapshotKeys(rd.snapshot)
      if (keys.length !== rd.snapshot.meta.index) this.fail(`snapshot at ${rd.snapshot.meta.index} holds ${keys.length} entries`)
      this.ctx.trace(`${this.id} installs a snapshot at ${rd.snapshot.meta.index}`)
      this.app = [...keys]
      keys.forEach((k, i) => { this.ctx.checker.applied(this.id, i + 1, k) })
    }
    for (const e of rd.committedEntries) {
      if (e.index !== this.app.length + 1) this.fail(`${this.id} applies ${e.index} after ${this.app.length}`)
      if (this.disk.term(e.index) !== e.term) this.fail(`${this.id} applies ${e.index} before it is on its disk`)
      const key = entryKey(e)
      this.app.push(key)
      this.ctx.checker.applied(this.id, e.index, key)
    }
    core.advance()
  }

  view (s = this.core?.status): LogView | undefined {
    if (s === undefined) return undefined
    const disk = this.disk
    return {
      id: this.id,
      term: s.term,
      role: s.role,
      incarnation: this.incarnation,
      settled: () => this.settled(),
      keyAt: (index) => {
        if (index <= disk.base) return disk.snapshot !== undefined ? snapshotKeys(disk.snapshot)[index - 1] : undefined
        const e = disk.entry(index)
        return e !== undefined ? entryKey(e) : undefined
      }
    }
  }

  private fail (message: string): never {
    return this.ctx.fail(message)
  }
}
