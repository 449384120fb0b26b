/**
 * §5.2 Leader election, with the pre-vote and check-quorum extensions
 * (dissertation §9.6), after etcd's raft_paper_test.go.
 */
import { strict as assert } from 'node:assert'
import { RaftCore } from '../../../src/consensus/raft/core.ts'
import { msg, persisted } from './support/messages.ts'
import { mulberry32 } from '../../fixtures/prng.ts'
import { Net } from './support/net.ts'
import { MemoryDisk } from './support/disk.ts'
import { Peer, defaults } from './support/peer.ts'
import type { Message, NodeId } from '../../../src/consensus/raft/types.ts'

const abc = ['a', 'b', 'c']

/** Ticks a core until its role changes; returns the ticks taken. */
function ticksUntilRoleChange (p: Peer, max = 1000): number {
  const role = p.core.status.role
  for (let i = 1; i <= max; i++) {
    p.core.tick()
    if (p.core.status.role !== role) return i
  }
  throw new Error('the role never changed')
}

function types (msgs: Message[]): string[] {
  return msgs.map((m) => `${m.type}>${m.to}@${m.term}`).sort()
}

describe('raft §5.2 leader election', () => {
  it('a follower that hears nothing for an election timeout starts a pre-vote, without bumping its term', () => {
    const p = new Peer('a', abc)
    p.flush()
    const term = p.core.status.term
    for (let i = 0; i < defaults.electionTick - 1; i++) p.core.tick()
    assert.equal(p.core.status.role, 'follower')
    assert.equal(p.flush().length, 0)
    p.core.tick()
    assert.equal(p.core.status.role, 'pre-candidate')
    assert.equal(p.core.status.term, term, 'a pre-candidate keeps its term')
    const rds = p.readies.length
    const out = p.flush()
    assert.deepEqual(types(out), [`prevote>b@${term + 1}`, `prevote>c@${term + 1}`])
    for (const m of out) {
      assert.equal(m.index, p.core.status.lastIndex)
      assert.equal(m.logTerm, 1)
    }
    assert.ok(p.readies.slice(rds).every((rd) => rd.hardState === undefined), 'nothing to persist for a pre-vote')
  })

  it('a pre-candidate campaigns for real only once a quorum would vote for it, persisting its vote before asking', () => {
    const p = new Peer('a', ['a', 'b', 'c', 'd', 'e'])
    p.flush()
    ticksUntilRoleChange(p)
    p.flush()
    p.core.step(msg({ type: 'prevote-resp', from: 'b', to: 'a', term: 2 }))
    assert.equal(p.core.status.role, 'pre-candidate', 'two of five is no quorum')
    p.core.step(msg({ type: 'prevote-resp', from: 'c', to: 'a', term: 2 }))
    assert.equal(p.core.status.role, 'candidate')
    assert.equal(p.core.status.term, 2)
    const rd = p.core.ready()
    assert.deepEqual(rd.hardState, { term: 2, vote: 'a', commit: 5 })
    assert.deepEqual(types(rd.messages), ['vote>b@2', 'vote>c@2', 'vote>d@2', 'vote>e@2'])
    p.core.advance()
  })

  it('a pre-candidate rejected by a quorum goes back to following, term unchanged', () => {
    const p = new Peer('a', abc)
    p.flush()
    ticksUntilRoleChange(p)
    p.core.step(msg({ type: 'prevote-resp', from: 'b', to: 'a', term: 1, reject: true }))
    p.core.step(msg({ type: 'prevote-resp', from: 'c', to: 'a', term: 1, reject: true }))
    assert.equal(p.core.status.role, 'follower')
    assert.equal(p.core.status.term, 1)
  })

  it('a candidate wins with votes from a majority, loses on rejections from one, and waits otherwise', () => {
    const cases: Array<{ voters: NodeId[], votes: Record<NodeId, boolean>, role: string }> = [
      { voters: ['a'], votes: {}, role: 'leader' },
      { voters: abc, votes: { b: true }, role: 'leader' },
      { voters: abc, votes: { b: true, c: true }, role: 'leader' },
      { voters: abc, votes: { b: false }, role: 'candidate' },
      { voters: abc, votes: { b: false, c: false }, role: 'follower' },
      { voters: ['a', 'b', 'c', 'd', 'e'], votes: { b: true }, role: 'candidate' },
      { voters: ['a', 'b', 'c', 'd', 'e'], votes: { b: true, c: true }, role: 'leader' },
      { voters: ['a', 'b', 'c', 'd', 'e'], votes: { b: false, c: false }, role: 'candidate' },
      { voters: ['a', 'b', 'c', 'd', 'e'], votes: { b: false, c: false, d: false }, role: 'follower' },
      { voters: ['a', 'b', 'c', 'd', 'e'], votes: { b: false, c: true, d: false, e: true }, role: 'leader' }
    ]
    for (const { voters, votes, role } of cases) {
      const p = new Peer('a', voters, { preVote: false })
      p.flush()
      ticksUntilRoleChange(p)
      for (const [from, granted] of Object.entries(votes)) {
        p.core.step(msg({ type: 'vote-resp', from, to: 'a', term: 2, reject: !granted }))
      }
      assert.equal(p.core.status.role, role, `${voters.length} voters, votes ${JSON.stringify(votes)}`)
    }
  })

  it('a vote counts once per voter, and only from voters', () => {
    const p = new Peer('a', ['a', 'b', 'c', 'd', 'e'], { preVote: false })
    p.flush()
    ticksUntilRoleChange(p)
    for (let i = 0; i < 3; i++) p.core.step(msg({ type: 'vote-resp', from: 'b', to: 'a', term: 2 }))
    p.core.step(msg({ type: 'vote-resp', from: 'x', to: 'a', term: 2 }))
    assert.equal(p.core.status.role, 'candidate')
  })

  it('a new leader appends an empty entry of its term at once and sends it to everyone', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    const s = a.core.status
    const last = a.disk.entry(s.lastIndex)
    assert.ok(last !== undefined)
    assert.equal(last.term, s.term)
    assert.equal(last.data.byteLength, 0)
    assert.equal(a.core.status.commit, s.lastIndex, 'committed once the followers have it')
    for (const id of ['b', 'c']) assert.equal(net.peer(id).core.status.leader, 'a')
  })

  it('a follower votes for at most one candidate per term, and persists the vote with its answer', () => {
    const cases: Array<{ vote: NodeId | '', from: NodeId, reject: boolean }> = [
      { vote: '', from: 'b', reject: false },
      { vote: '', from: 'c', reject: false },
      { vote: 'b', from: 'b', reject: false },
      { vote: 'c', from: 'c', reject: false },
      { vote: 'b', from: 'c', reject: true },
      { vote: 'c', from: 'b', reject: true }
    ]
    for (const { vote, from, reject } of cases) {
      const p = new Peer('a', [], {}, MemoryDisk.from(persisted(abc, [1], { term: 1, vote })))
      p.core.step(msg({ type: 'vote', from, to: 'a', term: 1, index: 1, logTerm: 1 }))
      const rd = p.core.ready()
      const resp = rd.messages.find((m) => m.type === 'vote-resp')
      assert.ok(resp !== undefined)
      assert.equal(resp.reject, reject, `voted ${vote || 'nobody'}, asked by ${from}`)
      if (!reject && vote === '') assert.deepEqual(rd.hardState, { term: 1, vote: from, commit: 0 }, 'the vote is persisted in the same Ready')
      p.core.advance()
    }
  })

  it('a voter grants its vote only to a candidate whose log is at least as up to date (§5.4.1)', () => {
    // the voter's log has terms [1, 2]
    const cases = [
      { logTerm: 2, index: 2, reject: false },
      { logTerm: 2, index: 3, reject: false },
      { logTerm: 3, index: 1, reject: false },
      { logTerm: 2, index: 1, reject: true },
      { logTerm: 1, index: 5, reject: true },
      { logTerm: 0, index: 0, reject: true }
    ]
    for (const { logTerm, index, reject } of cases) {
      for (const type of ['vote', 'prevote'] as const) {
        const p = new Peer('a', [], {}, MemoryDisk.from(persisted(abc, [1, 2], { term: 2 })))
        p.core.step(msg({ type, from: 'b', to: 'a', term: 3, index, logTerm }))
        const resp = p.flush().find((m) => m.type === `${type}-resp`)
        assert.equal(resp?.reject, reject, `${type} for a log ending at (${index}, term ${logTerm})`)
      }
    }
  })

  it('election timeouts are randomized in [electionTick, 2 * electionTick), from the given random source', () => {
    const seen = new Set<number>()
    for (let seed = 1; seed <= 60; seed++) {
      const p = new Peer('a', abc, { random: mulberry32(seed) })
      p.flush()
      const ticks = ticksUntilRoleChange(p)
      assert.ok(ticks >= defaults.electionTick && ticks < 2 * defaults.electionTick, `timeout ${ticks}`)
      seen.add(ticks)
      // the same seed gives the same timeout
      const again = new Peer('a', abc, { random: mulberry32(seed) })
      assert.equal(ticksUntilRoleChange(again), ticks)
    }
    assert.ok(seen.size >= 6, `only ${seen.size} distinct timeouts`)
  })

  it('a candidate that neither wins nor loses starts a new election after a timeout', () => {
    const noPre = new Peer('a', abc, { preVote: false })
    ticksUntilRoleChange(noPre)
    assert.equal(noPre.core.status.term, 2)
    for (let i = 0; i < 2 * defaults.electionTick && noPre.core.status.term === 2; i++) noPre.core.tick()
    assert.equal(noPre.core.status.role, 'candidate')
    assert.equal(noPre.core.status.term, 3, 'a new term for the new election')

    // with pre-vote, the next round starts with a pre-vote at the same term
    const pre = new Peer('a', abc)
    ticksUntilRoleChange(pre)
    pre.core.step(msg({ type: 'prevote-resp', from: 'b', to: 'a', term: 2 }))
    assert.equal(pre.core.status.role, 'candidate')
    ticksUntilRoleChange(pre)
    assert.equal(pre.core.status.role, 'pre-candidate')
    assert.equal(pre.core.status.term, 2)
  })

  it('any role steps down to follower on a message with a higher term, and follows the sender of an append', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    const term = a.core.status.term
    a.core.step(msg({ type: 'append', from: 'b', to: 'a', term: term + 1, index: a.core.status.lastIndex, logTerm: term }))
    assert.equal(a.core.status.role, 'follower')
    assert.equal(a.core.status.term, term + 1)
    assert.equal(a.core.status.leader, 'b')

    const c = new Peer('c', abc, { preVote: false })
    ticksUntilRoleChange(c)
    c.core.step(msg({ type: 'heartbeat', from: 'b', to: 'c', term: 2 }))
    assert.equal(c.core.status.role, 'follower', 'a candidate yields to a leader of its term')
    assert.equal(c.core.status.leader, 'b')
  })

  it('pre-vote: an isolated node keeps its term however long it waits; without pre-vote its term runs away', () => {
    for (const preVote of [true, false]) {
      const net = new Net(abc, { preVote })
      net.elect('a')
      const term = net.peer('c').core.status.term
      net.isolate('c')
      net.tick('c', 20 * defaults.electionTick)
      net.deliver()
      if (preVote) assert.equal(net.peer('c').core.status.term, term)
      else assert.ok(net.peer('c').core.status.term > term + 5)
    }
  })

  it('check-quorum: a leader that has not heard from a quorum for an election timeout steps down', () => {
    const net = new Net(['a', 'b', 'c', 'd', 'e'])
    net.elect('a')
    net.tickAll(3 * defaults.electionTick)
    assert.equal(net.peer('a').core.status.role, 'leader', 'it keeps leading while it hears from a quorum')

    net.isolate('b')
    net.isolate('c')
    net.tickAll(2 * defaults.electionTick)
    assert.equal(net.peer('a').core.status.role, 'leader', 'a, d, e are a quorum')

    net.isolate('d')
    for (let i = 0; i < defaults.electionTick * 2; i++) {
      net.tick('a')
      net.deliver()
    }
    assert.equal(net.peer('a').core.status.role, 'follower')
    assert.equal(net.peer('a').core.status.leader, '')
  })

  it('the leader lease: a follower that heard from the leader within an election timeout ignores (pre)votes', () => {
    const net = new Net(abc, { random: () => 0.99 })
    net.elect('a')
    const b = net.peer('b')
    const term = b.core.status.term
    const last = b.core.status.lastIndex
    for (const type of ['vote', 'prevote'] as const) {
      b.core.step(msg({ type, from: 'c', to: 'b', term: term + 1, index: last + 10, logTerm: term }))
      assert.equal(b.flush().length, 0, `${type} request ignored`)
      assert.equal(b.core.status.term, term)
      assert.equal(b.core.status.leader, 'a')
    }
    // an election timeout without hearing from the leader: the lease is over
    for (let i = 0; i < defaults.electionTick; i++) b.core.tick()
    b.core.step(msg({ type: 'vote', from: 'c', to: 'b', term: term + 1, index: last + 10, logTerm: term }))
    const resp = b.flush().find((m) => m.type === 'vote-resp')
    assert.equal(resp?.reject, false)
    assert.equal(b.core.status.term, term + 1)
  })

  it('a leader hearing from a quorum ignores a disruptive vote request with a higher term', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    const term = a.core.status.term
    a.core.step(msg({ type: 'vote', from: 'c', to: 'a', term: term + 5, index: 100, logTerm: term }))
    assert.equal(a.core.status.role, 'leader')
    assert.equal(a.core.status.term, term)
  })

  it('a partitioned server that rejoins does not disrupt the cluster', () => {
    const net = new Net(abc)
    net.elect('a')
    net.propose('a', 'x')
    const term = net.peer('a').core.status.term
    net.isolate('c')
    net.tick('c', 10 * defaults.electionTick)
    net.propose('a', 'y')
    net.heal()
    net.tickAll(5 * defaults.electionTick)
    assert.equal(net.peer('a').core.status.role, 'leader')
    assert.equal(net.peer('a').core.status.term, term)
    assert.equal(net.peer('c').core.status.leader, 'a')
    assert.deepEqual(net.peer('c').appliedData(), ['x', 'y'])
  })

  it('a leader that moved to a higher term is told by a follower still at that term: the stale leader steps down', () => {
    const a = new Peer('a', [], {}, MemoryDisk.from(persisted(abc, [1, 1], { term: 1 })))
    // a is a stale leader at term 1 sending an append; b is at term 3
    const b = new Peer('b', [], {}, MemoryDisk.from(persisted(abc, [1, 1], { term: 3 })))
    b.core.step(msg({ type: 'append', from: 'a', to: 'b', term: 1, index: 2, logTerm: 1 }))
    const resp = b.flush()
    assert.deepEqual(types(resp), ['append-resp>a@3'])
    a.core.step(resp[0] as Message)
    assert.equal(a.core.status.term, 3)
    assert.equal(a.core.status.role, 'follower')
  })

  it('a candidate with a stale term learns the current term from the rejection and stands down', () => {
    const b = new Peer('b', [], {}, MemoryDisk.from(persisted(abc, [1], { term: 5 })))
    const a = new Peer('a', [], { preVote: false }, MemoryDisk.from(persisted(abc, [1, 1], { term: 2 })))
    ticksUntilRoleChange(a)
    const request = a.flush().find((m) => m.type === 'vote' && m.to === 'b')
    assert.equal(request?.term, 3)
    b.core.step(request as Message)
    const resp = b.flush()
    assert.deepEqual(types(resp), ['vote-resp>a@5'])
    assert.equal(resp[0]?.reject, true)
    a.core.step(resp[0] as Message)
    assert.equal(a.core.status.role, 'follower')
    assert.equal(a.core.status.term, 5)
  })

  it('a candidate it refuses does not restart a server\'s election timer (§5.2)', () => {
    const b = new Peer('b', [], { preVote: false }, MemoryDisk.from(persisted(abc, [1, 1], { term: 1 })))
    for (let i = 0; i < defaults.electionTick / 2; i++) b.core.tick()
    // a candidate with a stale log and a higher term
    b.core.step(msg({ type: 'vote', from: 'c', to: 'b', term: 4, index: 1, logTerm: 1 }))
    assert.equal(b.flush().find((m) => m.type === 'vote-resp')?.reject, true)
    assert.equal(b.core.status.term, 4)
    assert.equal(ticksUntilRoleChange(b), defaults.electionTick / 2, 'times out on its original schedule')
    assert.equal(b.core.status.role, 'candidate')

    // granting a vote does restart it
    const d = new Peer('a', [], { preVote: false }, MemoryDisk.from(persisted(abc, [1, 1], { term: 1 })))
    for (let i = 0; i < defaults.electionTick / 2; i++) d.core.tick()
    d.core.step(msg({ type: 'vote', from: 'c', to: 'a', term: 4, index: 2, logTerm: 1 }))
    assert.equal(d.flush().find((m) => m.type === 'vote-resp')?.reject, false)
    assert.equal(ticksUntilRoleChange(d), defaults.electionTick)
  })

  it('a server outside the configuration never campaigns', () => {
    const joining = new Peer('d', [])
    joining.flush()
    for (let i = 0; i < 50 * defaults.electionTick; i++) joining.core.tick()
    assert.equal(joining.core.status.role, 'follower')
    assert.equal(joining.flush().length, 0)
    assert.equal(joining.core.status.term, 0)

    const removed = new Peer('x', [], {}, MemoryDisk.from(persisted(abc, [1], { term: 1 })))
    for (let i = 0; i < 50 * defaults.electionTick; i++) removed.core.tick()
    assert.equal(removed.flush().length, 0)
    // nor does timeout-now make it campaign
    removed.core.step(msg({ type: 'timeout-now', from: 'a', to: 'x', term: 1 }))
    assert.equal(removed.core.status.role, 'follower')
  })

  it('a single voter elects itself', () => {
    const p = new Peer('a', ['a'])
    for (let i = 0; i < 2 * defaults.electionTick; i++) p.core.tick()
    p.flush()
    assert.equal(p.core.status.role, 'leader')
    assert.equal(p.core.status.term, 2)
  })

  it('refuses bad timing configuration', () => {
    assert.throws(() => new RaftCore({ id: 'a', voters: ['a'], electionTick: 2, heartbeatTick: 2, random: Math.random }), RangeError)
    assert.throws(() => new RaftCore({ id: 'a', voters: ['a'], electionTick: 0, heartbeatTick: 1, random: Math.random }), RangeError)
  })
})
