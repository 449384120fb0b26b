/**
 * Fault tests on real daemon processes: kill -9, restarts, snapshots. Every
 * write the cluster acknowledged must survive.
 */
import { strict as assert } from 'node:assert'
import { createWriteStream } from 'node:fs'
import { join } from 'node:path'
import { ProcessCluster, cidFor, pinThrough, pinsetOf } from '../fixtures/process-cluster.ts'
import { eventually } from '../fixtures/cluster.ts'
import { CTL_BIN, SERVICE_BIN, run } from '../fixtures/processes.ts'
import { once } from 'node:events'
import type { ProcessPeer } from '../fixtures/process-cluster.ts'

async function waitForLeader (cluster: ProcessCluster, among: ProcessPeer[], not?: string, timeoutMs = 30_000): Promise<string> {
  let leader = ''
  await eventually(() => {
    const seen = among.map((p) => cluster.leaderSeenBy(p))
    leader = seen[0] ?? ''
    return leader !== '' && leader !== not && seen.every((s) => s === leader)
  }, 'the peers agree on a leader', timeoutMs)
  return leader
}

async function sameEverywhere (peers: ProcessPeer[], expected: Set<string>): Promise<void> {
  await eventually(async () => {
    for (const p of peers) {
      const pins = await pinsetOf(p)
      for (const cid of expected) if (!pins.has(cid)) return false
    }
    return true
  }, 'every peer holds every acknowledged pin', 60_000)
}

describe('consensus: real daemon processes', function () {
  this.timeout(300_000)

  describe('3 peers', function () {
    let cluster: ProcessCluster

    before(async function () {
      cluster = await ProcessCluster.create(3, { electionTimeoutMs: 1000 })
      await cluster.startAll()
    })

    after(async function () {
      await cluster?.destroy()
    })

    it('kill -9 of the leader while a client streams writes loses no acknowledged pin; a new leader comes within 3 election timeouts', async function () {
      const leader = await waitForLeader(cluster, cluster.peers)
      const victim = cluster.peers.find((p) => p.id === leader)!
      const survivors = cluster.peers.filter((p) => p !== victim)
      const acked = new Set<string>()
      let n = 0
      let killedAt = 0
      const writer = (async () => {
        while (acked.size < 120) {
          const cid = await cidFor(`kill-leader-${n++}`)
          const targets = killedAt === 0 ? cluster.peers : survivors
          if (await pinThrough(targets[n % targets.length]!, cid)) acked.add(cid)
        }
      })()
      await eventually(() => acked.size >= 40, '40 writes acknowledged')
      killedAt = Date.now()
      await cluster.kill(victim)
      const newLeader = await waitForLeader(cluster, survivors, leader)
      const took = Date.now() - killedAt
      assert.notEqual(newLeader, leader)
      // the bound: a new leader within 3x the election timeout (timeouts are randomized in [T, 2T))
      assert.ok(took <= 3 * cluster.electionTimeoutMs, `new leader after ${took} ms`)
      await writer
      await cluster.start(victim)
      await sameEverywhere(cluster.peers, acked)
    })

    it('stopping and restarting every peer keeps the state', async function () {
      const before = await pinsetOf(cluster.peers[0]!)
      assert.ok(before.size >= 120)
      for (const p of cluster.peers) assert.equal(await cluster.stop(p), 0)
      await cluster.startAll()
      await sameEverywhere(cluster.peers, before)
      for (const p of cluster.peers) assert.equal((await pinsetOf(p)).size, before.size)
    })
  })

  describe('5 peers', function () {
    let cluster: ProcessCluster

    before(async function () {
      cluster = await ProcessCluster.create(5, { electionTimeoutMs: 1000 })
      await cluster.startAll()
    })

    after(async function () {
      await cluster?.destroy()
    })

    it('the minority side of a partition cannot commit, the majority can, and after healing all agree', async function () {
      const leader = await waitForLeader(cluster, cluster.peers)
      // the old leader on the minority side
      const minority = [cluster.peers.find((p) => p.id === leader)!, ...cluster.peers.filter((p) => p.id !== leader).slice(0, 1)]
      const majority = cluster.peers.filter((p) => !minority.includes(p))
      await cluster.partition(minority, majority)

      const newLeader = await waitForLeader(cluster, majority, leader)
      assert.ok(majority.some((p) => p.id === newLeader))
      const acked = await cidFor('majority-write')
      assert.ok(await pinThrough(majority[0]!, acked), 'the majority commits')
      const refused = await cidFor('minority-write')
      assert.equal(await pinThrough(minority[1]!, refused, AbortSignal.timeout(5000)), false, 'the minority cannot commit')
      assert.equal((await pinsetOf(minority[0]!)).has(acked), false, 'the minority does not see the majority\'s write yet')

      await cluster.heal()
      await sameEverywhere(cluster.peers, new Set([acked]))
      const sets = await Promise.all(cluster.peers.map(async (p) => [...await pinsetOf(p)].sort().join(',')))
      assert.equal(new Set(sets).size, 1, 'every peer holds the same pinset')
    })
  })

  describe('removing peers', function () {
    let cluster: ProcessCluster

    before(async function () {
      cluster = await ProcessCluster.create(4, { electionTimeoutMs: 1000 })
      await cluster.startAll()
    })

    after(async function () {
      await cluster?.destroy()
    })

    it('cluster-ctl peers rm removes a peer, which shuts down; the others go on', async function () {
      const leader = await waitForLeader(cluster, cluster.peers)
      const victim = cluster.peers.find((p) => p.id !== leader)!
      const exited = once(victim.child!, 'exit') as Promise<[number | null]>
      const asker = cluster.peers.find((p) => p !== victim)!
      const rm = await run(CTL_BIN, ['--host', asker.restUrl, 'peers', 'rm', victim.id])
      assert.equal(rm.code, 0, rm.stderr)
      const [code] = await Promise.race([exited, new Promise<never>((_resolve, reject) => {
        setTimeout(() => { reject(new Error(`the removed peer did not exit:\n${victim.output.slice(-2000)}`)) }, 30_000).unref()
      })])
      assert.equal(code, 0)
      victim.child = undefined
      const ls = await run(CTL_BIN, ['--host', asker.restUrl, '--enc', 'json', 'peers', 'ls'])
      assert.equal(ls.stdout.trim().split('\n').length, 3)
      assert.ok(await pinThrough(asker, await cidFor('after-removal')))
      const again = await run(CTL_BIN, ['--host', asker.restUrl, 'peers', 'rm', victim.id])
      assert.equal(again.code, 1)
      assert.match(again.stderr, /not a member/)
    })

    it('a removed peer that missed its removal cannot disrupt the others', async function () {
      const members = cluster.running()
      const leader = await waitForLeader(cluster, members)
      const victim = members.find((p) => p.id !== leader)!
      const rest = members.filter((p) => p !== victim)
      await cluster.partition([victim], rest)
      const del = await fetch(`${rest[0]!.restUrl}/peers/${victim.id}`, { method: 'DELETE' })
      assert.equal(del.status, 204)
      await cluster.heal()
      // for three election timeouts the victim may campaign; writes must go on under the same leader
      const until = Date.now() + 3 * cluster.electionTimeoutMs
      let n = 0
      while (Date.now() < until) assert.ok(await pinThrough(rest[n % rest.length]!, await cidFor(`removed-${n++}`)), 'writes go on')
      for (const p of rest) assert.equal(cluster.leaderSeenBy(p), leader, 'the leader did not change')
      assert.notEqual(cluster.leaderSeenBy(victim), victim.id)
    })
  })

  describe('a fresh peer joining a cluster of 100,000 pins', function () {
    let cluster: ProcessCluster

    before(async function () {
      cluster = await ProcessCluster.create(3, { electionTimeoutMs: 1000 })
      const file = join(cluster.root, 'pins.ndjson')
      const out = createWriteStream(file)
      for (let i = 0; i < 100_000; i++) {
        if (!out.write(JSON.stringify({ cid: await cidFor(`big-${i}`), name: `pin ${i}` }) + '\n')) await new Promise<void>((resolve) => { out.once('drain', () => { resolve() }) })
      }
      await new Promise<void>((resolve) => { out.end(() => { resolve() }) })
      for (const p of cluster.peers) {
        const imported = await run(SERVICE_BIN, ['--config', p.folder, 'state', 'import', file], 300_000)
        assert.equal(imported.code, 0, imported.stderr)
      }
      await cluster.startAll()
    })

    after(async function () {
      await cluster?.destroy()
    })

    it('catches up through a snapshot and holds every pin', async function () {
      const fresh = await cluster.addPeer()
      // well within the test's timeout: a peer that never gets ready fails with its output
      await cluster.start(fresh, 240_000, ['--bootstrap', await cluster.swarmAddress(cluster.peers[0]!)])
      assert.match(fresh.output, /installing a snapshot/)
      const pins = await pinsetOf(fresh)
      assert.equal(pins.size, 100_000)
      assert.ok(pins.has(await cidFor('big-99999')))
      // and it takes part from now on
      const cid = await cidFor('after-join')
      assert.ok(await pinThrough(fresh, cid))
      await eventually(async () => (await pinsetOf(cluster.peers[0]!)).has(cid), 'the others see its write')
    })
  })
})
