/**
 * The Raft consensus component: the shared pinset, replicated through a Raft
 * log. It holds its RPC client, its log store and its pinset state, nothing
 * of the peer's other components. Raft messages travel as RPC calls between
 * the peers' Consensus services; a write arriving at a follower is forwarded
 * to the leader through the same RPC client.
 */
import { logger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { PinState } from '../state/pin-state.ts'
import { decodeOp, encodeOp } from './ops.ts'
import { PendingProposals } from './proposals.ts'
import { RaftDriver } from './raft-driver.ts'
import { RaftCore, decodeConfChange, NotLeaderError } from './raft/core.ts'
import { RaftStorage } from './storage/raft-storage.ts'
import { LeaderWait, NoLeaderError } from './leader-wait.ts'
import { pinStatePath, raftLogPath } from './paths.ts'
import { withDeadline } from '../util/deadline.ts'
import type { PinsetOp } from './ops.ts'
import type { SnapshotItem } from '../state/pin-state.ts'
import type { Entry, Message, NodeId, Snapshot, SoftState } from './raft/types.ts'
import type { PinJson } from '../api/types.ts'
import type { RaftSection } from '../config/types.ts'
import type { ClusterApi, ClusterRpcClient, Component, ComponentInit } from '../rpc-api.ts'
import type { CallContext } from '../rpc/types.ts'

const log = logger('pincluster:consensus')

/** How long a peer may take to catch up with the leader (a snapshot of millions of pins takes a while). */
export const CATCH_UP_TIMEOUT = 30 * 60_000

export interface RaftConsensusInit extends ComponentInit {
  config: RaftSection
  /** Data lives in `<folder>/raft/log` (the Raft log) and `<folder>/raft/state` (the pinset). */
  folder: string
  /** This peer's id. */
  self: string
  /** Joining an existing cluster (--bootstrap): a fresh peer starts with no voters and waits to be added. */
  join: boolean
  random?: () => number
}

export class PinNotFoundError extends Error {
  static readonly NAME = 'PinNotFoundError'
  constructor (cid: string) {
    super(`${cid} is not in the pinset`)
    this.name = PinNotFoundError.NAME
  }
}

export class PeerNotFoundError extends Error {
  static readonly NAME = 'PeerNotFoundError'
  constructor (id: string) {
    super(`${id} is not a member of the cluster`)
    this.name = PeerNotFoundError.NAME
  }
}

export class RaftConsensus implements Component {
  readonly name = 'consensus'
  private readonly rpc: ClusterRpcClient
  private readonly config: RaftSection
  private readonly folder: string
  private readonly self: string
  private readonly join: boolean
  private readonly random: () => number
  private readonly proposals = new PendingProposals()
  private readonly leader = new LeaderWait()
  private storage?: RaftStorage
  private state?: PinState
  private driver?: RaftDriver
  private core?: RaftCore
  private ticker?: ReturnType<typeof setInterval>
  private voters: NodeId[] = []

  constructor (init: RaftConsensusInit) {
    this.rpc = init.rpc
    this.config = init.config
    this.folder = init.folder
    this.self = init.self
    this.join = init.join
    this.random = init.random ?? Math.random
  }

  async start (options: { signal?: AbortSignal } = {}): Promise<void> {
    const storage = new RaftStorage(raftLogPath(this.folder))
    const state = new PinState(pinStatePath(this.folder))
    await storage.open()
    await state.open()
    this.storage = storage
    this.state = state
    const restore = await storage.load()
    const fresh = restore.hardState == null && restore.snapshot == null && (restore.entries ?? []).length === 0
    const voters = !fresh ? [] : this.join ? [] : this.config.init_peerset.length > 0 ? this.config.init_peerset : [this.self]
    const heartbeat = this.config.heartbeat_timeout
    this.core = new RaftCore({
      id: this.self,
      voters,
      electionTick: Math.max(2, Math.round(this.config.election_timeout / heartbeat)),
      heartbeatTick: 1,
      random: this.random,
      restore
    })
    this.voters = this.core.status.voters
    this.driver = new RaftDriver(this.core, storage, {
      send: async (to, messages) => this.send(to, messages),
      install: async (snapshot, signal) => this.install(snapshot, signal),
      apply: async (entries, signal) => this.apply(entries, signal),
      onSoftState: (soft) => { this.onSoftState(soft) },
      onFatal: (err) => { this.proposals.failAll(err) }
    })
    this.ticker = setInterval(() => { this.driver?.feed((core) => { core.tick() }) }, heartbeat)
    log('started as %s with %d voters (%s)', this.self, this.voters.length, fresh ? 'fresh' : 'restored')
    if (!this.join || !fresh) {
      await this.waitForLeader(options.signal)
      // ready means caught up: a restarted peer first applies what the cluster committed meanwhile
      const signal = AbortSignal.timeout(CATCH_UP_TIMEOUT)
      await this.waitForSync(options.signal == null ? signal : AbortSignal.any([options.signal, signal]))
    }
  }

  async stop (): Promise<void> {
    if (this.ticker != null) clearInterval(this.ticker)
    this.ticker = undefined
    this.leader.fail(new Error('the consensus is stopping'))
    this.proposals.failAll(new Error('the consensus is stopping'))
    await this.driver?.stop()
    await this.state?.close()
    await this.storage?.close()
    this.driver = undefined
  }

  /** Resolves once a leader is known; rejects after wait_for_leader_timeout. */
  async waitForLeader (signal?: AbortSignal): Promise<NodeId> {
    return this.leader.wait(this.config.wait_for_leader_timeout, signal)
  }

  /** The RPC service of this component. */
  service (): ClusterApi['Consensus'] {
    return {
      RaftMessages: async (messages) => { this.receive(messages) },
      SnapshotStream: (_arg, ctx) => this.snapshotStream(ctx),
      LogPin: async (pin, ctx) => { await this.write({ op: 'pin', pin }, ctx, 'LogPin', pin) },
      LogUnpin: async (pin, ctx) => { await this.write({ op: 'unpin', cid: pin.cid }, ctx, 'LogUnpin', pin) },
      AddPeer: async (id, ctx) => { await this.changeMembers('add', id, ctx) },
      RmPeer: async (id, ctx) => { await this.changeMembers('remove', id, ctx) },
      Peers: async () => [...this.voters],
      Leader: async (_arg, { signal }) => this.waitForLeader(signal),
      WaitForSync: async (_arg, { signal }) => { await this.waitForSync(signal) },
      PinGet: async (cid) => {
        const pin = await this.pinState().get(cid)
        if (pin == null) throw new PinNotFoundError(cid)
        return pin
      },
      Pins: (range, { signal }) => this.pinState().list({ signal, ...(range != null ? { range } : {}) }),
      IsTrustedPeer: async (id) => this.voters.includes(id),
      Leave: async (_arg, { signal }) => { await this.leave(signal) },
      CommitIndex: async () => this.core?.status.commit ?? 0
    }
  }

  private pinState (): PinState {
    if (this.state == null) throw new Error('the consensus is not started')
    return this.state
  }

  private receive (messages: Message[]): void {
    const driver = this.driver
    if (driver == null) throw new Error('the consensus is not started')
    for (const m of messages) driver.feed((core) => { core.step(m) })
  }

  private async send (to: NodeId, messages: Message[]): Promise<void> {
    await this.rpc.call(peerIdFromString(to), 'Consensus', 'RaftMessages', messages, { signal: AbortSignal.timeout(this.config.network_timeout) })
  }

  private onSoftState (soft: SoftState): void {
    if (soft.leader !== this.leader.current) log('leader is now %s', soft.leader === '' ? '(none)' : soft.leader)
    if (soft.leader === '') this.leader.lost()
    else this.leader.found(soft.leader)
  }

  /** Proposes an operation on the leader, or forwards it there; resolves once committed and applied. */
  private async write (op: PinsetOp, ctx: CallContext, method: 'LogPin' | 'LogUnpin', pin: PinJson): Promise<void> {
    let attempt = 0
    while (true) {
      const leader = await this.waitForLeader(ctx.signal)
      try {
        if (leader === this.self) {
          const driver = this.driver
          if (driver == null) throw new Error('the consensus is stopped')
          const { index, term } = await driver.submit((core) => core.propose(encodeOp(op)))
          await withDeadline(ctx.signal, this.config.network_timeout, async (signal) => this.proposals.wait(index, term, signal))
        } else {
          await withDeadline(ctx.signal, this.config.network_timeout, async (signal) =>
            this.rpc.call(peerIdFromString(leader), 'Consensus', method, pin, { signal }))
        }
        return
      } catch (err) {
        if (ctx.signal.aborted || attempt >= this.config.commit_retries || !retriable(err)) throw err
        attempt++
        log('retrying %s after: %s', method, (err as Error).message)
        await new Promise((resolve) => setTimeout(resolve, this.config.commit_retry_delay))
      }
    }
  }

  private async changeMembers (type: 'add' | 'remove', id: string, ctx: CallContext): Promise<void> {
    peerIdFromString(id)
    const leader = await this.waitForLeader(ctx.signal)
    await withDeadline(ctx.signal, this.config.network_timeout, async (signal) => this.changeMembersAt(leader, type, id, signal))
  }

  private async changeMembersAt (leader: NodeId, type: 'add' | 'remove', id: string, signal: AbortSignal): Promise<void> {
    if (leader !== this.self) {
      await this.rpc.call(peerIdFromString(leader), 'Consensus', type === 'add' ? 'AddPeer' : 'RmPeer', id, { signal })
      return
    }
    if (type === 'add' && this.voters.includes(id)) return
    if (type === 'remove' && !this.voters.includes(id)) throw new PeerNotFoundError(id)
    const driver = this.driver
    if (driver == null) throw new Error('the consensus is stopped')
    const { index, term } = await driver.submit((core) => core.proposeConfChange({ type, node: id }))
    await this.proposals.wait(index, term, signal)
  }

  /** Resolves once this peer has applied everything the leader had committed when asked. */
  private async waitForSync (signal: AbortSignal): Promise<void> {
    const leader = await this.waitForLeader(signal)
    const target = leader === this.self
      ? this.core?.status.commit ?? 0
      : await this.rpc.call(peerIdFromString(leader), 'Consensus', 'CommitIndex', undefined, { signal })
    while ((this.core?.status.applied ?? 0) < target) {
      signal.throwIfAborted()
      await new Promise((resolve) => setTimeout(resolve, this.config.heartbeat_timeout))
    }
  }

  private async apply (entries: Entry[], _signal: AbortSignal): Promise<void> {
    const state = this.pinState()
    const applied = await state.appliedIndex()
    const ops: Array<{ type: 'put', pin: PinJson } | { type: 'del', cid: string }> = []
    let removed = false
    for (const entry of entries) {
      if (entry.index <= applied) continue
      if (entry.type === 'conf') {
        const cc = decodeConfChange(entry.data)
        log('membership: %s %s at %d', cc.type, cc.node, entry.index)
        if (cc.type === 'remove' && cc.node === this.self) removed = true
        continue
      }
      const op = decodeOp(entry.data, entry.index)
      if (op?.op === 'pin') ops.push({ type: 'put', pin: op.pin })
      else if (op?.op === 'unpin') ops.push({ type: 'del', cid: op.cid })
    }
    const last = entries.at(-1)
    if (last != null && last.index > applied) await state.batch(ops, { appliedIndex: last.index })
    this.voters = this.core?.status.voters ?? this.voters
    for (const entry of entries) this.proposals.committed(entry.index, entry.term)
    await this.tell(ops)
    this.maybeCompact(last?.index ?? 0)
    if (removed) this.onRemoved()
  }

  /** Hands the applied changes to this peer's pin tracker. */
  private async tell (ops: Array<{ type: 'put', pin: PinJson } | { type: 'del', cid: string }>): Promise<void> {
    for (const op of ops) {
      try {
        if (op.type === 'put') await this.rpc.call(undefined, 'PinTracker', 'Track', op.pin)
        else await this.rpc.call(undefined, 'PinTracker', 'Untrack', op.cid)
      } catch (err) {
        // the pinset is already right; the tracker's state sync repairs what it missed
        log.error('the pin tracker refused %s: %s', op.type === 'put' ? op.pin.cid : op.cid, (err as Error).message)
      }
    }
  }

  /** This peer left the peerset: ask the peer to shut down (after the current Ready completes). */
  private onRemoved (): void {
    log('this peer was removed from the cluster: shutting down')
    setImmediate(() => {
      this.rpc.call(undefined, 'Cluster', 'Shutdown', 'removed from the cluster').catch((err: Error) => {
        log.error('could not ask for a shutdown: %s', err.message)
      })
    })
  }

  /**
   * Leaves the cluster politely: a leader first hands its leadership to the
   * most up-to-date other voter, then the removal goes through the leader.
   */
  async leave (signal?: AbortSignal): Promise<void> {
    const driver = this.driver
    if (driver == null || !this.voters.includes(this.self)) return
    const others = this.voters.filter((v) => v !== this.self)
    if (others.length === 0) return
    const ctx = { signal: signal ?? AbortSignal.timeout(this.config.network_timeout) }
    if (this.leader.current === this.self) {
      const target = others[0] as NodeId
      await driver.submit((core) => { core.transferLeadership(target) })
      const deadline = Date.now() + this.config.election_timeout * 2
      while (this.leader.current === this.self && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, this.config.heartbeat_timeout))
      }
    }
    await this.changeMembers('remove', this.self, ctx)
    log('left the cluster')
  }

  private compacting = false

  /** Every snapshot_threshold applied entries: record a snapshot and drop the log it covers. */
  private maybeCompact (applied: number): void {
    const core = this.core
    const storage = this.storage
    const driver = this.driver
    if (core == null || storage == null || driver == null || this.compacting) return
    if (applied - core.status.firstIndex < this.config.snapshot_threshold) return
    this.compacting = true
    // the snapshot's data names who took it; the state itself is streamed from the leader on install
    const data = new TextEncoder().encode(this.self)
    driver.exclusive(async (c) => {
      const snapshot = c.compact(applied, data)
      if (snapshot == null) return
      await storage.createSnapshot(snapshot)
      await storage.compact(snapshot.meta.index)
      log('compacted the log up to %d', snapshot.meta.index)
    }).catch((err: Error) => { log.error('log compaction failed: %s', err.message) })
      .finally(() => { this.compacting = false })
  }

  private async install (snapshot: Snapshot, signal: AbortSignal): Promise<void> {
    const from = this.leader.current
    if (from === '' || from === this.self) throw new Error('a snapshot arrived with no other leader to fetch the state from')
    log('installing a snapshot at %d from %s', snapshot.meta.index, from)
    const items = this.rpc.stream(peerIdFromString(from), 'Consensus', 'SnapshotStream', undefined, { signal })
    await this.pinState().restoreFrom(items, { signal })
    this.proposals.failAll(new Error('the log was replaced by a snapshot'))
  }

  private async * snapshotStream (ctx: CallContext): AsyncGenerator<SnapshotItem> {
    yield * this.pinState().snapshotStream({ signal: ctx.signal })
  }
}

function retriable (err: unknown): boolean {
  const name = (err as Error)?.name
  return name === NotLeaderError.NAME || name === NoLeaderError.NAME || name === 'ProposalDroppedError' || name === 'RpcClientError' || name === 'TimeoutError'
}
