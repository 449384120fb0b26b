import { strict as assert } from 'node:assert'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { eventually, metricsReady, startCluster, stopCluster } from '../fixtures/cluster.ts'
import { randomSecret } from '../fixtures/hosts.ts'
import type { Cluster } from '../../src/cluster/cluster.ts'
import type { GlobalPinInfoJson } from '../../src/api/types.ts'

const idOf = (p: Cluster): string => p.libp2p.peerId.toString()

async function cidOf (label: string): Promise<string> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(label))).toString()
}

async function pinAll (peer: Cluster, cids: string[]): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < cids.length) {
      const cid = cids[next++] as string
      await peer.rpc.call(undefined, 'Cluster', 'Pin', { cid, options: { replication_factor_min: 1, replication_factor_max: 1 } })
    }
  }))
}

async function pinCount (peer: Cluster): Promise<number> {
  let n = 0
  for await (const _ of peer.rpc.stream(undefined, 'Consensus', 'Pins', undefined)) n++
  return n
}

describe('pinning: the global status of a pinset being written to', function () {
  this.timeout(180_000)
  let peers: Cluster[]

  before(async function () {
    peers = await startCluster(3, randomSecret())
    await metricsReady(peers)
  })

  after(async function () {
    await stopCluster(peers)
  })

  it('lists every pin once, in CID order, with every peer\'s part, while pins are added during the listing', async function () {
    // several status ranges per peer (the first ones are 64 pins), allocations spread over the peers
    const before = await Promise.all(Array.from({ length: 1500 }, async (_, i) => cidOf(`listed pin ${i}`)))
    await pinAll(peers[0]!, before)
    await eventually(async () => (await Promise.all(peers.map(pinCount))).every((n) => n === before.length), 'every peer holds the pinset', 60_000)

    const during = await Promise.all(Array.from({ length: 500 }, async (_, i) => cidOf(`pin added while listing ${i}`)))
    const res = await fetch(`${peers[0]!.restApiUrls[0]}/pins`)
    assert.equal(res.status, 200)
    let text = ''
    let writes: Promise<void> | undefined
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      // the peers apply these at different moments: their scans see different pinsets
      writes ??= pinAll(peers[1]!, during)
      text += Buffer.from(chunk).toString('utf8')
    }
    await writes
    const listed = text.trim().split('\n').map((line) => JSON.parse(line) as GlobalPinInfoJson)
    const cids = listed.map((g) => g.cid)
    for (let i = 1; i < cids.length; i++) assert.ok((cids[i - 1] as string) < (cids[i] as string), `${cids[i - 1]} before ${cids[i]}, each once`)
    const byCid = new Map(listed.map((g) => [g.cid, g]))
    const everyone = peers.map(idOf).sort()
    for (const cid of before) {
      const g = byCid.get(cid)
      assert.ok(g != null, `${cid}, pinned before the listing, is listed`)
      assert.deepEqual(Object.keys(g.peer_map).sort(), everyone, `${cid} has every peer's part`)
      assert.equal(Object.values(g.peer_map).filter((s) => s.status === 'remote').length, 2, `${cid} is allocated to one peer, remote on the others`)
    }
    // pins added meanwhile may be listed or not; nothing else is
    const known = new Set([...before, ...during])
    assert.deepEqual(cids.filter((cid) => !known.has(cid)), [])
  })

  it('another peer re-lists a key range of its statuses (after, through], as a merging peer asks when ranges differ', async function () {
    const all: string[] = []
    for await (const pin of peers[2]!.rpc.stream(undefined, 'Consensus', 'Pins', undefined)) all.push(pin.cid)
    const [after, through] = [all[100] as string, all[250] as string]
    const relist = async (range: { after?: string, through?: string }): Promise<string[]> => {
      const out: string[] = []
      for await (const item of peers[0]!.rpc.stream(peers[2]!.libp2p.peerId, 'PinTracker', 'StatusAllCompact', { filter: [], range })) out.push(item.cid)
      return out
    }
    assert.deepEqual(await relist({ after, through }), all.slice(101, 251))
    assert.deepEqual(await relist({ through: all[2] as string }), all.slice(0, 3))
    assert.deepEqual(await relist({ after: all.at(-3) as string }), all.slice(-2))
  })
})
