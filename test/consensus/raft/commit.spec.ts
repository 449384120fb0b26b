/** §5.4 Safety: what the leader may commit, and how committed entries come out. */
import { strict as assert } from 'node:assert'
import { ent, msg, persisted } from './support/messages.ts'
import { Net } from './support/net.ts'
import { mulberry32 } from '../../fixtures/prng.ts'
import { MemoryDisk } from './support/disk.ts'
import { Peer, defaults } from './support/peer.ts'

const five = ['a', 'b', 'c', 'd', 'e']

describe('raft §5.4 commitment', () => {
  it('the leader commits an entry once a majority has it', () => {
    const cases: Array<{ ids: string[], acceptors: string[], committed: boolean }> = [
      { ids: ['a'], acceptors: [], committed: true },
      { ids: ['a', 'b', 'c'], acceptors: [], committed: false },
      { ids: ['a', 'b', 'c'], acceptors: ['b'], committed: true },
      { ids: ['a', 'b', 'c'], acceptors: ['b', 'c'], committed: true },
      { ids: five, acceptors: ['b'], committed: false },
      { ids: five, acceptors: ['b', 'c'], committed: true },
      { ids: five, acceptors: ['b', 'c', 'd', 'e'], committed: true }
    ]
    for (const { ids, acceptors, committed } of cases) {
      const net = new Net(ids)
      net.elect('a')
      net.dropIf = (m) => m.type === 'append' && !acceptors.includes(m.to)
      const { index } = net.propose('a', 'x')
      const a = net.peer('a')
      assert.equal(a.core.status.commit >= index, committed, `${ids.length} voters, accepted by ${acceptors.join(',') || 'none'}`)
      assert.deepEqual(a.appliedData(), committed ? ['x'] : [])
    }
  })

  it('Figure 8: entries of an earlier term are not committed by counting replicas, only with one of the current term', () => {
    const leader = new Peer('a', [], { preVote: false }, MemoryDisk.from(persisted(five, [1, 2], { term: 3 })))
    for (let i = 0; i < 2 * defaults.electionTick && leader.core.status.role === 'follower'; i++) leader.core.tick()
    leader.flush()
    for (const from of ['b', 'c']) leader.core.step(msg({ type: 'vote-resp', from, to: 'a', term: 4 }))
    assert.equal(leader.core.status.role, 'leader')
    leader.flush()
    assert.equal(leader.disk.lastIndex, 3, 'an empty entry of term 4')
    // b and c hold index 2 (term 2): with the leader, a majority, yet not committable
    for (const from of ['b', 'c']) leader.core.step(msg({ type: 'append-resp', from, to: 'a', term: 4, index: 2 }))
    leader.flush()
    assert.equal(leader.core.status.commit, 0)
    assert.equal(leader.applied.length, 0)
    // once the entry of term 4 is on a majority, it commits, and index 2 with it
    leader.core.step(msg({ type: 'append-resp', from: 'b', to: 'a', term: 4, index: 3 }))
    assert.equal(leader.core.status.commit, 0)
    leader.core.step(msg({ type: 'append-resp', from: 'c', to: 'a', term: 4, index: 3 }))
    assert.equal(leader.core.status.commit, 3)
    leader.flush()
    assert.deepEqual(leader.applied.map((e) => `${e.index}/${e.term}`), ['1/1', '2/2', '3/4'])
  })

  it('a new leader commits the entries of earlier terms it holds along with its first entry', () => {
    const ids = ['a', 'b', 'c']
    const net = new Net([])
    for (const id of ids) net.add(id, {}, MemoryDisk.from(persisted(ids, [1, 2, 2], { term: 2 })))
    net.elect('b')
    for (const p of net.peers.values()) {
      assert.deepEqual(p.applied.map((e) => `${e.index}/${e.term}`), ['1/1', '2/2', '3/2', '4/3'], p.id)
    }
  })

  it('a stale leader cut off from the majority cannot commit; its entries are replaced once it rejoins', () => {
    // one random source shared by all: different election timeouts, no endless split votes
    const net = new Net(five, { random: mulberry32(7) })
    net.elect('a')
    net.propose('a', 'before')
    for (const x of ['a', 'b']) for (const y of ['c', 'd', 'e']) net.cut(x, y)
    const { index } = net.propose('a', 'lost')
    assert.ok(net.peer('a').core.status.commit < index)
    // the majority side elects a leader once its lease has run out
    const majority = ['c', 'd', 'e']
    const newLeader = (): string | undefined => majority.find((id) => net.peer(id).core.status.role === 'leader')
    for (let i = 0; i < 5 * defaults.electionTick && newLeader() === undefined; i++) {
      for (const id of majority) net.tick(id)
      net.deliver()
    }
    const c = newLeader()
    assert.ok(c !== undefined)
    net.propose(c, 'after')
    assert.ok(net.peer('a').core.status.commit < index, 'still nothing committed on the minority side')
    net.heal()
    net.tickAll(2 * defaults.electionTick)
    assert.equal(net.peer('a').core.status.role, 'follower')
    for (const p of net.peers.values()) assert.deepEqual(p.appliedData(), ['before', 'after'], p.id)
  })

  it('a follower commits what the leader says is committed, up to what the append proves it holds', () => {
    const cases = [
      { commit: 1, ents: 2, applied: 1 },
      { commit: 2, ents: 2, applied: 2 },
      { commit: 5, ents: 2, applied: 2 },
      { commit: 5, ents: 0, applied: 0 }
    ]
    for (const c of cases) {
      const p = new Peer('b', [], {}, MemoryDisk.from(persisted(['a', 'b', 'c'], [], { term: 1 })))
      const es = [ent(1, 1, 'x'), ent(2, 1, 'y')].slice(0, c.ents)
      p.core.step(msg({ type: 'append', from: 'a', to: 'b', term: 1, index: 0, logTerm: 0, entries: es, commit: c.commit }))
      p.flush()
      assert.equal(p.appliedIndex, c.applied, JSON.stringify(c))
    }
  })

  it('a follower does not commit its own stale entries past what the append matched', () => {
    // b holds [1, 2, 2] from a deposed leader of term 2; the leader of term 3 holds [1, 3, 3], all committed
    const p = new Peer('b', [], {}, MemoryDisk.from(persisted(['a', 'b', 'c'], [1, 2, 2], { term: 2 })))
    p.core.step(msg({ type: 'append', from: 'a', to: 'b', term: 3, index: 0, logTerm: 0, entries: [ent(1, 1, 'e1t1')], commit: 3 }))
    p.flush()
    assert.equal(p.core.status.commit, 1)
    assert.deepEqual(p.applied.map((e) => e.index), [1])
    p.core.step(msg({ type: 'heartbeat', from: 'a', to: 'b', term: 3, commit: 1 }))
    p.flush()
    assert.equal(p.core.status.commit, 1)
    p.core.step(msg({ type: 'append', from: 'a', to: 'b', term: 3, index: 1, logTerm: 1, entries: [ent(2, 3), ent(3, 3)], commit: 3 }))
    p.flush()
    assert.deepEqual(p.applied.map((e) => `${e.index}/${e.term}`), ['1/1', '2/3', '3/3'])
  })

  it('committed entries are handed out only once persisted, once each, in order', () => {
    const p = new Peer('b', [], {}, MemoryDisk.from(persisted(['a', 'b', 'c'], [], { term: 1 })))
    const m = msg({ type: 'append', from: 'a', to: 'b', term: 1, index: 0, logTerm: 0, entries: [ent(1, 1, 'x'), ent(2, 1, 'y')], commit: 2 })
    p.core.step(m)
    const first = p.core.ready()
    assert.equal(first.entries.length, 2)
    assert.equal(first.committedEntries.length, 0, 'not on disk yet')
    assert.equal(first.hardState?.commit, 2)
    p.disk.save(first)
    p.core.advance()
    // a duplicate of the append arrives meanwhile
    p.core.step(m)
    const second = p.core.ready()
    assert.deepEqual(second.committedEntries.map((e) => e.index), [1, 2])
    assert.equal(second.entries.length, 0)
    p.core.advance()
    p.core.step(m)
    p.flush()
    assert.equal(p.readies.flatMap((rd) => rd.committedEntries).length, 0, 'never again')
    assert.equal(p.core.status.applied, 2)
  })

  it('the commit index a follower persists never passes its log', () => {
    const p = new Peer('b', [], {}, MemoryDisk.from(persisted(['a', 'b', 'c'], [1], { term: 1 })))
    p.core.step(msg({ type: 'heartbeat', from: 'a', to: 'b', term: 1, commit: 7 }))
    p.flush()
    assert.equal(p.core.status.commit, 1)
    assert.equal(p.disk.hardState?.commit, 1)
  })
})
