/** §7 Log compaction and snapshots: compaction, sending snapshots to lagging and new members, installing. */
import { strict as assert } from 'node:assert'
import { ent, msg, persisted, text } from './support/messages.ts'
import { Net } from './support/net.ts'
import { MemoryDisk } from './support/disk.ts'
import { Peer } from './support/peer.ts'
import type { Snapshot } from '../../../src/consensus/raft/types.ts'

const abc = ['a', 'b', 'c']

/** Compacts a peer at what it has applied, as an app would, and stores the result. */
function compact (p: Peer, data = `state@${p.appliedIndex}`): Snapshot {
  const s = p.core.compact(p.appliedIndex, text(data))
  assert.ok(s !== undefined)
  p.disk.compact(s)
  return s
}

describe('raft §7 log compaction and snapshots', () => {
  it('compact() discards entries up to the index and keeps a snapshot with the term and voters as of that index', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    net.propose('a', 'x')
    const y = net.propose('a', 'y')
    const add = a.core.proposeConfChange({ type: 'add', node: 'd' })
    net.deliver()
    assert.ok(a.appliedIndex >= add.index)
    const s = a.core.compact(y.index, text('at-y'))
    assert.deepEqual(s?.meta, { index: y.index, term: y.term, voters: abc }, 'the change after y is not part of it')
    assert.equal(a.core.status.firstIndex, y.index + 1)
    const s2 = a.core.compact(add.index, text('at-add'))
    assert.deepEqual(s2?.meta.voters, ['a', 'b', 'c', 'd'])
    assert.equal(a.core.compact(add.index, text('again')), undefined, 'nothing left to compact there')
    assert.throws(() => a.core.compact(a.core.status.lastIndex + 5, text('future')), RangeError)
  })

  it('sends a snapshot to a follower whose missing entries were compacted; it installs it and catches up', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    net.isolate('c')
    for (let i = 0; i < 5; i++) net.propose('a', `x${i}`)
    const snap = compact(a)
    net.propose('a', 'after')
    net.heal()
    net.tickAll(3)
    const c = net.peer('c')
    const sent = net.sent.filter((m) => m.type === 'snapshot' && m.to === 'c')
    assert.equal(sent.length, 1)
    assert.deepEqual(sent[0]?.snapshot, snap)
    assert.deepEqual(c.installed, [snap], 'surfaced in Ready.snapshot for the app')
    assert.deepEqual(c.disk.snapshot, snap)
    assert.deepEqual(c.core.status.voters, abc)
    assert.deepEqual(c.appliedData(), ['after'], 'then entries after the snapshot')
    assert.equal(c.core.status.firstIndex, snap.meta.index + 1)
    const ack = net.sent.find((m) => m.type === 'append-resp' && m.from === 'c' && m.index === snap.meta.index)
    assert.ok(ack !== undefined, 'answers at the snapshot index')
    net.propose('a', 'later')
    assert.deepEqual(c.appliedData(), ['after', 'later'])
  })

  it('a new member gets a snapshot when the log it needs is compacted', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    for (let i = 0; i < 3; i++) net.propose('a', `x${i}`)
    const snap = compact(a)
    const d = net.add('d')
    a.core.proposeConfChange({ type: 'add', node: 'd' })
    net.deliver()
    net.tickAll(2)
    assert.deepEqual(d.installed, [snap])
    assert.deepEqual(d.core.status.voters, ['a', 'b', 'c', 'd'])
    net.propose('a', 'y')
    assert.deepEqual(d.appliedData(), ['y'])
    assert.equal(d.core.status.commit, a.core.status.commit)
  })

  it('a failed snapshot transfer is reported and retried; nothing else is sent to that follower meanwhile', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    net.isolate('c')
    for (let i = 0; i < 3; i++) net.propose('a', `x${i}`)
    compact(a)
    net.heal()
    net.dropIf = (m) => m.type === 'snapshot'
    net.tickAll(3)
    assert.equal(net.sent.filter((m) => m.type === 'snapshot').length, 1)
    const appendsBefore = net.sent.filter((m) => m.type === 'append' && m.to === 'c').length
    net.propose('a', 'y')
    net.tickAll(3)
    assert.equal(net.sent.filter((m) => m.type === 'append' && m.to === 'c').length, appendsBefore, 'paused while the snapshot is pending')
    a.core.reportSnapshot('c', false)
    net.dropIf = undefined
    net.tickAll(3)
    assert.equal(net.sent.filter((m) => m.type === 'snapshot').length, 2)
    assert.equal(net.peer('c').installed.length, 1)
    assert.deepEqual(net.peer('c').appliedData(), ['y'])
  })

  it('a follower ignores a snapshot that is not newer than its commit, answering with its commit', () => {
    const b = new Peer('b', [], {}, MemoryDisk.from(persisted(abc, [1, 1, 1], { term: 1, commit: 3 })))
    b.flush()
    b.core.step(msg({ type: 'snapshot', from: 'a', to: 'b', term: 1, snapshot: { meta: { index: 2, term: 1, voters: abc }, data: text('old') } }))
    const out = b.flush()
    assert.deepEqual(out.map((m) => [m.type, m.index, m.reject]), [['append-resp', 3, false]])
    assert.equal(b.installed.length, 0)
    assert.equal(b.core.status.lastIndex, 3)
  })

  it('a follower that already holds the snapshot\'s last entry keeps its log and only commits', () => {
    const b = new Peer('b', [], {}, MemoryDisk.from(persisted(abc, [1, 1, 1, 1], { term: 1, commit: 1 })))
    b.flush()
    b.core.step(msg({ type: 'snapshot', from: 'a', to: 'b', term: 1, snapshot: { meta: { index: 3, term: 1, voters: abc }, data: text('s') } }))
    b.flush()
    assert.equal(b.installed.length, 0)
    assert.equal(b.core.status.commit, 3)
    assert.equal(b.core.status.lastIndex, 4)
    assert.equal(b.appliedIndex, 3)
  })

  it('a conflicting log is replaced by the snapshot, even when it arrives between ready() and advance()', () => {
    const b = new Peer('b', [], {}, MemoryDisk.from(persisted(abc, [1], { term: 1 })))
    b.core.step(msg({ type: 'append', from: 'a', to: 'b', term: 1, index: 1, logTerm: 1, entries: [ent(2, 1), ent(3, 1)] }))
    const rd = b.core.ready()
    b.disk.save(rd)
    const snap: Snapshot = { meta: { index: 5, term: 2, voters: ['a', 'b', 'c', 'd'] }, data: text('s5') }
    b.core.step(msg({ type: 'snapshot', from: 'c', to: 'b', term: 2, snapshot: snap }))
    b.core.step(msg({ type: 'append', from: 'c', to: 'b', term: 2, index: 5, logTerm: 2, entries: [ent(6, 2, 'six')], commit: 6 }))
    b.core.advance()
    b.flush()
    assert.deepEqual(b.installed, [snap])
    assert.deepEqual(b.disk.snapshot, snap)
    assert.deepEqual(b.disk.entries.map((e) => `${e.index}/${e.term}`), ['6/2'])
    assert.deepEqual(b.core.status.voters, ['a', 'b', 'c', 'd'])
    assert.deepEqual(b.appliedData(), ['six'])
    assert.equal(b.core.status.lastIndex, 6)
  })

  it('a leader restarted from a compacted log still serves the snapshot to a follower that is behind', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    net.isolate('c')
    for (let i = 0; i < 3; i++) net.propose('a', `x${i}`)
    const snap = compact(a)
    for (const p of net.peers.values()) p.restart()
    net.heal()
    net.elect('a')
    net.tickAll(3)
    assert.deepEqual(net.peer('c').installed, [snap])
    assert.equal(net.peer('c').core.status.commit, a.core.status.commit)
  })
})
