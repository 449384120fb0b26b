/**
 * A deterministic, tick-driven Raft core without I/O, after the Raft paper,
 * Ongaro's dissertation and etcd's raft design (RawNode + Ready).
 *
 * The caller feeds it `tick()`, `step(message)` and proposals, then collects a
 * `Ready` (see types.ts for the order to act on it) and calls `advance()`.
 * Between `ready()` and `advance()` the caller may keep stepping and ticking;
 * `ready()` is not called again until `advance()`.
 *
 * Choices worth knowing:
 * - Starting with an empty log, the core writes the initial configuration into
 *   the log: one 'add' conf entry per voter (sorted), at term 1, committed at
 *   once, as every initial member writes the same ones. A node joining an
 *   existing cluster starts with no voters and gets the log (or a snapshot)
 *   from the leader; it never campaigns until it is in a configuration.
 * - Membership (dissertation §4.1): the latest configuration in the log is the
 *   one in force, from the moment its entry is appended.
 * - The leader counts itself towards commitment only for entries handed out
 *   in a Ready and then advance()d (durable), never before.
 * - Appends to followers are built when `ready()` is called, so proposals made
 *   between two Readies go out as one append per follower and one fsync.
 */
import { applyConfChange, encodeConfChange } from './conf-change.ts'
import { ConfChangeInProgressError, LeadershipTransferError, NotLeaderError, RaftRestoreError } from './errors.ts'
import { isWellFormed, makeMessage } from './message.ts'
import { Progress } from './progress.ts'
import { majority, quorumIndex, voteResult } from './quorum.ts'
import { restoreLog } from './restore.ts'
import type { RaftLog } from './log.ts'
import type { MessageInit } from './message.ts'
import type { ConfChange, Entry, EntryType, HardState, Message, NodeId, RaftRestore, Ready, Role, Snapshot, SoftState } from './types.ts'

export { encodeConfChange, decodeConfChange } from './conf-change.ts'
export { ConfChangeInProgressError, LeadershipTransferError, NotLeaderError, RaftRestoreError } from './errors.ts'

export interface RaftCoreInit {
  id: NodeId
  /** The initial configuration, used only when the log is empty (no snapshot, no entries); a joining node passes []. */
  voters: NodeId[]
  /** Election timeout in ticks, randomized in [electionTick, 2 * electionTick). */
  electionTick: number
  heartbeatTick: number
  /** In [0, 1): the only source of randomness, so runs are reproducible from a seed. */
  random: () => number
  /** Appends in flight per follower when replicating (pipelining); default 256. */
  maxInflight?: number
  /** Soft cap on the entries' data bytes in one append; default 1 MiB. */
  maxMessageBytes?: number
  /** Default true. */
  preVote?: boolean
  /** Default true. */
  checkQuorum?: boolean
  /** Exactly what was persisted, to restart. */
  restore?: RaftRestore
  /**
   * The index the application has already applied (its state is durable up to it):
   * committed entries up to it are not handed out again after a restart. Defaults to
   * the restored snapshot's index: the app is expected to hold the snapshot's state.
   */
  applied?: number
}

export interface RaftStatus {
  id: NodeId
  term: number
  role: Role
  leader: NodeId | ''
  commit: number
  applied: number
  lastIndex: number
  firstIndex: number
  voters: NodeId[]
}

/** What the outstanding Ready handed out, to settle on advance(). */
interface HandedOut {
  /** The last entry handed out to persist; cleared if the log was replaced since. */
  last?: { index: number, term: number }
  /** The app will have applied up to this index. */
  applyTo: number
}

const DEFAULT_MAX_INFLIGHT = 256
const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024

function positiveInt (name: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer, got ${n}`)
  return n
}

export class RaftCore {
  readonly id: NodeId
  private readonly electionTimeout: number
  private readonly heartbeatTimeout: number
  private readonly random: () => number
  private readonly maxInflight: number
  private readonly maxMessageBytes: number
  private readonly preVote: boolean
  private readonly checkQuorum: boolean
  private readonly log: RaftLog

  private term = 0
  private vote: NodeId | '' = ''
  private lead: NodeId | '' = ''
  private role: Role = 'follower'
  /** Ticks since this node started: a clock for timeouts kept per follower. */
  private ticks = 0
  private electionElapsed = 0
  private heartbeatElapsed = 0
  private randomizedElectionTimeout = 0
  private readonly votes = new Map<NodeId, boolean>()
  /** Leader only: one per replication target (every member but self). */
  private readonly progress = new Map<NodeId, Progress>()
  private leadTransferee: NodeId | '' = ''
  private msgs: Message[] = []
  /** Leader: new entries or a new commit index to send to every follower at the next ready(). */
  private broadcastPending = false
  private applied: number
  /** What the app has been handed: applied, plus what the outstanding Ready holds. */
  private applying: number
  private snapshotToInstall: Snapshot | undefined
  private prevSoft: SoftState = { leader: '', role: 'follower' }
  private prevHard: HardState
  private handedOut: HandedOut | undefined

  constructor (init: RaftCoreInit) {
    if (typeof init.id !== 'string' || init.id === '') throw new TypeError('a node id is required')
    this.id = init.id
    this.electionTimeout = positiveInt('electionTick', init.electionTick)
    this.heartbeatTimeout = positiveInt('heartbeatTick', init.heartbeatTick)
    if (this.heartbeatTimeout >= this.electionTimeout) throw new RangeError('heartbeatTick must be less than electionTick')
    this.random = init.random
    this.maxInflight = positiveInt('maxInflight', init.maxInflight ?? DEFAULT_MAX_INFLIGHT)
    this.maxMessageBytes = positiveInt('maxMessageBytes', init.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES)
    this.preVote = init.preVote ?? true
    this.checkQuorum = init.checkQuorum ?? true

    const restore = init.restore ?? {}
    this.log = restoreLog(restore)
    this.term = restore.hardState?.term ?? 0
    this.vote = restore.hardState?.vote ?? ''
    this.prevHard = { term: this.term, vote: this.vote, commit: restore.hardState?.commit ?? 0 }
    if (this.log.lastIndex === 0 && this.log.snapshot === undefined && init.voters.length > 0) this.bootstrap(init.voters)

    const applied = Math.max(this.log.compactedIndex, init.applied ?? 0)
    if (applied > this.log.commit) throw new RaftRestoreError(`the applied index ${applied} is past the commit index ${this.log.commit}: the log's tail is missing`)
    this.applied = applied
    this.applying = applied
    this.becomeFollower(this.term, '')
  }

  get status (): RaftStatus {
    return {
      id: this.id,
      term: this.term,
      role: this.role,
      leader: this.lead,
      commit: this.log.commit,
      applied: this.applied,
      lastIndex: this.log.lastIndex,
      firstIndex: this.log.firstIndex,
      voters: [...this.log.membership.voters]
    }
  }

  tick (): void {
    this.ticks++
    if (this.role === 'leader') this.tickHeartbeat()
    else this.tickElection()
  }

  /** Takes a message from another member; malformed, misaddressed and stale ones are dropped. */
  step (m: Message): void {
    if (!isWellFormed(m) || m.to !== this.id || m.from === this.id || m.from === '') return
    if (m.term > this.term) {
      if (m.type === 'vote' || m.type === 'prevote') {
        // the leader lease: while a leader is known to be alive, a (pre)vote is disruption, not need
        const inLease = this.checkQuorum && this.lead !== '' && this.electionElapsed < this.electionTimeout
        if (inLease && m.transfer !== true) return
      }
      if (m.type === 'prevote' || (m.type === 'prevote-resp' && !m.reject)) {
        // a pre-vote is about a term in the future: it changes no term
      } else if (m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot') {
        this.becomeFollower(m.term, m.from)
      } else if (m.type === 'vote') {
        // §5.2: the election timer restarts on hearing from a leader or granting a vote, not on
        // seeing a candidate's higher term; else candidates with stale logs, bumping the term
        // again and again, could keep the only electable server from ever timing out
        const elapsed = this.electionElapsed
        this.becomeFollower(m.term, '')
        this.electionElapsed = elapsed
      } else {
        this.becomeFollower(m.term, '')
      }
    } else if (m.term < this.term) {
      if ((this.checkQuorum || this.preVote) && (m.type === 'append' || m.type === 'heartbeat')) {
        // A leader we have moved past. With pre-vote or check-quorum, our higher term may never
        // reach it otherwise (our votes get ignored): answer so that it steps down.
        this.send({ type: 'append-resp', to: m.from })
      } else if (m.type === 'prevote' || m.type === 'vote') {
        // §5.1: a stale candidate learns the current term from the rejection. Servers with
        // diverging uncommitted configurations may never send it anything else.
        this.send({ type: m.type === 'vote' ? 'vote-resp' : 'prevote-resp', to: m.from, reject: true })
      }
      return
    }

    if (m.type === 'vote' || m.type === 'prevote') {
      this.handleVoteRequest(m)
      return
    }
    switch (this.role) {
      case 'leader': this.stepLeader(m); break
      case 'candidate':
      case 'pre-candidate': this.stepCandidate(m); break
      case 'follower': this.stepFollower(m); break
    }
  }

  propose (data: Uint8Array): { index: number, term: number } {
    this.assertAcceptsProposals()
    if (!(data instanceof Uint8Array)) throw new TypeError('proposal data must be a Uint8Array')
    return this.appendEntry('normal', data)
  }

  proposeConfChange (cc: ConfChange): { index: number, term: number } {
    this.assertAcceptsProposals()
    const data = encodeConfChange(cc)
    if (this.log.membership.lastChangeIndex > this.log.commit) {
      throw new ConfChangeInProgressError('another membership change is not committed yet')
    }
    // a new leader may not hold every committed configuration until it commits an entry of its term
    if (this.log.term(this.log.commit) !== this.term) {
      throw new ConfChangeInProgressError('the leader has not committed an entry of its term yet')
    }
    if (applyConfChange(this.log.membership.voters, cc).length === 0) throw new RangeError('cannot remove the last voter')
    const at = this.appendEntry('conf', data)
    this.updateReplicationTargets()
    return at
  }

  /** §3.10: bring `to` up to date, then tell it to campaign at once. Aborted after an election timeout. */
  transferLeadership (to: NodeId): void {
    if (this.role !== 'leader') throw new NotLeaderError(this.lead)
    if (to === this.id || to === this.leadTransferee) return
    if (!this.log.membership.voters.includes(to)) throw new RangeError(`${to} is not a voter`)
    const pr = this.progress.get(to)
    if (pr === undefined) throw new RangeError(`${to} is not a voter`)
    this.leadTransferee = to
    // the transfer gets one election timeout to complete
    this.electionElapsed = 0
    if (pr.match === this.log.lastIndex) this.send({ type: 'timeout-now', to })
    else this.maybeSendAppend(to, true)
  }

  hasReady (): boolean {
    if (this.handedOut !== undefined) return false
    if (this.broadcastPending && this.role === 'leader') return true
    if (this.msgs.length > 0 || this.log.hasUnstable() || this.snapshotToInstall !== undefined) return true
    if (this.softChanged() || this.hardChanged()) return true
    return Math.min(this.log.commit, this.log.stable) > this.applying
  }

  ready (): Ready {
    if (this.handedOut !== undefined) throw new Error('raft: ready() called again before advance()')
    if (this.broadcastPending) {
      this.broadcastPending = false
      if (this.role === 'leader') this.bcastAppend()
    }
    const entries = this.log.unstableEntries()
    const rd: Ready = { entries, committedEntries: [], messages: this.msgs }
    this.msgs = []
    if (this.softChanged()) {
      rd.softState = { leader: this.lead, role: this.role }
      this.prevSoft = rd.softState
    }
    if (this.hardChanged()) {
      rd.hardState = this.hardState()
      this.prevHard = rd.hardState
    }
    let applyFrom = this.applying
    if (this.snapshotToInstall !== undefined) {
      rd.snapshot = this.snapshotToInstall
      applyFrom = this.snapshotToInstall.meta.index
      this.snapshotToInstall = undefined
    }
    // never hand out for applying an entry the caller has not persisted
    const applyTo = Math.max(applyFrom, Math.min(this.log.commit, this.log.stable))
    if (applyTo > applyFrom) rd.committedEntries = this.log.slice(applyFrom + 1, applyTo + 1)
    const last = entries[entries.length - 1]
    this.handedOut = { applyTo, ...(last !== undefined ? { last: { index: last.index, term: last.term } } : {}) }
    this.applying = applyTo
    return rd
  }

  advance (): void {
    const h = this.handedOut
    if (h === undefined) throw new Error('raft: advance() without a ready()')
    this.handedOut = undefined
    if (h.last !== undefined) this.log.stableTo(h.last.index, h.last.term)
    this.applied = h.applyTo
    // the leader's own copy now counts
    if (this.role === 'leader') this.maybeCommit()
  }

  /**
   * The app snapshotted its state at `index` (at most what it was handed to apply): entries up
   * to it are discarded and the snapshot is kept for followers that are behind it. Returns
   * the snapshot (for the storage to persist), or undefined if the log is already compacted there.
   */
  compact (index: number, data: Uint8Array): Snapshot | undefined {
    if (index <= this.log.compactedIndex) return undefined
    if (index > this.applying) throw new RangeError(`cannot compact to ${index}: only ${this.applying} was handed out for applying`)
    const term = this.log.term(index)
    if (term === undefined) throw new RangeError(`cannot compact to ${index}: no such entry`)
    const snapshot: Snapshot = { meta: { index, term, voters: [...this.log.membership.votersAt(index)] }, data }
    this.log.compact(snapshot)
    return snapshot
  }

  /** The transport could not reach `to`: stop pipelining to it and probe. */
  reportUnreachable (to: NodeId): void {
    if (this.role !== 'leader') return
    const pr = this.progress.get(to)
    if (pr?.state === 'replicate') pr.becomeProbe()
  }

  /** The outcome of sending a snapshot to `to`: either way, probe again once it answers. */
  reportSnapshot (to: NodeId, ok: boolean): void {
    if (this.role !== 'leader') return
    const pr = this.progress.get(to)
    if (pr?.state !== 'snapshot') return
    if (!ok) pr.pendingSnapshot = 0
    pr.becomeProbe()
    // wait for the follower's answer (or a heartbeat's) before sending again
    pr.probeSent = true
  }

  // ---------------------------------------------------------------- roles

  private bootstrap (voters: readonly NodeId[]): void {
    const initial = [...new Set(voters)].sort()
    const entries: Entry[] = initial.map((node, i) => ({
      term: 1, index: i + 1, type: 'conf', data: encodeConfChange({ type: 'add', node })
    }))
    this.term = Math.max(this.term, 1)
    this.log.append(entries)
    this.log.commitTo(entries.length)
  }

  private reset (term: number): void {
    if (this.term !== term) {
      this.term = term
      this.vote = ''
    }
    this.lead = ''
    this.electionElapsed = 0
    this.heartbeatElapsed = 0
    this.resetRandomizedElectionTimeout()
    this.leadTransferee = ''
    this.votes.clear()
    this.progress.clear()
    this.broadcastPending = false
  }

  private becomeFollower (term: number, lead: NodeId | ''): void {
    this.reset(term)
    this.lead = lead
    this.role = 'follower'
  }

  private becomePreCandidate (): void {
    // neither the term nor the vote changes: a pre-candidate only asks
    this.votes.clear()
    this.lead = ''
    this.role = 'pre-candidate'
    this.resetRandomizedElectionTimeout()
  }

  /** In [electionTimeout, 2 * electionTimeout): servers rarely time out together (§5.2). */
  private resetRandomizedElectionTimeout (): void {
    this.randomizedElectionTimeout = this.electionTimeout + Math.floor(this.random() * this.electionTimeout)
  }

  private becomeCandidate (): void {
    this.reset(this.term + 1)
    this.vote = this.id
    this.role = 'candidate'
  }

  private becomeLeader (): void {
    this.reset(this.term)
    this.lead = this.id
    this.role = 'leader'
    for (const id of this.replicationTargets()) this.progress.set(id, new Progress(this.log.lastIndex + 1, this.maxInflight, false))
    // §5.4.2 and §8: an entry of its own term lets the leader commit what came before
    this.appendEntry('normal', new Uint8Array(0))
  }

  private promotable (): boolean {
    return this.log.membership.voters.includes(this.id)
  }

  // ---------------------------------------------------------------- election

  private tickElection (): void {
    this.electionElapsed++
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0
      this.hup(false)
    }
  }

  /** Starts an election: with a pre-vote first, unless this is a leadership transfer. */
  private hup (transfer: boolean): void {
    if (this.role === 'leader' || !this.promotable()) return
    if (this.preVote && !transfer) this.campaign('pre', false)
    else this.campaign('election', transfer)
  }

  private campaign (kind: 'pre' | 'election', transfer: boolean): void {
    let term: number
    if (kind === 'pre') {
      this.becomePreCandidate()
      term = this.term + 1
    } else {
      this.becomeCandidate()
      term = this.term
    }
    this.votes.set(this.id, true)
    const voters = this.log.membership.voters
    if (voteResult(voters, this.votes) === 'won') {
      // a configuration of one
      if (kind === 'pre') this.campaign('election', false)
      else this.becomeLeader()
      return
    }
    const type = kind === 'pre' ? 'prevote' : 'vote'
    for (const v of voters) {
      if (v === this.id) continue
      this.msgs.push(makeMessage(this.id, term, { type, to: v, index: this.log.lastIndex, logTerm: this.log.lastTerm, transfer }))
    }
  }

  private handleVoteRequest (m: Message): void {
    const respType = m.type === 'vote' ? 'vote-resp' : 'prevote-resp'
    const canVote = this.vote === m.from ||
      (this.vote === '' && this.lead === '') ||
      (m.type === 'prevote' && m.term > this.term)
    if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
      // answered at the request's term: for a pre-vote that is a term this node is not in yet
      this.msgs.push(makeMessage(this.id, m.term, { type: respType, to: m.from }))
      if (m.type === 'vote') {
        this.electionElapsed = 0
        this.vote = m.from
      }
    } else {
      this.send({ type: respType, to: m.from, reject: true })
    }
  }

  private stepCandidate (m: Message): void {
    const pre = this.role === 'pre-candidate'
    switch (m.type) {
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        // a leader of this term exists
        this.becomeFollower(m.term, m.from)
        this.stepFollower(m)
        return
      case 'timeout-now':
        this.hup(true)
        return
      case 'prevote-resp':
      case 'vote-resp': {
        if (m.type !== (pre ? 'prevote-resp' : 'vote-resp')) return
        // a grant counts only for the term asked for now, not for an earlier round
        if (!m.reject && m.term !== (pre ? this.term + 1 : this.term)) return
        if (!this.log.membership.voters.includes(m.from) || this.votes.has(m.from)) return
        this.votes.set(m.from, !m.reject)
        const result = voteResult(this.log.membership.voters, this.votes)
        if (result === 'won') {
          if (pre) this.campaign('election', false)
          else this.becomeLeader()
        } else if (result === 'lost') {
          this.becomeFollower(this.term, '')
        }
      }
    }
  }

  // ---------------------------------------------------------------- follower

  private stepFollower (m: Message): void {
    switch (m.type) {
      case 'append':
        this.electionElapsed = 0
        this.lead = m.from
        this.handleAppend(m)
        return
      case 'heartbeat':
        this.electionElapsed = 0
        this.lead = m.from
        this.handleHeartbeat(m)
        return
      case 'snapshot':
        this.electionElapsed = 0
        this.lead = m.from
        this.handleSnapshot(m)
        return
      case 'timeout-now':
        // the leader hands over: campaign now, skipping the pre-vote and the others' lease
        this.hup(true)
    }
  }

  private handleAppend (m: Message): void {
    if (m.index < this.log.commit) {
      // already committed here: tell the leader how far
      this.send({ type: 'append-resp', to: m.from, index: this.log.commit })
      return
    }
    const last = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries)
    if (last !== undefined) {
      this.send({ type: 'append-resp', to: m.from, index: last })
      return
    }
    // §5.3: reject, with where the logs may match, so the leader backs up a term at a time
    const [hint, hintTerm] = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex), m.logTerm)
    this.send({ type: 'append-resp', to: m.from, reject: true, index: m.index, rejectHint: hint, logTerm: hintTerm })
  }

  private handleHeartbeat (m: Message): void {
    // the leader sends at most what it knows this log holds
    this.log.commitTo(Math.min(m.commit, this.log.lastIndex))
    this.send({ type: 'heartbeat-resp', to: m.from })
  }

  private handleSnapshot (m: Message): void {
    const s = m.snapshot
    if (s === undefined) return
    const index = s.meta.index
    if (index <= this.log.commit) {
      this.send({ type: 'append-resp', to: m.from, index: this.log.commit })
      return
    }
    if (this.log.matchTerm(index, s.meta.term)) {
      // the log already holds it: only the commit index moves
      this.log.commitTo(index)
      this.send({ type: 'append-resp', to: m.from, index: this.log.commit })
      return
    }
    this.log.reset(s)
    this.snapshotToInstall = s
    // entries handed out before the reset are dropped by the snapshot on disk: persist them again
    if (this.handedOut !== undefined) delete this.handedOut.last
    this.send({ type: 'append-resp', to: m.from, index })
  }

  // ---------------------------------------------------------------- leader

  private assertAcceptsProposals (): void {
    if (this.role !== 'leader') throw new NotLeaderError(this.lead)
    if (this.leadTransferee !== '') throw new LeadershipTransferError(this.leadTransferee)
  }

  private appendEntry (type: EntryType, data: Uint8Array): { index: number, term: number } {
    const entry: Entry = { term: this.term, index: this.log.lastIndex + 1, type, data }
    this.log.append([entry])
    this.broadcastPending = true
    return { index: entry.index, term: entry.term }
  }

  /**
   * Everyone the leader replicates to: the members of the committed configuration and of any
   * newer one. A server being removed keeps receiving entries until its removal commits, so it
   * learns it is out (and stops campaigning); it is not counted in any quorum meanwhile.
   */
  private replicationTargets (): Set<NodeId> {
    const targets = this.log.membership.membersSince(this.log.commit)
    targets.delete(this.id)
    return targets
  }

  private updateReplicationTargets (): void {
    const targets = this.replicationTargets()
    for (const id of [...this.progress.keys()]) if (!targets.has(id)) this.progress.delete(id)
    for (const id of targets) {
      if (this.progress.has(id)) continue
      // a new member: probe from the last entry; recent activity assumed so a snapshot can go out
      this.progress.set(id, new Progress(Math.max(this.log.lastIndex, 1), this.maxInflight, true))
    }
    if (this.leadTransferee !== '' && !this.log.membership.voters.includes(this.leadTransferee)) this.leadTransferee = ''
  }

  private tickHeartbeat (): void {
    this.heartbeatElapsed++
    this.electionElapsed++
    if (this.electionElapsed >= this.electionTimeout) {
      this.electionElapsed = 0
      if (this.checkQuorum && !this.quorumActive()) {
        this.becomeFollower(this.term, '')
        return
      }
      // a transfer that has not completed in an election timeout is given up
      this.leadTransferee = ''
    }
    if (this.heartbeatElapsed >= this.heartbeatTimeout) {
      this.heartbeatElapsed = 0
      this.bcastHeartbeat()
    }
  }

  /** CheckQuorum: whether a majority of the voters was heard from since the last check; starts a new round. */
  private quorumActive (): boolean {
    const voters = this.log.membership.voters
    let active = 0
    for (const v of voters) if (v === this.id || this.progress.get(v)?.recentActive === true) active++
    for (const pr of this.progress.values()) pr.recentActive = false
    return active >= majority(voters.length)
  }

  private stepLeader (m: Message): void {
    const pr = this.progress.get(m.from)
    if (pr === undefined) return
    pr.recentActive = true
    if (m.type === 'append-resp') this.handleAppendResp(m, pr)
    else if (m.type === 'heartbeat-resp') this.handleHeartbeatResp(m, pr)
  }

  private handleAppendResp (m: Message, pr: Progress): void {
    if (m.reject) {
      let hint = m.rejectHint
      if (m.logTerm > 0) hint = this.log.findConflictByTerm(m.rejectHint, m.logTerm)[0]
      if (pr.maybeDecrTo(m.index, hint)) {
        if (pr.state === 'replicate') pr.becomeProbe()
        this.maybeSendAppend(m.from, true)
      }
      return
    }
    const wasPaused = pr.isPaused()
    if (!pr.maybeUpdate(m.index)) return
    if (pr.state === 'probe') {
      pr.becomeReplicate()
    } else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
      pr.becomeProbe()
      pr.becomeReplicate()
    } else if (pr.state === 'replicate') {
      pr.inflights.freeLE(m.index)
    }
    if (!this.maybeCommit() && wasPaused) this.maybeSendAppend(m.from, true)
    if (this.role !== 'leader') return
    // fill the pipeline
    while (this.maybeSendAppend(m.from, false)) { /* until paused or nothing is left */ }
    if (m.from === this.leadTransferee && pr.match === this.log.lastIndex) this.send({ type: 'timeout-now', to: m.from })
  }

  private handleHeartbeatResp (m: Message, pr: Progress): void {
    if (pr.state === 'snapshot' && this.ticks - pr.snapshotSentAt >= this.electionTimeout) {
      // The follower answers heartbeats but has not acknowledged the snapshot in an election
      // timeout: presume it lost (a transport need not report every loss) and send it again.
      pr.pendingSnapshot = 0
      pr.becomeProbe()
    }
    pr.probeSent = false
    if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne()
    if (pr.match < this.log.lastIndex || pr.state === 'probe') this.maybeSendAppend(m.from, true)
  }

  /** Commits what a majority of the voters holds, if it is of this term (§5.4.2). */
  private maybeCommit (): boolean {
    const voters = this.log.membership.voters
    // the leader is one of the copies only once it has persisted them
    const index = quorumIndex(voters, (v) => v === this.id ? this.log.stable : this.progress.get(v)?.match ?? 0)
    if (index <= this.log.commit || this.log.term(index) !== this.term) return false
    this.log.commitTo(index)
    this.broadcastPending = true
    this.updateReplicationTargets()
    if (!this.promotable() && this.log.membership.lastChangeIndex <= this.log.commit) this.stepDownRemoved()
    return true
  }

  /** The change removing this leader is committed (§4.2.2): hand over and step down. */
  private stepDownRemoved (): void {
    // let the followers learn the commit, then have the most up-to-date one campaign at once
    this.bcastAppend()
    let best: NodeId | '' = ''
    let bestMatch = -1
    for (const v of this.log.membership.voters) {
      const match = this.progress.get(v)?.match ?? -1
      if (match > bestMatch) {
        best = v
        bestMatch = match
      }
    }
    if (best !== '') this.send({ type: 'timeout-now', to: best })
    this.becomeFollower(this.term, '')
  }

  private bcastAppend (): void {
    for (const id of this.progress.keys()) {
      // the first carries the commit index even when empty; more only while the window allows
      if (!this.maybeSendAppend(id, true)) continue
      while (this.maybeSendAppend(id, false)) { /* until paused or nothing is left */ }
    }
  }

  private bcastHeartbeat (): void {
    for (const [id, pr] of this.progress) {
      // a follower may not hold everything committed yet: only commit what it is known to hold
      this.send({ type: 'heartbeat', to: id, commit: Math.min(pr.match, this.log.commit) })
    }
  }

  /**
   * Sends `to` the entries it lacks (or a snapshot when they are compacted), unless its
   * progress is paused; with nothing to send, an empty append only if `sendIfEmpty`.
   */
  private maybeSendAppend (to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.progress.get(to)
    if (pr === undefined || pr.isPaused()) return false
    const prevIndex = pr.next - 1
    const prevTerm = this.log.term(prevIndex)
    if (prevTerm === undefined || pr.next <= this.log.compactedIndex) return this.sendSnapshot(to, pr)
    const entries = this.log.entriesFrom(pr.next, this.maxMessageBytes)
    if (entries.length === 0 && !sendIfEmpty) return false
    this.send({ type: 'append', to, index: prevIndex, logTerm: prevTerm, entries, commit: this.log.commit })
    const last = entries[entries.length - 1]
    if (pr.state === 'replicate' && last !== undefined) pr.sentUpTo(last.index)
    else if (pr.state === 'probe') pr.probeSent = true
    return true
  }

  private sendSnapshot (to: NodeId, pr: Progress): boolean {
    // a snapshot is big: only for a follower known to be alive
    if (!pr.recentActive) return false
    const snapshot = this.log.snapshot
    if (snapshot === undefined) throw new Error('raft: entries are compacted but there is no snapshot')
    this.send({ type: 'snapshot', to, snapshot })
    pr.becomeSnapshot(snapshot.meta.index, this.ticks)
    return true
  }

  // ---------------------------------------------------------------- Ready

  private send (m: MessageInit): void {
    this.msgs.push(makeMessage(this.id, this.term, m))
  }

  private hardState (): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.commit }
  }

  private hardChanged (): boolean {
    return this.term !== this.prevHard.term || this.vote !== this.prevHard.vote || this.log.commit !== this.prevHard.commit
  }

  private softChanged (): boolean {
    return this.lead !== this.prevSoft.leader || this.role !== this.prevSoft.role
  }
}
