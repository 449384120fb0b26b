/** §5.3 Log replication: log matching, conflict resolution, pipelining and batching. */
import { strict as assert } from 'node:assert'
import { ent, msg, persisted, text } from './support/messages.ts'
import { Net } from './support/net.ts'
import { MemoryDisk } from './support/disk.ts'
import { Peer } from './support/peer.ts'
import type { Entry, Message } from '../../../src/consensus/raft/types.ts'

const abc = ['a', 'b', 'c']

function appendsTo (msgs: Message[], to: string): Message[] {
  return msgs.filter((m) => m.type === 'append' && m.to === to)
}

function keys (es: Entry[]): string[] {
  return es.map((e) => `${e.index}/${e.term}`)
}

describe('raft §5.3 log replication', () => {
  it('the leader replicates proposals; every member applies them once, in order', () => {
    const net = new Net(abc)
    net.elect('a')
    for (const x of ['x', 'y', 'z']) net.propose('a', x)
    for (const p of net.peers.values()) {
      assert.deepEqual(p.appliedData(), ['x', 'y', 'z'], p.id)
      assert.deepEqual(keys(p.disk.entries), keys(net.peer('a').disk.entries))
    }
  })

  it('a follower rejects an append whose previous entry it does not hold, hinting where to retry', () => {
    // the follower's log: terms [1, 2], commit 1
    const cases = [
      { index: 0, logTerm: 0, reject: false, respIndex: 1 },
      { index: 1, logTerm: 1, reject: false, respIndex: 1 },
      { index: 2, logTerm: 2, reject: false, respIndex: 2 },
      { index: 2, logTerm: 1, reject: true, hint: 1, hintTerm: 1 },
      { index: 3, logTerm: 3, reject: true, hint: 2, hintTerm: 2 }
    ]
    for (const c of cases) {
      const p = new Peer('b', [], {}, MemoryDisk.from(persisted(abc, [1, 2], { term: 2, commit: 1 })))
      p.core.step(msg({ type: 'append', from: 'a', to: 'b', term: 2, index: c.index, logTerm: c.logTerm, commit: 1 }))
      const resp = p.flush().find((m) => m.type === 'append-resp')
      assert.ok(resp !== undefined)
      assert.equal(resp.reject, c.reject, JSON.stringify(c))
      if (c.reject) {
        assert.equal(resp.index, c.index, 'names the append it rejects')
        assert.equal(resp.rejectHint, c.hint)
        assert.equal(resp.logTerm, c.hintTerm)
      } else {
        assert.equal(resp.index, c.respIndex)
      }
    }
  })

  it('a follower replaces conflicting entries and everything after them, and keeps what matches', () => {
    const cases: Array<{ index: number, logTerm: number, ents: Entry[], terms: number[], written: string[] }> = [
      { index: 2, logTerm: 2, ents: [ent(3, 3)], terms: [1, 2, 3], written: ['3/3'] },
      { index: 1, logTerm: 1, ents: [ent(2, 3), ent(3, 4)], terms: [1, 3, 4], written: ['2/3', '3/4'] },
      { index: 0, logTerm: 0, ents: [ent(1, 1, 'e1t1')], terms: [1, 2], written: [] },
      { index: 0, logTerm: 0, ents: [ent(1, 3)], terms: [3], written: ['1/3'] }
    ]
    for (const c of cases) {
      const p = new Peer('b', [], {}, MemoryDisk.from(persisted(abc, [1, 2], { term: 2 })))
      p.core.step(msg({ type: 'append', from: 'a', to: 'b', term: 4, index: c.index, logTerm: c.logTerm, entries: c.ents }))
      const rd = p.core.ready()
      assert.deepEqual(keys(rd.entries), c.written, JSON.stringify(c.terms))
      const resp = rd.messages.find((m) => m.type === 'append-resp')
      assert.equal(resp?.reject, false)
      assert.equal(resp?.index, c.index + c.ents.length)
      p.disk.save(rd)
      p.core.advance()
      assert.deepEqual(p.disk.terms(), c.terms)
    }
  })

  it('the leader backs up (a term at a time) and brings each follower of Figure 7 to its log', () => {
    const leaderLog = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6]
    const followers: Record<string, number[]> = {
      a: [1, 1, 1, 4, 4, 5, 5, 6, 6],
      b: [1, 1, 1, 4],
      c: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
      d: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
      e: [1, 1, 1, 4, 4, 4, 4],
      f: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]
    }
    for (const [name, log] of Object.entries(followers)) {
      const ids = ['l', 'f', 'n']
      const net = new Net([])
      net.add('l', {}, MemoryDisk.from(persisted(ids, leaderLog, { term: 7 })))
      net.add('f', {}, MemoryDisk.from(persisted(ids, log, { term: 7 })))
      net.add('n', {}, MemoryDisk.from(persisted(ids, leaderLog, { term: 7 })))
      const l = net.elect('l')
      assert.equal(l.core.status.term, 8)
      const f = net.peer('f')
      assert.deepEqual(f.disk.terms(), l.disk.terms(), `follower (${name})`)
      assert.deepEqual(f.disk.entries.map((e) => e.data), l.disk.entries.map((e) => e.data))
      const rejections = net.sent.filter((m) => m.type === 'append-resp' && m.from === 'f' && m.reject).length
      assert.ok(rejections <= 2, `follower (${name}) took ${rejections} rejections`)
    }
  })

  it('batches the proposals made between two Readies into one write and one append per follower', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    const writes = a.disk.writes
    for (let i = 0; i < 100; i++) a.core.propose(text(`p${i}`))
    const rd = a.core.ready()
    assert.equal(rd.entries.length, 100)
    assert.equal(appendsTo(rd.messages, 'b').length, 1)
    assert.equal(appendsTo(rd.messages, 'c').length, 1)
    assert.equal(appendsTo(rd.messages, 'b')[0]?.entries.length, 100)
    a.disk.save(rd)
    a.core.advance()
    assert.equal(a.disk.writes, writes + 1)
    net.inject(rd.messages)
    assert.equal(net.peer('b').appliedData().length, 100)
  })

  it('pipelines appends to a replicating follower, up to maxInflight unacknowledged', () => {
    const net = new Net(abc, { maxInflight: 3 })
    const a = net.elect('a')
    const sentBefore = net.sent.length
    const held: Message[] = []
    for (let i = 0; i < 5; i++) {
      a.core.propose(text(`p${i}`))
      held.push(...net.take())
    }
    assert.equal(appendsTo(held, 'b').length, 3, 'three in flight, then it waits')
    assert.deepEqual(appendsTo(held, 'b').map((m) => m.entries.length), [1, 1, 1])
    net.inject(held)
    assert.deepEqual(net.peer('b').appliedData(), ['p0', 'p1', 'p2', 'p3', 'p4'])
    // the first ack freed a slot for one append carrying both entries held back
    assert.deepEqual(appendsTo(net.sent.slice(sentBefore), 'b').filter((m) => m.entries.length > 0).map((m) => m.entries.length), [1, 1, 1, 2])
  })

  it('caps the data bytes of one append at maxMessageBytes', () => {
    const net = new Net(abc, { maxMessageBytes: 100 })
    const a = net.elect('a')
    for (let i = 0; i < 10; i++) a.core.propose(new Uint8Array(40))
    const out = net.take()
    const sizes = appendsTo(out, 'b').map((m) => m.entries.reduce((n, e) => n + e.data.byteLength, 0))
    assert.deepEqual(sizes, [80, 80, 80, 80, 80])
    net.inject(out)
    assert.equal(net.peer('b').applied.filter((e) => e.data.byteLength === 40).length, 10)
  })

  it('the leader counts itself towards a majority only for entries it has persisted (advanced)', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    net.isolate('c')
    const { index } = a.core.propose(text('x'))
    const rd = a.core.ready()
    // b persists and acknowledges before the leader's own write is done
    const b = net.peer('b')
    for (const m of rd.messages.filter((m) => m.to === 'b')) b.core.step(m)
    for (const m of b.flush()) if (m.to === 'a') a.core.step(m)
    assert.ok(a.core.status.commit < index, 'one copy of three: not committed')
    a.disk.save(rd)
    a.core.advance()
    assert.equal(a.core.status.commit, index)

    const solo = new Peer('s', ['s'])
    for (let i = 0; i < 20; i++) solo.core.tick()
    solo.flush()
    const at = solo.core.propose(text('y'))
    assert.ok(solo.core.status.commit < at.index)
    const rd2 = solo.core.ready()
    assert.equal(rd2.committedEntries.length, 0)
    solo.disk.save(rd2)
    solo.core.advance()
    assert.equal(solo.core.status.commit, at.index, 'committed on its own persisted copy')
    solo.flush()
    assert.deepEqual(solo.appliedData(), ['y'])
  })

  it('a follower acknowledges entries in the same Ready that persists them', () => {
    const net = new Net(abc)
    net.elect('a')
    const b = net.peer('b')
    const readies = b.readies.length
    net.propose('a', 'x')
    const withEntry = b.readies.slice(readies).find((rd) => rd.entries.some((e) => new TextDecoder().decode(e.data) === 'x'))
    assert.ok(withEntry !== undefined)
    const ack = withEntry.messages.find((m) => m.type === 'append-resp')
    assert.equal(ack?.index, withEntry.entries.at(-1)?.index)
  })

  it('heartbeats carry only the commit a follower is known to hold', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    net.isolate('c')
    net.propose('a', 'x')
    net.propose('a', 'y')
    const matchC = net.peer('c').core.status.lastIndex
    net.take()
    net.tick('a')
    const hb = net.take().filter((m) => m.type === 'heartbeat')
    assert.equal(hb.find((m) => m.to === 'b')?.commit, a.core.status.commit)
    assert.equal(hb.find((m) => m.to === 'c')?.commit, matchC)
  })

  it('probes a lagging follower with one append at a time until it answers', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    net.isolate('c')
    for (let i = 0; i < 3; i++) net.propose('a', `x${i}`)
    net.heal()
    // c is back: a rejection puts c in probe state, then proposals do not flood it
    a.core.reportUnreachable('c')
    const before = appendsTo(net.sent, 'c').length
    for (let i = 0; i < 5; i++) a.core.propose(text(`y${i}`))
    const out = net.take()
    assert.equal(appendsTo(out, 'c').length, 1, 'a single probe')
    assert.equal(appendsTo(net.sent, 'c').length, before + 1)
    net.inject(out)
    assert.equal(net.peer('c').appliedData().length, 8)
  })

  it('a late duplicate of an old rejection does not make the leader resend', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    net.isolate('c')
    net.propose('a', 'x')
    net.heal()
    net.propose('a', 'y')
    const rejection = net.sent.find((m) => m.type === 'append-resp' && m.from === 'c' && m.reject)
    assert.ok(rejection !== undefined)
    net.tickAll(2)
    assert.deepEqual(net.peer('c').appliedData(), ['x', 'y'])
    const appends = appendsTo(net.sent, 'c').length
    a.core.step(rejection)
    assert.equal(appendsTo(net.take(), 'c').length, 0)
    assert.equal(appendsTo(net.sent, 'c').length, appends)
  })

  it('proposals go to the leader only', () => {
    const net = new Net(abc)
    net.elect('a')
    assert.throws(() => net.peer('b').core.propose(text('x')), (err: Error & { leader?: string }) => err.name === 'NotLeaderError' && err.leader === 'a')
    const fresh = new Peer('z', abc)
    assert.throws(() => fresh.core.propose(text('x')), (err: Error & { leader?: string }) => err.name === 'NotLeaderError' && err.leader === '')
  })

  it('drops malformed and misaddressed messages', () => {
    const net = new Net(abc)
    net.elect('a')
    const b = net.peer('b')
    const before = b.core.status
    // a gap in the entries, an entry from a future term, a message for someone else
    b.core.step(msg({ type: 'append', from: 'a', to: 'b', term: before.term, index: before.lastIndex, logTerm: before.term, entries: [ent(before.lastIndex + 2, before.term)] }))
    b.core.step(msg({ type: 'append', from: 'a', to: 'b', term: before.term, index: before.lastIndex, logTerm: before.term, entries: [ent(before.lastIndex + 1, before.term + 1)] }))
    b.core.step(msg({ type: 'append', from: 'a', to: 'c', term: before.term, index: before.lastIndex, logTerm: before.term, entries: [ent(before.lastIndex + 1, before.term)] }))
    b.core.step({ ...msg({ type: 'heartbeat', from: 'a', to: 'b', term: -1 }) })
    assert.equal(b.flush().length, 0)
    assert.deepEqual(b.core.status, before)
  })
})
