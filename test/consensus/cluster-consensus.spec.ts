import { strict as assert } from 'node:assert'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { configOf, eventually, restartPeer, startCluster, stopCluster } from '../fixtures/cluster.ts'
import type { Cluster } from '../../src/cluster/cluster.ts'

const CIDS = [
  'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
  'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG',
  'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi'
]

async function leaderOf (peer: Cluster): Promise<string> {
  return peer.rpc.call(undefined, 'Consensus', 'Leader', undefined)
}

async function hasPin (peer: Cluster, cid: string): Promise<boolean> {
  try {
    await peer.rpc.call(undefined, 'Cluster', 'PinGet', cid)
    return true
  } catch (err) {
    if ((err as Error).name === 'PinNotFoundError') return false
    throw err
  }
}

describe('consensus: a 3-peer Raft cluster in one process', function () {
  this.timeout(120_000)
  let peers: Cluster[]

  before(async function () {
    peers = await startCluster(3)
  })

  after(async function () {
    await stopCluster(peers)
  })

  it('every peer knows the same 3 voters and the same leader', async function () {
    const ids = peers.map((p) => p.libp2p.peerId.toString()).sort()
    for (const p of peers) {
      assert.deepEqual([...await p.rpc.call(undefined, 'Consensus', 'Peers', undefined)].sort(), ids)
    }
    const leaders = await Promise.all(peers.map(leaderOf))
    assert.equal(new Set(leaders).size, 1)
  })

  it('a pin made on any peer (forwarded to the leader) is in every peer\'s state', async function () {
    const leader = await leaderOf(peers[0]!)
    const follower = peers.find((p) => p.libp2p.peerId.toString() !== leader)!
    const pin = await follower.rpc.call(undefined, 'Cluster', 'Pin', { cid: CIDS[0]!, options: { name: 'first', replication_factor_min: 1, replication_factor_max: 2 } })
    assert.equal(pin.name, 'first')
    for (const p of peers) await eventually(async () => hasPin(p, CIDS[0]!), `peer ${p.libp2p.peerId.toString()} has the pin`)
    const stored = await peers[2]!.rpc.call(undefined, 'Cluster', 'PinGet', CIDS[0]!)
    assert.equal(stored.replication_factor_max, 2)
    // applying the entry told every peer's tracker: the allocated ones pin it (nobody has the block), the others know it is remote
    for (const p of peers) {
      const expected = stored.allocations.includes(p.libp2p.peerId.toString()) ? ['pin_queued', 'pinning'] : ['remote']
      await eventually(async () => expected.includes((await p.rpc.call(undefined, 'PinTracker', 'Status', CIDS[0]!)).status), 'the tracker tracks it')
    }
  })

  it('an unpin removes it everywhere; unpinning a missing CID is PinNotFoundError', async function () {
    await peers[1]!.rpc.call(undefined, 'Cluster', 'Unpin', CIDS[0]!)
    for (const p of peers) await eventually(async () => !await hasPin(p, CIDS[0]!), 'the pin is gone')
    for (const p of peers) await eventually(async () => (await p.rpc.call(undefined, 'PinTracker', 'Status', CIDS[0]!)).status === 'unpinned', 'the tracker let it go')
    await assert.rejects(peers[0]!.rpc.call(undefined, 'Cluster', 'Unpin', CIDS[0]!), { name: 'PinNotFoundError' })
  })

  it('adding a peer that cannot be reached fails and leaves the peerset as it was', async function () {
    const before = [...await peers[0]!.rpc.call(undefined, 'Consensus', 'Peers', undefined)].sort()
    const stranger = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    await assert.rejects(peers[1]!.rpc.call(undefined, 'Cluster', 'PeerAdd', stranger))
    for (const p of peers) {
      assert.deepEqual([...await p.rpc.call(undefined, 'Consensus', 'Peers', undefined)].sort(), before)
      assert.equal(await p.rpc.call(undefined, 'Consensus', 'IsTrustedPeer', stranger), false)
    }
    // and the cluster still commits with its quorum unchanged
    await peers[2]!.rpc.call(undefined, 'Cluster', 'Pin', { cid: CIDS[2]!, options: {} })
    for (const p of peers) await eventually(async () => hasPin(p, CIDS[2]!), 'everyone has the pin')
    await peers[2]!.rpc.call(undefined, 'Cluster', 'Unpin', CIDS[2]!)
    for (const p of peers) await eventually(async () => !await hasPin(p, CIDS[2]!), 'and the unpin')
  })

  it('a restarted peer keeps its state and catches up on what it missed', async function () {
    await peers[0]!.rpc.call(undefined, 'Cluster', 'Pin', { cid: CIDS[1]!, options: {} })
    for (const p of peers) await eventually(async () => hasPin(p, CIDS[1]!), 'everyone has the second pin')
    const leader = await leaderOf(peers[0]!)
    const i = peers.findIndex((p) => p.libp2p.peerId.toString() !== leader)
    const target = peers[i]!
    await target.stop()
    const other = peers.find((p) => p !== target)!
    await other.rpc.call(undefined, 'Cluster', 'Pin', { cid: CIDS[2]!, options: {} })
    peers[i] = await restartPeer(target)
    await eventually(async () => await hasPin(peers[i]!, CIDS[1]!) && await hasPin(peers[i]!, CIDS[2]!), 'the restarted peer has both pins')
  })

  it('when the leader stops, the others elect a new one and keep committing', async function () {
    const leader = await leaderOf(peers[0]!)
    const i = peers.findIndex((p) => p.libp2p.peerId.toString() === leader)
    await peers[i]!.stop()
    const rest = peers.filter((_, j) => j !== i)
    await eventually(async () => {
      const l = await leaderOf(rest[0]!).catch(() => '')
      return l !== '' && l !== leader
    }, 'a new leader')
    await rest[0]!.rpc.call(undefined, 'Cluster', 'Pin', { cid: CIDS[0]!, options: {} })
    for (const p of rest) await eventually(async () => hasPin(p, CIDS[0]!), 'the survivors commit')
    peers[i] = await restartPeer(peers[i]!)
    await eventually(async () => hasPin(peers[i]!, CIDS[0]!), 'the old leader catches up')
  })

  it('a leader with leave_on_shutdown hands over its leadership and leaves when it stops', async function () {
    const leader = await leaderOf(peers[0]!)
    const i = peers.findIndex((p) => p.libp2p.peerId.toString() === leader)
    const leaving = peers[i]!
    configOf(leaving).cluster.leave_on_shutdown = true
    await leaving.stop()
    const rest = peers.filter((_, j) => j !== i)
    for (const p of rest) {
      const voters = await p.rpc.call(undefined, 'Consensus', 'Peers', undefined)
      assert.deepEqual([...voters].sort(), rest.map((r) => r.libp2p.peerId.toString()).sort())
    }
    const newLeader = await leaderOf(rest[0]!)
    assert.notEqual(newLeader, leader)
    await rest[1]!.rpc.call(undefined, 'Cluster', 'Pin', { cid: CIDS[1]!, options: { name: 'after-leave' } })
    // the stopped peer stays in `peers`: after() removes its folder too
  })
})
