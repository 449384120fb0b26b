/** Single-server membership changes (dissertation §4.1–4.2, paper §6). */
import { strict as assert } from 'node:assert'
import { decodeConfChange, encodeConfChange } from '../../../src/consensus/raft/core.ts'
import { ent, msg, persisted } from './support/messages.ts'
import { Net } from './support/net.ts'
import { MemoryDisk } from './support/disk.ts'
import { Peer, defaults } from './support/peer.ts'
import type { Entry } from '../../../src/consensus/raft/types.ts'

const abc = ['a', 'b', 'c']

function confEntry (index: number, term: number, type: 'add' | 'remove', node: string): Entry {
  return { index, term, type: 'conf', data: encodeConfChange({ type, node }) }
}

function isName (name: string) {
  return (err: Error) => err.name === name
}

describe('raft membership changes', () => {
  it('adds a server: the new configuration is in force as soon as it is appended, and the newcomer catches up', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    net.propose('a', 'x')
    net.add('d')
    net.isolate('c')
    net.isolate('d')
    const { index } = a.core.proposeConfChange({ type: 'add', node: 'd' })
    assert.deepEqual(a.core.status.voters, ['a', 'b', 'c', 'd'], 'in force before it commits')
    net.deliver()
    assert.ok(a.core.status.commit < index, 'a and b are no majority of four')
    net.heal()
    net.tickAll(3)
    assert.ok(a.core.status.commit >= index)
    const d = net.peer('d')
    assert.deepEqual(d.core.status.voters, ['a', 'b', 'c', 'd'])
    assert.deepEqual(d.appliedData(), ['x'])
    assert.deepEqual(d.disk.terms(), a.disk.terms())
    // the app sees the change among the committed entries
    const applied = d.applied.filter((e) => e.type === 'conf').map((e) => decodeConfChange(e.data))
    assert.deepEqual(applied.at(-1), { type: 'add', node: 'd' })
    net.propose('a', 'y')
    assert.deepEqual(d.appliedData(), ['x', 'y'])
  })

  it('removes a follower: the quorum shrinks at once, and the removed server learns it is out', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    const { index } = a.core.proposeConfChange({ type: 'remove', node: 'c' })
    assert.deepEqual(a.core.status.voters, ['a', 'b'])
    net.deliver()
    assert.ok(a.core.status.commit >= index)
    const c = net.peer('c')
    assert.deepEqual(c.core.status.voters, ['a', 'b'], 'c got the entry that removed it')
    // c is left alone from now on, and never campaigns
    net.isolate('c')
    net.tick('c', 10 * defaults.electionTick)
    assert.equal(c.core.status.role, 'follower')
    assert.equal(net.take().filter((m) => m.from === 'c').length, 0)
    net.heal()
    net.dropIf = (m) => m.to === 'c' || m.from === 'c'
    net.propose('a', 'y')
    assert.deepEqual(net.peer('b').appliedData(), ['y'], 'a and b commit alone')
  })

  it('a removed leader keeps replicating without counting itself, then steps down once the change commits', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    const term = a.core.status.term
    net.isolate('c')
    const { index } = a.core.proposeConfChange({ type: 'remove', node: 'a' })
    net.deliver()
    assert.equal(a.core.status.role, 'leader')
    assert.ok(a.core.status.commit < index, 'a and b hold it, but a does not count: b and c must')
    // it still takes proposals meanwhile
    a.core.propose(new TextEncoder().encode('during'))
    net.heal()
    net.tickAll(1)
    assert.notEqual(a.core.status.role, 'leader')
    // it handed over at once: a new leader without waiting for an election timeout
    const leader = net.leader()
    assert.ok(leader !== undefined && leader.id !== 'a')
    assert.equal(leader.core.status.term, term + 1)
    assert.deepEqual(leader.core.status.voters, ['b', 'c'])
    net.tick('a', 10 * defaults.electionTick)
    net.deliver()
    assert.equal(a.core.status.role, 'follower', 'out of the configuration: never campaigns')
    net.propose(leader.id, 'after')
    assert.deepEqual(net.peer('b').appliedData(), ['during', 'after'])
    assert.deepEqual(net.peer('c').appliedData(), ['during', 'after'])
  })

  it('takes one change at a time', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    net.dropIf = (m) => m.type === 'append'
    a.core.proposeConfChange({ type: 'add', node: 'd' })
    assert.throws(() => a.core.proposeConfChange({ type: 'remove', node: 'c' }), isName('ConfChangeInProgressError'))
    net.heal()
    net.add('d')
    net.tickAll(3)
    assert.doesNotThrow(() => a.core.proposeConfChange({ type: 'remove', node: 'c' }))
  })

  it('a new leader takes no change before it has committed an entry of its term', () => {
    const net = new Net(abc)
    net.dropIf = (m) => m.type === 'append'
    const a = net.elect('a')
    assert.throws(() => a.core.proposeConfChange({ type: 'add', node: 'd' }), isName('ConfChangeInProgressError'))
    net.heal()
    net.tickAll(2)
    assert.doesNotThrow(() => a.core.proposeConfChange({ type: 'add', node: 'd' }))
  })

  it('uses the latest configuration in its log, committed or not, and falls back when that entry is truncated', () => {
    const b = new Peer('b', [], {}, MemoryDisk.from(persisted(abc, [1], { term: 1 })))
    b.core.step(msg({ type: 'append', from: 'a', to: 'b', term: 1, index: 1, logTerm: 1, entries: [confEntry(2, 1, 'add', 'd')] }))
    assert.deepEqual(b.core.status.voters, ['a', 'b', 'c', 'd'])
    assert.equal(b.core.status.commit, 0)
    // a leader of term 2 never had it: it is replaced
    b.core.step(msg({ type: 'append', from: 'c', to: 'b', term: 2, index: 1, logTerm: 1, entries: [ent(2, 2)] }))
    assert.deepEqual(b.core.status.voters, abc)
    b.flush()
    assert.deepEqual(b.disk.terms(), [1, 2])
    // and after a restart the configuration still comes from the log
    b.restart()
    assert.deepEqual(b.core.status.voters, abc)
  })

  it('a removed server that never learned it was removed cannot disrupt the cluster', () => {
    const net = new Net(abc, { random: () => 0.5 })
    const a = net.elect('a')
    net.isolate('c')
    a.core.proposeConfChange({ type: 'remove', node: 'c' })
    net.deliver()
    net.propose('a', 'x')
    const term = a.core.status.term
    // c still believes it is a voter, and times out again and again
    net.tick('c', 20 * defaults.electionTick)
    net.heal()
    for (let i = 0; i < 20 * defaults.electionTick; i++) {
      net.tick('a')
      net.tick('b')
      net.tick('c')
      net.deliver()
    }
    assert.equal(a.core.status.role, 'leader')
    assert.equal(a.core.status.term, term)
    assert.equal(net.peer('b').core.status.term, term)
    net.propose('a', 'y')
    assert.deepEqual(net.peer('b').appliedData(), ['x', 'y'])
  })

  it('refuses to remove the last voter, and only the leader takes changes', () => {
    const solo = new Peer('a', ['a'])
    for (let i = 0; i < 20; i++) solo.core.tick()
    solo.flush()
    assert.throws(() => solo.core.proposeConfChange({ type: 'remove', node: 'a' }), RangeError)
    const net = new Net(abc)
    net.elect('a')
    assert.throws(() => net.peer('b').core.proposeConfChange({ type: 'add', node: 'd' }), isName('NotLeaderError'))
  })

  it('encodes and decodes changes, and refuses garbage', () => {
    for (const cc of [{ type: 'add', node: '12D3KooWabc' }, { type: 'remove', node: 'ü-node' }] as const) {
      assert.deepEqual(decodeConfChange(encodeConfChange(cc)), cc)
    }
    assert.throws(() => decodeConfChange(new Uint8Array([9, 65])))
    assert.throws(() => decodeConfChange(new Uint8Array([1])))
    assert.throws(() => decodeConfChange(new Uint8Array([1, 0xff, 0xfe])))
    assert.throws(() => encodeConfChange({ type: 'add', node: '' }))
  })
})
