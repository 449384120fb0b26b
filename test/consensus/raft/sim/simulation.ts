/**
 * One seeded run of a simulated cluster. Everything random (the cluster's
 * size, the faults' rates, every drop, delay, crash, partition, proposal,
 * membership change, compaction and leadership transfer) comes from the seed.
 *
 * Chaos phase: faults come and go while clients propose. Settle phase: every
 * fault is healed and every crashed node restarted; the cluster must then elect
 * a leader and every member must apply the same sequence (liveness).
 * Safety is checked after every step of both phases (see checker.ts).
 */
import { ConfChangeInProgressError, NotLeaderError } from '../../../../src/consensus/raft/core.ts'
import { Rng } from '../../../fixtures/prng.ts'
import { SafetyChecker } from './checker.ts'
import { SimNetwork } from './network.ts'
import { SimNode } from './node.ts'
import type { NodeConfig, SimContext } from './node.ts'
import type { NodeId } from '../../../../src/consensus/raft/types.ts'

/** Virtual time units per tick. */
const TICK = 10

/** RAFT_TRACE=1 prints the events of a run as they happen; RAFT_TRACE=messages every delivery too. */
const TRACE = process.env.RAFT_TRACE
const TRACE_MESSAGES = TRACE === 'messages'

export interface SimOptions {
  /** Ticks of chaos. */
  chaosTicks?: number
  /** Once healed, the cluster fails liveness if nothing moves for this many ticks (default 150). */
  stallTicks?: number
}

export interface SimStats {
  seed: number
  nodes: number
  elections: number
  committed: number
  crashes: number
  partitions: number
  confChanges: number
  transfers: number
  snapshotsSent: number
  messages: number
}

export class SimulationError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'SimulationError'
  }
}

export function runSimulation (seed: number, options: SimOptions = {}): SimStats {
  return new Simulation(seed, options).run()
}

class Simulation {
  private readonly seed: number
  private readonly rng: Rng
  private readonly chaosTicks: number
  private readonly stallTicks: number
  private readonly net: SimNetwork
  private readonly checker: SafetyChecker
  private readonly nodes = new Map<NodeId, SimNode>()
  private readonly config: NodeConfig
  private readonly ctx: SimContext
  private readonly traceLines: string[] = []
  private now = 0
  private nextId = 1
  private proposals = 0
  private partitionUntil = 0
  private readonly stats: SimStats
  /** How stormy this run is: per-tick chances of a crash and of a partition, per-unit chance of a proposal. */
  private readonly rates: { crash: number, partition: number, propose: number }

  constructor (seed: number, options: SimOptions) {
    this.seed = seed
    this.rng = new Rng(seed)
    const rng = this.rng
    this.chaosTicks = options.chaosTicks ?? rng.pick([300, 300, 300, 1200])
    this.stallTicks = options.stallTicks ?? 150
    this.net = new SimNetwork(rng, {
      drop: rng.pick([0, 0.01, 0.05, 0.1, 0.2]),
      duplicate: rng.pick([0, 0.02, 0.1]),
      maxDelay: rng.pick([1, 5, 15, 30])
    })
    this.config = {
      electionTick: 10,
      heartbeatTick: rng.pick([1, 2, 3]),
      maxInflight: rng.pick([1, 4, 256]),
      maxMessageBytes: rng.pick([16, 1024 * 1024]),
      crashInReady: rng.pick([0, 0.001, 0.003]),
      maxWriteDelay: rng.pick([0, 0, 3, 15]),
      preVote: rng.pick([true, true, false]),
      checkQuorum: rng.pick([true, true, false])
    }
    this.rates = {
      crash: rng.pick([0.001, 0.003, 0.01]),
      partition: rng.pick([0.005, 0.02, 0.08]),
      propose: rng.pick([0.01, 0.03, 0.1])
    }
    this.checker = new SafetyChecker((message) => this.fail(message))
    this.ctx = {
      rng,
      now: () => this.now,
      checker: this.checker,
      send: (msgs) => { this.net.send(this.now, msgs) },
      trace: (line) => { this.trace(line) },
      fail: (message) => this.fail(message)
    }
    const size = rng.int(3, 5)
    this.stats = { seed, nodes: size, elections: 0, committed: 0, crashes: 0, partitions: 0, confChanges: 0, transfers: 0, snapshotsSent: 0, messages: 0 }
    const ids = Array.from({ length: size }, () => `n${this.nextId++}`)
    for (const id of ids) this.nodes.set(id, new SimNode(id, ids, this.ctx, this.config))
  }

  run (): SimStats {
    try {
      this.trace(`faults ${JSON.stringify(this.net.faults)} rates ${JSON.stringify(this.rates)} config ${JSON.stringify(this.config)}`)
      for (const n of this.nodes.values()) n.start()
      const chaosEnd = this.chaosTicks * TICK
      for (; this.now < chaosEnd; this.now++) {
        this.chaos()
        this.deliver()
        if (this.now % TICK === 0) this.tickAll(true)
        this.client()
      }
      this.settle()
    } catch (err) {
      if (err instanceof SimulationError) throw err
      this.fail(`unexpected ${(err as Error).stack ?? String(err)}`)
    }
    this.stats.elections = this.checker.elections
    this.stats.committed = this.checker.committedCount
    this.stats.messages = this.net.sent
    return this.stats
  }

  /** Heals everything, then waits for a leader and for every member to apply a final entry. */
  private settle (): void {
    this.net.heal()
    this.net.faults = { drop: 0, duplicate: 0, maxDelay: Math.min(this.net.faults.maxDelay, 10) }
    this.config.crashInReady = 0
    this.trace('--- healed')
    for (const n of this.nodes.values()) if (!n.alive) n.start()
    let marker: { index: number, term: number, key: string, at: number } | undefined
    // a backlog may take long to replicate (small windows, small messages): fail only when nothing moves
    let moved = this.now
    let lastProgress = ''
    // and never longer than this: elections that keep appending empty entries are no progress
    const deadline = this.now + 20 * this.stallTicks * TICK
    for (; this.now - moved < this.stallTicks * TICK && this.now < deadline; this.now++) {
      this.deliver()
      if (this.now % TICK !== 0) continue
      this.tickAll(false)
      const progress = [...this.nodes.values()].map((n) => `${n.core?.status.lastIndex}/${n.core?.status.commit}/${n.app.length}`).join()
      if (progress !== lastProgress) {
        lastProgress = progress
        moved = this.now
      }
      const leader = this.leaders()[0]
      if (leader?.core === undefined) continue
      // a marker lost to a change of leader is proposed again
      if (marker === undefined || this.now - marker.at > 30 * TICK) {
        try {
          const data = `final-${this.now}`
          const at = leader.core.propose(new TextEncoder().encode(data))
          marker = { ...at, key: `${at.term}:${data}`, at: this.now }
          leader.process()
        } catch (err) {
          if (!(err instanceof NotLeaderError)) throw err
        }
      }
      if (marker !== undefined && this.converged(leader, marker.index, marker.key)) return
    }
    const state = [...this.nodes.values()].map((n) => n.core === undefined ? `${n.id}: down` : `${n.id}: ${JSON.stringify(n.core.status)} app ${n.app.length}`)
    this.fail(`no convergence after healing (liveness: stalled for ${this.stallTicks} ticks, or past ${20 * this.stallTicks}):\n  ${state.join('\n  ')}`)
  }

  /** Every member of the leader's configuration applied the marker, and the same entries before it. */
  private converged (leader: SimNode, index: number, key: string): boolean {
    const members: SimNode[] = []
    for (const id of leader.core?.status.voters ?? []) {
      const n = this.nodes.get(id)
      if (n === undefined || !n.alive || n.app[index - 1] !== key) return false
      members.push(n)
    }
    const [first, ...others] = members
    for (const n of others) {
      if (n.app.slice(0, index).some((k, i) => k !== first?.app[i])) this.fail(`${n.id} and ${first?.id} applied different sequences`)
    }
    return true
  }

  private deliver (): void {
    for (const n of this.nodes.values()) n.poll()
    for (const { m, cut } of this.net.due(this.now)) {
      const to = this.nodes.get(m.to)
      const from = this.nodes.get(m.from)
      if (cut || to?.alive !== true) {
        // the sending transport notices the failure (or not)
        if (m.type === 'snapshot') this.report(from, (core) => { core.reportSnapshot(m.to, false) })
        else if (m.type === 'append' && this.rng.chance(0.3)) this.report(from, (core) => { core.reportUnreachable(m.to) })
        continue
      }
      if (TRACE_MESSAGES) this.trace(`deliver ${m.type} ${m.from}>${m.to} t${m.term} i${m.index} lt${m.logTerm} c${m.commit}${m.reject ? ' reject' : ''} [${m.entries.map((e) => `${e.index}/${e.term}`).join(' ')}]`)
      to.receive(m)
      if (m.type === 'snapshot') {
        this.stats.snapshotsSent++
        this.report(from, (core) => { core.reportSnapshot(m.to, true) })
      }
    }
  }

  private report (from: SimNode | undefined, f: (core: NonNullable<SimNode['core']>) => void): void {
    if (from?.core === undefined) return
    f(from.core)
    from.process()
  }

  private tickAll (chaos: boolean): void {
    for (const n of this.rng.shuffle([...this.nodes.values()])) {
      if (!n.alive) continue
      n.tick()
      if (chaos && this.rng.chance(0.03)) n.compact()
    }
  }

  /** Faults come and go. */
  private chaos (): void {
    const rng = this.rng
    if (this.now % TICK === 0) {
      for (const n of this.nodes.values()) {
        if (n.alive && rng.chance(this.rates.crash)) {
          n.crash()
          n.downUntil = this.now + rng.int(2, 40) * TICK
          this.stats.crashes++
        } else if (!n.alive && n.downUntil <= this.now) {
          n.start()
        }
      }
      if (this.net.partitioned && this.now >= this.partitionUntil) {
        this.net.heal()
        this.trace('partition healed')
      } else if (!this.net.partitioned && rng.chance(this.rates.partition)) {
        this.partition()
      }
      if (rng.chance(0.01)) this.changeMembership()
      if (rng.chance(0.004)) this.transfer()
    }
  }

  private partition (): void {
    const ids = this.rng.shuffle([...this.nodes.keys()])
    const cut = this.rng.chance(0.5) ? 1 : this.rng.int(1, ids.length - 1)
    const groups = [ids.slice(0, cut), ids.slice(cut)]
    this.net.partition(groups)
    this.partitionUntil = this.now + this.rng.int(5, 80) * TICK
    this.stats.partitions++
    this.trace(`partition ${JSON.stringify(groups)}`)
  }

  /** Clients propose to whichever node believes it leads (a stale leader too). */
  private client (): void {
    if (!this.rng.chance(this.rates.propose)) return
    const leaders = this.leaders()
    if (leaders.length === 0) return
    const leader = this.rng.pick(leaders)
    const n = this.rng.int(1, 4)
    try {
      for (let i = 0; i < n; i++) leader.core?.propose(new TextEncoder().encode(`v${this.proposals++}`))
    } catch (err) {
      if (!(err instanceof NotLeaderError)) throw err
    }
    leader.process()
  }

  private changeMembership (): void {
    const leader = this.leaders()[0]
    const core = leader?.core
    if (leader === undefined || core === undefined) return
    const voters = core.status.voters
    let change: { type: 'add' | 'remove', node: NodeId }
    if (voters.length < 5 && (voters.length <= 2 || this.rng.chance(0.5))) {
      const id = `n${this.nextId++}`
      const node = new SimNode(id, [], this.ctx, this.config)
      this.nodes.set(id, node)
      node.start()
      change = { type: 'add', node: id }
    } else {
      change = { type: 'remove', node: this.rng.pick(voters) }
    }
    try {
      core.proposeConfChange(change)
      this.stats.confChanges++
      this.trace(`${leader.id} proposes ${change.type} ${change.node}`)
    } catch (err) {
      if (!(err instanceof ConfChangeInProgressError) && !(err instanceof NotLeaderError)) throw err
    }
    leader.process()
  }

  private transfer (): void {
    const leader = this.leaders()[0]
    const core = leader?.core
    if (leader === undefined || core === undefined) return
    const others = core.status.voters.filter((v) => v !== leader.id)
    if (others.length === 0) return
    const to = this.rng.pick(others)
    core.transferLeadership(to)
    this.stats.transfers++
    this.trace(`${leader.id} transfers leadership to ${to}`)
    leader.process()
  }

  /** Alive nodes that believe they lead, highest term first. */
  private leaders (): SimNode[] {
    return [...this.nodes.values()]
      .filter((n) => n.core?.status.role === 'leader')
      .sort((a, b) => (b.core?.status.term ?? 0) - (a.core?.status.term ?? 0))
  }

  private trace (line: string): void {
    if (TRACE !== undefined) console.log(`${this.now}: ${line}`)
    this.traceLines.push(`${this.now}: ${line}`)
    if (this.traceLines.length > 80) this.traceLines.shift()
  }

  private fail (message: string): never {
    throw new SimulationError(
      `seed ${this.seed} (rerun with RAFT_SEED=${this.seed}) at time ${this.now}: ${message}\n` +
      `last events:\n  ${this.traceLines.join('\n  ')}`
    )
  }
}
