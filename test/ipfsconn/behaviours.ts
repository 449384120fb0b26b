/**
 * The behaviours every IPFS connector has, run against each implementation
 * (embedded.spec.ts, kubo.spec.ts) on real IPFS nodes.
 */
import { randomBytes } from 'node:crypto'
import { strict as assert } from 'node:assert'
import * as dagPb from '@ipld/dag-pb'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { buildDag, putDag, randomFileDag } from './dags.ts'
import { clusterPeerWithIpfsNode, collect, ctx } from './harness.ts'
import type { Harness, HarnessFactory } from './harness.ts'

const RAW = 0x55
const DAG_PB = 0x70

function sameBlock (a: CID, b: CID): boolean {
  return a.multihash.bytes.length === b.multihash.bytes.length && a.multihash.bytes.every((v, i) => v === b.multihash.bytes[i])
}

/** The pins PinLs lists of that type for one CID (PinLs lists every pin: the others are left out). */
async function pinsOf (h: Harness, type: 'recursive' | 'direct' | 'all', cid: string): Promise<Array<{ cid: string, type: string }>> {
  return (await collect(h.a.svc.PinLs({ type }, ctx()))).filter((p) => p.cid === cid)
}

export function describeConnectorBehaviours (factory: HarnessFactory): void {
  describe(`IPFS connector behaviours: ${factory.name}`, function () {
    let h: Harness

    before(async function () {
      h = await factory.start()
    })

    after(async function () {
      await factory.stop()
    })

    it('ID answers the IPFS node\'s peer id and addresses, no error', async function () {
      const id = await h.a.svc.ID(undefined, ctx())
      assert.equal(id.error, '')
      assert.match(id.id, /^(12D3|Qm)/)
      assert.ok(id.addresses.length > 0)
      for (const address of id.addresses) assert.ok(address.endsWith(`/p2p/${id.id}`), address)
      const other = await h.b.svc.ID(undefined, ctx())
      assert.notEqual(other.id, id.id)
    })

    it('BlockPut then BlockGet round-trips a raw block', async function () {
      const data = randomBytes(300)
      const cid = await h.a.svc.BlockPut({ data, codec: 'raw' }, ctx())
      const parsed = CID.parse(cid)
      assert.equal(parsed.version, 1)
      assert.equal(parsed.code, RAW)
      assert.deepEqual(await h.a.svc.BlockGet(cid, ctx()), new Uint8Array(data))
    })

    it('BlockPut then BlockGet round-trips a dag-pb block', async function () {
      const data = dagPb.encode(dagPb.prepare({ Data: randomBytes(50), Links: [] }))
      const cid = await h.a.svc.BlockPut({ data, codec: 'dag-pb' }, ctx())
      assert.equal(CID.parse(cid).code, DAG_PB)
      assert.deepEqual(await h.a.svc.BlockGet(cid, ctx()), data)
    })

    it('pins recursively: PinLsCid and PinLs show it recursive, its blocks indirect', async function () {
      const dag = await randomFileDag(3000)
      await putDag(h.a.svc, dag, ctx().signal)
      const root = dag.root.toString()
      await h.a.svc.Pin({ cid: root, mode: 'recursive' }, ctx())
      assert.equal(await h.a.svc.PinLsCid(root, ctx()), 'recursive')
      const leaf = dag.blocks.find((b) => !b.cid.equals(dag.root))
      assert.ok(leaf != null)
      assert.equal(await h.a.svc.PinLsCid(leaf.cid.toString(), ctx()), 'indirect')
      assert.deepEqual(await pinsOf(h, 'recursive', root), [{ cid: root, type: 'recursive' }])
      assert.deepEqual(await pinsOf(h, 'all', root), [{ cid: root, type: 'recursive' }])
      assert.deepEqual(await pinsOf(h, 'direct', root), [])
      // pinning again is no error
      await h.a.svc.Pin({ cid: root, mode: 'recursive' }, ctx())
      assert.equal(await h.a.svc.PinLsCid(root, ctx()), 'recursive')
    })

    it('pins directly: PinLsCid and PinLs show it direct', async function () {
      const cid = await h.a.svc.BlockPut({ data: randomBytes(100), codec: 'raw' }, ctx())
      await h.a.svc.Pin({ cid, mode: 'direct' }, ctx())
      assert.equal(await h.a.svc.PinLsCid(cid, ctx()), 'direct')
      assert.deepEqual(await pinsOf(h, 'direct', cid), [{ cid, type: 'direct' }])
      assert.deepEqual(await pinsOf(h, 'all', cid), [{ cid, type: 'direct' }])
      assert.deepEqual(await pinsOf(h, 'recursive', cid), [])
    })

    it('a recursive pin of a directly pinned CID makes it recursive', async function () {
      const dag = await randomFileDag(2048)
      await putDag(h.a.svc, dag, ctx().signal)
      const root = dag.root.toString()
      await h.a.svc.Pin({ cid: root, mode: 'direct' }, ctx())
      assert.equal(await h.a.svc.PinLsCid(root, ctx()), 'direct')
      await h.a.svc.Pin({ cid: root, mode: 'recursive' }, ctx())
      assert.equal(await h.a.svc.PinLsCid(root, ctx()), 'recursive')
      assert.deepEqual(await pinsOf(h, 'all', root), [{ cid: root, type: 'recursive' }])
    })

    it('Unpin removes recursive and direct pins, and is idempotent', async function () {
      const dag = await randomFileDag(2048)
      await putDag(h.a.svc, dag, ctx().signal)
      const root = dag.root.toString()
      const single = await h.a.svc.BlockPut({ data: randomBytes(100), codec: 'raw' }, ctx())
      await h.a.svc.Pin({ cid: root, mode: 'recursive' }, ctx())
      await h.a.svc.Pin({ cid: single, mode: 'direct' }, ctx())

      await h.a.svc.Unpin(root, ctx())
      await h.a.svc.Unpin(single, ctx())
      assert.equal(await h.a.svc.PinLsCid(root, ctx()), 'unpinned')
      assert.equal(await h.a.svc.PinLsCid(single, ctx()), 'unpinned')
      assert.deepEqual(await pinsOf(h, 'all', root), [])
      assert.deepEqual(await pinsOf(h, 'all', single), [])
      await h.a.svc.Unpin(root, ctx())
    })

    it('PinLsCid of a CID that is not pinned answers unpinned', async function () {
      const cid = await h.a.svc.BlockPut({ data: randomBytes(100), codec: 'raw' }, ctx())
      assert.equal(await h.a.svc.PinLsCid(cid, ctx()), 'unpinned')
    })

    it('Pin of a CID nobody has fails with PinTimeoutError after pin_timeout without a block', async function () {
      const absent = CID.createV1(RAW, await sha256.digest(randomBytes(32))).toString()
      await assert.rejects(h.impatient.svc.Pin({ cid: absent, mode: 'recursive' }, ctx()), { name: 'PinTimeoutError' })
      await assert.rejects(h.impatient.svc.Pin({ cid: absent, mode: 'direct' }, ctx()), { name: 'PinTimeoutError' })
      assert.equal(await h.impatient.svc.PinLsCid(absent, ctx()), 'unpinned')
    })

    it('after ConnectSwarms, B pins a multi-block DAG only A has (blocks come over bitswap)', async function () {
      const dag = await randomFileDag(8 * 1024)
      assert.ok(dag.blocks.length > 5)
      await putDag(h.a.svc, dag, ctx().signal)
      const aId = await h.a.svc.ID(undefined, ctx())
      clusterPeerWithIpfsNode(h.b.mock, aId)

      await h.b.svc.ConnectSwarms(undefined, ctx())
      assert.ok((await h.b.svc.SwarmPeers(undefined, ctx())).includes(aId.id))

      await h.b.svc.Pin({ cid: dag.root.toString(), mode: 'recursive' }, ctx())
      assert.equal(await h.b.svc.PinLsCid(dag.root.toString(), ctx()), 'recursive')
      for (const block of dag.blocks) {
        assert.deepEqual(await h.b.svc.BlockGet(block.cid.toString(), ctx()), block.bytes)
      }
    })

    it('RepoStat: sensible numbers, repo_size grows as blocks are added', async function () {
      const before = await h.a.svc.RepoStat(undefined, ctx())
      assert.ok(before.repo_size > 0, `repo_size ${before.repo_size}`)
      assert.ok(before.storage_max >= before.repo_size, `storage_max ${before.storage_max}`)
      for (let i = 0; i < 4; i++) await h.a.svc.BlockPut({ data: randomBytes(256 * 1024), codec: 'raw' }, ctx())
      const after = await h.a.svc.RepoStat(undefined, ctx())
      assert.ok(after.repo_size > before.repo_size, `repo_size ${before.repo_size} -> ${after.repo_size}`)
    })

    it('RepoGC removes unpinned blocks and keeps pinned ones', async function () {
      const loose = CID.parse(await h.a.svc.BlockPut({ data: randomBytes(200), codec: 'raw' }, ctx()))
      const kept = CID.parse(await h.a.svc.BlockPut({ data: randomBytes(200), codec: 'raw' }, ctx()))
      const dag = await randomFileDag(3000)
      await putDag(h.a.svc, dag, ctx().signal)
      await h.a.svc.Pin({ cid: kept.toString(), mode: 'direct' }, ctx())
      await h.a.svc.Pin({ cid: dag.root.toString(), mode: 'recursive' }, ctx())

      const removed = await collect(h.a.svc.RepoGC(undefined, ctx()))
      assert.deepEqual(removed.filter((r) => r.error !== ''), [])
      const keys = removed.map((r) => CID.parse(r.key))
      assert.ok(keys.some((k) => sameBlock(k, loose)), 'the unpinned block is collected')
      assert.ok(!keys.some((k) => sameBlock(k, kept)), 'the direct pin is kept')
      for (const block of dag.blocks) assert.ok(!keys.some((k) => sameBlock(k, block.cid)), 'the recursive pin\'s blocks are kept')

      assert.equal((await h.a.svc.BlockGet(kept.toString(), ctx())).length, 200)
      for (const block of dag.blocks) assert.deepEqual(await h.a.svc.BlockGet(block.cid.toString(), ctx()), block.bytes)
    })

    it('Resolve of /ipfs/<dir>/<file> gives the file\'s CID', async function () {
      const dag = await buildDag({
        'site/index.html': new TextEncoder().encode('<p>hello</p>'),
        'site/docs/guide.txt': randomBytes(3000)
      })
      await putDag(h.a.svc, dag, ctx().signal)
      const dir = dag.entries.get('site')?.toString() ?? ''
      assert.equal(await h.a.svc.Resolve(`/ipfs/${dir}/index.html`, ctx()), dag.entries.get('site/index.html')?.toString())
      assert.equal(await h.a.svc.Resolve(`/ipfs/${dir}/docs/guide.txt`, ctx()), dag.entries.get('site/docs/guide.txt')?.toString())
      assert.equal(await h.a.svc.Resolve(`/ipfs/${dir}`, ctx()), dir)
    })
  })
}
