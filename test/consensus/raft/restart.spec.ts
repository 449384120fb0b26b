/** Restarting from what was persisted, bootstrapping, and the Ready contract. */
import { strict as assert } from 'node:assert'
import { RaftCore, RaftRestoreError } from '../../../src/consensus/raft/core.ts'
import { ent, entries, msg, persisted, text } from './support/messages.ts'
import { Net } from './support/net.ts'
import { MemoryDisk } from './support/disk.ts'
import { Peer, defaults } from './support/peer.ts'
import type { RaftRestore } from '../../../src/consensus/raft/types.ts'

const abc = ['a', 'b', 'c']

function restoreFails (restore: RaftRestore, applied?: number): void {
  assert.throws(
    () => new RaftCore({ ...defaults, id: 'a', voters: [], random: () => 0, restore, ...(applied !== undefined ? { applied } : {}) }),
    (err: Error) => err instanceof RaftRestoreError && err.name === 'RaftRestoreError'
  )
}

describe('raft restart', () => {
  it('comes back with its term, vote, log and commit, and does not vote twice in a term', () => {
    const b = new Peer('b', [], {}, MemoryDisk.from(persisted(abc, [1, 1], { term: 1, commit: 1 })))
    b.core.step(msg({ type: 'vote', from: 'a', to: 'b', term: 2, index: 2, logTerm: 1 }))
    b.flush()
    b.restart()
    const s = b.core.status
    assert.equal(s.term, 2)
    assert.equal(s.lastIndex, 2)
    assert.equal(s.commit, 1)
    assert.equal(s.role, 'follower')
    b.core.step(msg({ type: 'vote', from: 'c', to: 'b', term: 2, index: 2, logTerm: 1 }))
    assert.equal(b.flush().find((m) => m.type === 'vote-resp')?.reject, true, 'already voted for a in term 2')
    b.core.step(msg({ type: 'vote', from: 'a', to: 'b', term: 2, index: 2, logTerm: 1 }))
    assert.equal(b.flush().find((m) => m.type === 'vote-resp')?.reject, false, 'a may ask again')
  })

  it('forgets what it never persisted, and never sent anything that depended on it', () => {
    const b = new Peer('b', [], {}, MemoryDisk.from(persisted(abc, [1], { term: 1 })))
    b.core.step(msg({ type: 'vote', from: 'a', to: 'b', term: 2, index: 1, logTerm: 1 }))
    const rd = b.core.ready()
    assert.deepEqual(rd.hardState, { term: 2, vote: 'a', commit: 0 })
    assert.ok(rd.messages.some((m) => m.type === 'vote-resp' && !m.reject), 'the answer goes with the vote it depends on')
    // crash before the write: the answer was never sent either
    b.restart()
    assert.equal(b.core.status.term, 1)
    b.core.step(msg({ type: 'vote', from: 'c', to: 'b', term: 2, index: 1, logTerm: 1 }))
    assert.equal(b.flush().find((m) => m.type === 'vote-resp')?.reject, false)
  })

  it('hands committed entries after the snapshot out again, unless the app says it applied them', () => {
    const restore = persisted(abc, [1, 1, 1, 1], { term: 1, commit: 3 })
    const again = new Peer('a', [], {}, MemoryDisk.from(restore))
    again.flush()
    assert.deepEqual(again.applied.map((e) => e.index), [1, 2, 3])

    const skip = new Peer('a', [], { applied: 2 }, MemoryDisk.from(restore))
    assert.equal(skip.core.status.applied, 2)
    skip.appliedIndex = 2
    skip.flush()
    assert.deepEqual(skip.applied.map((e) => e.index), [3])

    const compacted: RaftRestore = {
      snapshot: { meta: { index: 2, term: 1, voters: abc }, data: text('s') },
      entries: [ent(3, 1), ent(4, 1)],
      hardState: { term: 1, vote: '', commit: 3 }
    }
    // entries the snapshot covers may still be on disk: skipped
    const overlapping = new RaftCore({ ...defaults, id: 'a', voters: [], random: () => 0, restore: { ...compacted, entries: [ent(1, 1), ent(2, 1), ent(3, 1), ent(4, 1)] } })
    assert.equal(overlapping.status.firstIndex, 3)
    assert.equal(overlapping.status.lastIndex, 4)
    restoreFails({ ...compacted, entries: [ent(2, 2), ent(3, 2)], hardState: { term: 2, vote: '', commit: 2 } })
    const fromSnap = new Peer('a', [], {}, MemoryDisk.from(compacted))
    assert.equal(fromSnap.core.status.firstIndex, 3)
    assert.equal(fromSnap.core.status.applied, 2)
    fromSnap.flush()
    assert.deepEqual(fromSnap.applied.map((e) => e.index), [3])
    assert.deepEqual(fromSnap.core.status.voters, abc)
  })

  it('detects a log that cannot be what it wrote', () => {
    const snap = { meta: { index: 0, term: 0, voters: abc }, data: new Uint8Array(0) }
    restoreFails({ snapshot: snap, entries: entries([1, 1]), hardState: { term: 1, vote: '', commit: 3 } })
    restoreFails({ snapshot: snap, entries: [ent(1, 1), ent(3, 1)], hardState: { term: 1, vote: '', commit: 0 } })
    restoreFails({ snapshot: snap, entries: [ent(1, 2), ent(2, 1)], hardState: { term: 2, vote: '', commit: 0 } })
    restoreFails({ snapshot: snap, entries: entries([1, 1]) })
    restoreFails({ snapshot: snap, entries: entries([1, 3]), hardState: { term: 2, vote: '', commit: 0 } })
    restoreFails({ snapshot: { ...snap, meta: { index: 5, term: 2, voters: abc } }, entries: [ent(7, 2)], hardState: { term: 2, vote: '', commit: 5 } })
    restoreFails({ snapshot: snap, entries: [{ ...ent(1, 1), type: 'conf', data: new Uint8Array([7]) }], hardState: { term: 1, vote: '', commit: 0 } })
    restoreFails(persisted(abc, [1, 1], { term: 1, commit: 1 }), 2)
  })

  it('a whole cluster restarted from its disks keeps every committed entry and goes on', () => {
    const net = new Net(abc)
    net.elect('a')
    for (const x of ['x', 'y', 'z']) net.propose('a', x)
    for (const p of net.peers.values()) p.restart()
    for (const p of net.peers.values()) assert.equal(p.core.status.role, 'follower')
    net.elect('b')
    net.propose('b', 'w')
    for (const p of net.peers.values()) assert.deepEqual(p.appliedData(), ['x', 'y', 'z', 'w'], p.id)
  })

  it('a single-node cluster restarts and leads again', () => {
    const p = new Peer('a', ['a'])
    for (let i = 0; i < 2 * defaults.electionTick; i++) p.core.tick()
    p.flush()
    p.core.propose(text('x'))
    p.flush()
    p.restart()
    for (let i = 0; i < 2 * defaults.electionTick; i++) p.core.tick()
    p.flush()
    assert.equal(p.core.status.role, 'leader')
    p.core.propose(text('y'))
    p.flush()
    assert.deepEqual(p.appliedData(), ['x', 'y'])
  })
})

describe('raft bootstrap and the Ready contract', () => {
  it('a fresh member writes the initial configuration as committed entries of term 1, the same whatever the order given', () => {
    const one = new Peer('a', ['c', 'a', 'b', 'a'])
    const two = new Peer('b', ['a', 'b', 'c'])
    const r1 = one.core.ready()
    const r2 = two.core.ready()
    assert.deepEqual(r1.entries, r2.entries)
    assert.equal(r1.entries.length, 3)
    assert.ok(r1.entries.every((e) => e.type === 'conf' && e.term === 1))
    assert.deepEqual(r1.hardState, { term: 1, vote: '', commit: 3 })
    assert.equal(r1.committedEntries.length, 0, 'not before they are persisted')
    one.disk.save(r1)
    one.core.advance()
    assert.deepEqual(one.core.ready().committedEntries.map((e) => e.index), [1, 2, 3])
    assert.deepEqual(one.core.status.voters, abc)
  })

  it('ready() waits for advance(); hasReady() is false meanwhile; advance() needs a ready()', () => {
    const p = new Peer('a', abc)
    assert.ok(p.core.hasReady())
    p.core.ready()
    assert.equal(p.core.hasReady(), false)
    assert.throws(() => p.core.ready())
    p.core.advance()
    assert.throws(() => p.core.advance())
  })

  it('state changed between ready() and advance() comes out in the next Ready', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    const rd = a.core.ready()
    a.core.propose(text('x'))
    a.core.tick()
    a.disk.save(rd)
    a.core.advance()
    assert.ok(a.core.hasReady())
    const next = a.core.ready()
    assert.equal(next.entries.length, 1)
    assert.ok(next.messages.some((m) => m.type === 'append' && m.entries.length === 1))
    a.disk.save(next)
    a.core.advance()
    net.inject([...rd.messages, ...next.messages])
    assert.deepEqual(net.peer('c').appliedData(), ['x'])
  })
})
