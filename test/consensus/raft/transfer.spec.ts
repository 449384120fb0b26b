/** Leadership transfer (dissertation §3.10). */
import { strict as assert } from 'node:assert'
import { LeadershipTransferError, NotLeaderError } from '../../../src/consensus/raft/core.ts'
import { text } from './support/messages.ts'
import { Net } from './support/net.ts'
import { defaults } from './support/peer.ts'

const abc = ['a', 'b', 'c']

describe('raft §3.10 leadership transfer', () => {
  it('hands over to an up-to-date follower at once: timeout-now, then an election that skips pre-vote and the lease', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    const term = a.core.status.term
    net.propose('a', 'x')
    const from = net.sent.length
    a.core.transferLeadership('b')
    net.deliver()
    const sent = net.sent.slice(from)
    assert.equal(sent[0]?.type, 'timeout-now')
    assert.equal(sent[0]?.to, 'b')
    assert.equal(sent.filter((m) => m.type === 'prevote').length, 0, 'no pre-vote')
    const votes = sent.filter((m) => m.type === 'vote')
    assert.ok(votes.length === 2 && votes.every((m) => m.transfer === true && m.term === term + 1))
    const b = net.peer('b')
    assert.equal(b.core.status.role, 'leader')
    assert.equal(b.core.status.term, term + 1)
    assert.equal(a.core.status.role, 'follower')
    assert.equal(a.core.status.leader, 'b')
    net.propose('b', 'y')
    for (const p of net.peers.values()) assert.deepEqual(p.appliedData(), ['x', 'y'])
  })

  it('brings a lagging target up to date before telling it to campaign', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    net.isolate('c')
    net.propose('a', 'x')
    net.propose('a', 'y')
    net.heal()
    const from = net.sent.length
    a.core.transferLeadership('c')
    net.tickAll(3)
    const sent = net.sent.slice(from)
    const timeoutNow = sent.findIndex((m) => m.type === 'timeout-now')
    const caughtUp = sent.findIndex((m) => m.type === 'append-resp' && m.from === 'c' && !m.reject && m.index === a.core.status.lastIndex - 1)
    assert.ok(caughtUp >= 0 && timeoutNow > caughtUp, 'timeout-now only once c holds everything')
    assert.equal(net.peer('c').core.status.role, 'leader')
    assert.deepEqual(net.peer('c').appliedData(), ['x', 'y'])
  })

  it('takes no proposals while transferring, and gives up after an election timeout', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    net.isolate('b')
    a.core.transferLeadership('b')
    assert.throws(() => a.core.propose(text('x')), (err: Error) => {
      assert.ok(err instanceof LeadershipTransferError)
      assert.ok(err instanceof NotLeaderError, 'a kind of NotLeaderError')
      assert.equal(err.name, 'LeadershipTransferError')
      assert.equal(err.transferee, 'b')
      return true
    })
    assert.throws(() => a.core.proposeConfChange({ type: 'add', node: 'd' }), LeadershipTransferError)
    for (let i = 0; i < defaults.electionTick; i++) {
      net.tick('a')
      net.deliver()
    }
    assert.equal(a.core.status.role, 'leader')
    assert.doesNotThrow(() => a.core.propose(text('x')))
    net.deliver()
    assert.deepEqual(net.peer('c').appliedData(), ['x'])
  })

  it('refuses a transfer from a follower or to a non-voter; to itself it is a no-op', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    assert.throws(() => net.peer('b').core.transferLeadership('c'), NotLeaderError)
    assert.throws(() => a.core.transferLeadership('z'), RangeError)
    a.core.transferLeadership('a')
    assert.doesNotThrow(() => a.core.propose(text('x')))
  })

  it('refuses to transfer to a server whose removal is under way', () => {
    const net = new Net(abc)
    const a = net.elect('a')
    net.dropIf = (m) => m.type === 'append'
    a.core.proposeConfChange({ type: 'remove', node: 'c' })
    assert.throws(() => a.core.transferLeadership('c'), RangeError)
  })
})
