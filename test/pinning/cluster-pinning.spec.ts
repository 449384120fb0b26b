import { strict as assert } from 'node:assert'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { eventually, metricsReady, startCluster, stopCluster } from '../fixtures/cluster.ts'
import { randomSecret } from '../fixtures/hosts.ts'
import { GLOBAL_PIN_INFO_FIELDS, PIN_INFO_SHORT_FIELDS } from '../fixtures/status.ts'
import type { Cluster } from '../../src/cluster/cluster.ts'
import type { GlobalPinInfoJson, TrackerStatus } from '../../src/api/types.ts'

const idOf = (p: Cluster): string => p.libp2p.peerId.toString()

/** A three-block DAG (a dag-cbor root linking two raw leaves) stored on one peer's IPFS node only. */
async function addDag (peer: Cluster, label: string): Promise<string> {
  const put = async (data: Uint8Array, codec: string): Promise<string> => peer.rpc.call(undefined, 'IPFSConnector', 'BlockPut', { data, codec })
  const leaves = await Promise.all([1, 2].map(async (i) => put(new TextEncoder().encode(`${label} leaf ${i} ${Math.random()}`), 'raw')))
  return put(dagCbor.encode({ label, leaves: leaves.map((c) => CID.parse(c)) }), 'dag-cbor')
}

function statuses (g: GlobalPinInfoJson): Record<string, TrackerStatus> {
  return Object.fromEntries(Object.entries(g.peer_map).map(([peer, info]) => [peer, info.status]))
}

async function untilStatuses (peer: Cluster, cid: string, check: (s: Record<string, TrackerStatus>) => boolean, what: string): Promise<Record<string, TrackerStatus>> {
  let last: Record<string, TrackerStatus> = {}
  await eventually(async () => check(last = statuses(await peer.rpc.call(undefined, 'Cluster', 'Status', cid))), `${what} (last: ${JSON.stringify(last)})`, 60_000)
  return last
}

const count = (s: Record<string, TrackerStatus>, status: TrackerStatus): number => Object.values(s).filter((x) => x === status).length

async function ipfsHolds (peer: Cluster, cid: string): Promise<boolean> {
  return await peer.rpc.call(undefined, 'IPFSConnector', 'PinLsCid', cid) === 'recursive'
}

describe('pinning: 3 peers with embedded IPFS nodes', function () {
  this.timeout(180_000)
  let peers: Cluster[]

  before(async function () {
    peers = await startCluster(3, randomSecret(), (config) => {
      config.cluster.disable_repinning = false
      config.cluster.state_sync_interval = 300
    })
    await metricsReady(peers)
  })

  after(async function () {
    await stopCluster(peers)
  })

  it('content on one IPFS node pinned with replication 2 ends pinned on exactly 2 peers, fetched over bitswap', async function () {
    const [a, b, c] = peers as [Cluster, Cluster, Cluster]
    const cid = await addDag(a, 'replication-2')
    // allocated away from the only node that has the blocks: both must fetch them
    const pin = await c.rpc.call(undefined, 'Cluster', 'Pin', { cid, options: { replication_factor_min: 2, replication_factor_max: 2, user_allocations: [idOf(b), idOf(c)] } })
    assert.deepEqual([...pin.allocations].sort(), [idOf(b), idOf(c)].sort())
    const s = await untilStatuses(a, cid, (s) => count(s, 'pinned') === 2, 'pinned on 2 peers')
    assert.equal(s[idOf(a)], 'remote')
    assert.equal(await ipfsHolds(b, cid), true)
    assert.equal(await ipfsHolds(c, cid), true)
    assert.equal(await ipfsHolds(a, cid), false)
  })

  it('the balanced allocator spreads replication 2 over 2 of the 3 peers', async function () {
    const cid = await addDag(peers[1]!, 'allocator')
    const pin = await peers[0]!.rpc.call(undefined, 'Cluster', 'Pin', { cid, options: { replication_factor_min: 2, replication_factor_max: 2 } })
    assert.equal(pin.allocations.length, 2)
    const s = await untilStatuses(peers[2]!, cid, (s) => count(s, 'pinned') === 2, 'pinned on its 2 allocations')
    for (const p of peers) assert.equal(s[idOf(p)], pin.allocations.includes(idOf(p)) ? 'pinned' : 'remote')
  })

  it('replication -1 pins on every peer', async function () {
    const cid = await addDag(peers[2]!, 'everywhere')
    const pin = await peers[0]!.rpc.call(undefined, 'Cluster', 'Pin', { cid, options: { replication_factor_min: -1, replication_factor_max: -1 } })
    assert.deepEqual(pin.allocations, [])
    await untilStatuses(peers[1]!, cid, (s) => count(s, 'pinned') === 3, 'pinned everywhere')
    for (const p of peers) assert.equal(await ipfsHolds(p, cid), true)
  })

  it('a pin removed behind the cluster\'s back is unexpectedly_unpinned, and recover pins it again', async function () {
    const cid = await addDag(peers[0]!, 'behind-the-back')
    await peers[0]!.rpc.call(undefined, 'Cluster', 'Pin', { cid, options: {} })
    await untilStatuses(peers[0]!, cid, (s) => count(s, 'pinned') === 3, 'pinned everywhere')
    const victim = peers[1]!
    await victim.rpc.call(undefined, 'IPFSConnector', 'Unpin', cid)
    const s = await untilStatuses(peers[0]!, cid, (s) => s[idOf(victim)] === 'unexpectedly_unpinned', 'the cluster sees the lost pin')
    assert.equal(count(s, 'pinned'), 2)
    const recovered = await peers[2]!.rpc.call(undefined, 'Cluster', 'Recover', cid)
    assert.ok(['pin_queued', 'pinning', 'pinned'].includes(recovered.peer_map[idOf(victim)]?.status ?? ''), JSON.stringify(recovered.peer_map[idOf(victim)]))
    await untilStatuses(peers[0]!, cid, (s) => count(s, 'pinned') === 3, 'pinned everywhere again')
    assert.equal(await ipfsHolds(victim, cid), true)
  })

  it('an impossible allocation is refused with how many peers were needed and available, and changes nothing', async function () {
    const cid = await addDag(peers[0]!, 'impossible')
    await assert.rejects(peers[1]!.rpc.call(undefined, 'Cluster', 'Pin', { cid, options: { replication_factor_min: 4, replication_factor_max: 5 } }), (err: Error) => {
      assert.equal(err.name, 'InsufficientAllocationsError')
      assert.match(err.message, /Needed at least: 4/)
      assert.match(err.message, /Available candidates: 3/)
      return true
    })
    await assert.rejects(peers[0]!.rpc.call(undefined, 'Cluster', 'PinGet', cid), { name: 'PinNotFoundError' })
  })

  it('a pin whose expire_at passes is unpinned by the cluster', async function () {
    const cid = await addDag(peers[0]!, 'expiring')
    const expireAt = new Date(Date.now() + 2000).toISOString()
    await peers[0]!.rpc.call(undefined, 'Cluster', 'Pin', { cid, options: { expire_at: expireAt } })
    const inPinset = async (): Promise<boolean> => {
      try {
        await peers[1]!.rpc.call(undefined, 'Cluster', 'PinGet', cid)
        return true
      } catch (err) {
        if ((err as Error).name === 'PinNotFoundError') return false
        throw err
      }
    }
    await eventually(inPinset, 'the pin reaches every peer')
    await eventually(async () => !await inPinset(), 'the expired pin leaves the pinset', 30_000)
    assert.ok(Date.now() >= Date.parse(expireAt), 'not before it expired')
    for (const p of peers) await eventually(async () => !await ipfsHolds(p, cid), 'and the IPFS nodes unpin it')
  })

  it('pin-update pins the new CID with the old pin\'s options and allocations, keeping the old pin', async function () {
    const [a, b, c] = peers as [Cluster, Cluster, Cluster]
    const from = await addDag(a, 'update-from')
    const to = await addDag(a, 'update-to')
    await a.rpc.call(undefined, 'Cluster', 'Pin', { cid: from, options: { name: 'site', replication_factor_min: 2, replication_factor_max: 2, user_allocations: [idOf(b), idOf(c)], metadata: { v: '1' } } })
    const updated = await b.rpc.call(undefined, 'Cluster', 'Pin', { cid: to, options: { pin_update: from, metadata: { v: '2' } } })
    assert.equal(updated.name, 'site')
    assert.equal(updated.pin_update, from)
    assert.deepEqual(updated.metadata, { v: '2' })
    assert.deepEqual([...updated.allocations].sort(), [idOf(b), idOf(c)].sort())
    await untilStatuses(a, to, (s) => count(s, 'pinned') === 2, 'the new CID pinned on the same peers')
    assert.equal((await a.rpc.call(undefined, 'Cluster', 'PinGet', from)).cid, from)
    await a.rpc.call(undefined, 'Cluster', 'Unpin', to)
    await a.rpc.call(undefined, 'Cluster', 'Unpin', from)
  })

  it('pins and unpins by IPFS path, resolved by the IPFS node', async function () {
    const root = await addDag(peers[2]!, 'by-path')
    const leaf = (dagCbor.decode(await peers[2]!.rpc.call(undefined, 'IPFSConnector', 'BlockGet', root)) as { leaves: CID[] }).leaves[1]!.toString()
    const pin = await peers[2]!.rpc.call(undefined, 'Cluster', 'PinPath', { path: `/ipfs/${root}/leaves/1`, options: { name: 'leaf' } })
    assert.equal(pin.cid, leaf)
    await untilStatuses(peers[0]!, leaf, (s) => count(s, 'pinned') === 3, 'the leaf pinned everywhere')
    await assert.rejects(peers[2]!.rpc.call(undefined, 'Cluster', 'PinPath', { path: `/nope/${root}`, options: {} }), { name: 'PinValidationError' })
    const unpinned = await peers[2]!.rpc.call(undefined, 'Cluster', 'UnpinPath', `/ipfs/${root}/leaves/1`)
    assert.equal(unpinned.cid, leaf)
    await untilStatuses(peers[0]!, leaf, (s) => count(s, 'unpinned') === 3, 'unpinned everywhere')
  })

  it('ipfs gc runs on every peer and removes only unpinned blocks', async function () {
    const keep = await addDag(peers[0]!, 'kept')
    await peers[0]!.rpc.call(undefined, 'Cluster', 'Pin', { cid: keep, options: {} })
    await untilStatuses(peers[0]!, keep, (s) => count(s, 'pinned') === 3, 'pinned everywhere')
    const loose = await peers[0]!.rpc.call(undefined, 'IPFSConnector', 'BlockPut', { data: new TextEncoder().encode(`loose ${Math.random()}`), codec: 'raw' })
    const gc = await peers[1]!.rpc.call(undefined, 'Cluster', 'RepoGC', undefined)
    assert.deepEqual(Object.keys(gc.peer_map).sort(), peers.map(idOf).sort())
    const mine = gc.peer_map[idOf(peers[0]!)]!
    assert.equal(mine.error, '')
    assert.ok(mine.keys.some((k) => k.key === loose), 'the loose block was collected')
    assert.ok(!mine.keys.some((k) => k.key === keep), 'the pinned root was kept')
    assert.equal(await ipfsHolds(peers[0]!, keep), true)
  })

  it('GET /pins streams every pin with every peer\'s status', async function () {
    const res = await fetch(`${peers[0]!.restApiUrls[0]}/pins`)
    assert.equal(res.status, 200)
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as GlobalPinInfoJson)
    const pinset: string[] = []
    for await (const pin of peers[0]!.rpc.stream(undefined, 'Cluster', 'Pins', undefined)) pinset.push(pin.cid)
    assert.deepEqual(lines.map((g) => g.cid), pinset)
    assert.deepEqual(lines.map((g) => g.cid), [...lines.map((g) => g.cid)].sort())
    for (const g of lines) assert.deepEqual(Object.keys(g.peer_map).sort(), peers.map(idOf).sort())
    // the other peers' parts come from their status ranges: their names, IPFS Cluster's field order
    const names = new Map(await Promise.all(peers.map(async (p) => [idOf(p), (await p.rpc.call(undefined, 'Cluster', 'ID', undefined)).peername] as const)))
    for (const g of lines) {
      assert.deepEqual(Object.keys(g), GLOBAL_PIN_INFO_FIELDS)
      for (const [peer, short] of Object.entries(g.peer_map)) {
        assert.equal(short.peername, names.get(peer))
        assert.deepEqual(Object.keys(short), PIN_INFO_SHORT_FIELDS)
      }
    }
  })

  it('a stopped peer raises an alert, and with re-pinning on its pins are allocated and pinned elsewhere', async function () {
    const leader = await peers[0]!.rpc.call(undefined, 'Consensus', 'Leader', undefined)
    const i = peers.findIndex((p) => idOf(p) !== leader)
    const lost = peers[i]!
    const rest = peers.filter((p) => p !== lost)
    const cid = await addDag(rest[0]!, 'repin')
    await rest[0]!.rpc.call(undefined, 'Cluster', 'Pin', { cid, options: { replication_factor_min: 2, replication_factor_max: 2, user_allocations: [idOf(lost), idOf(rest[0]!)] } })
    await untilStatuses(rest[0]!, cid, (s) => count(s, 'pinned') === 2, 'pinned on the peer about to stop and another')
    await lost.stop()
    await eventually(async () => (await rest[0]!.rpc.call(undefined, 'Cluster', 'Alerts', undefined)).some((a) => a.name === 'ping' && a.peer === idOf(lost)), 'an alert for the stopped peer', 30_000)
    await eventually(async () => {
      const pin = await rest[1]!.rpc.call(undefined, 'Cluster', 'PinGet', cid)
      return !pin.allocations.includes(idOf(lost)) && pin.allocations.length === 2
    }, 'the pin is re-allocated away from the stopped peer', 30_000)
    for (const p of rest) await eventually(async () => ipfsHolds(p, cid), 'the new allocation pins it', 30_000)
  })
})

describe('pinning: a full pin queue', function () {
  this.timeout(60_000)
  let peers: Cluster[]

  before(async function () {
    peers = await startCluster(1, randomSecret(), (config) => {
      config.pin_tracker.stateless.max_pin_queue_size = 1
      config.pin_tracker.stateless.concurrent_pins = 1
    })
    await metricsReady(peers)
  })

  after(async function () {
    await stopCluster(peers)
  })

  it('a pin that does not fit in the queue shows the queue-full error in its status', async function () {
    const peer = peers[0]!
    // blocks nobody has: pinning them waits for pin_timeout, holding the one worker and the one queue slot
    const missing = await Promise.all([1, 2, 3].map(async (i) => CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(`nobody has ${i} ${Math.random()}`))).toString()))
    for (const cid of missing) await peer.rpc.call(undefined, 'Cluster', 'Pin', { cid, options: {} })
    await eventually(async () => {
      const infos = await Promise.all(missing.map(async (cid) => peer.rpc.call(undefined, 'Cluster', 'StatusLocal', cid)))
      return infos.some((i) => i.status === 'pin_error' && /queue is full/.test(i.error))
    }, 'one pin reports the full queue')
  })
})
