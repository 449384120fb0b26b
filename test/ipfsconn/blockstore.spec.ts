import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LevelBlockstore } from 'blockstore-level'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { openBlockstore } from '../../src/ipfsconn/embedded/blockstore.ts'

async function block (size: number): Promise<{ cid: CID, bytes: Uint8Array }> {
  const bytes = new Uint8Array(randomBytes(size))
  return { cid: CID.createV1(raw.code, await sha256.digest(bytes)), bytes }
}

async function read (chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0
  for await (const chunk of chunks) n += chunk.length
  return n
}

describe('embedded IPFS: the blockstore', function () {
  let dir: string

  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), 'pincluster-blockstore-'))
  })

  afterEach(async function () {
    await rm(dir, { recursive: true, force: true })
  })

  it('keeps one file per block and counts their bytes as they are written and deleted', async function () {
    const store = await openBlockstore(dir)
    const [a, b] = [await block(1000), await block(2500)]
    await store.put(a.cid, a.bytes)
    await store.put(b.cid, b.bytes)
    await store.put(a.cid, a.bytes) // again: counted once
    assert.equal(await store.size(), 3500)
    assert.equal(await read(store.get(b.cid)), 2500)
    assert.ok((await readdir(dir, { recursive: true })).some((f) => f.endsWith('.data')))
    const listed = []
    for await (const pair of store.getAll()) listed.push(pair.cid.toString())
    assert.deepEqual(listed.sort(), [a.cid.toString(), b.cid.toString()].sort(), 'listed as CIDv1 raw, as Kubo lists blocks')
    await store.delete(a.cid)
    assert.equal(await store.size(), 2500)
    assert.equal(await store.has(a.cid), false)
    await assert.rejects(read(store.get(a.cid)), { name: 'NotFoundError' })
    await store.close()
  })

  it('counts blocks written at the same time', async function () {
    const store = await openBlockstore(dir)
    const blocks = await Promise.all(Array.from({ length: 16 }, async () => await block(1024)))
    await Promise.all(blocks.map(async (b) => await store.put(b.cid, b.bytes)))
    assert.equal(await store.size(), 16 * 1024)
    await Promise.all(blocks.slice(0, 8).map(async (b) => { await store.delete(b.cid) }))
    assert.equal(await store.size(), 8 * 1024)
    await store.close()
  })

  it('the same block put many times at once (or given as chunks) is one file, counted once, with no temporary file left', async function () {
    const store = await openBlockstore(dir)
    const b = await block(3000)
    await Promise.all(Array.from({ length: 8 }, async (_, i) => await store.put(b.cid, i % 2 === 0 ? b.bytes : [b.bytes.subarray(0, 1000), b.bytes.subarray(1000)])))
    assert.equal(await store.size(), 3000)
    assert.equal(await read(store.get(b.cid)), 3000)
    const files = await readdir(dir, { recursive: true, withFileTypes: true })
    assert.deepEqual(files.filter((f) => f.isFile()).map((f) => f.name.split('.').at(-1)), ['data'])
    await store.close()
  })

  it('reads the size saved at close back, and walks the folder when there is none (after a crash)', async function () {
    const first = await openBlockstore(dir)
    const a = await block(4096)
    await first.put(a.cid, a.bytes)
    await first.close()

    const second = await openBlockstore(dir)
    assert.equal(await second.size(), 4096)
    const b = await block(10)
    await second.put(b.cid, b.bytes)
    // a crash: the store is not closed, so nothing is saved; the saved figure was consumed at open
    const third = await openBlockstore(dir)
    assert.equal(await third.size(), 4106)
    await third.close()
    await second.close()
  })

  it('a saved size that cannot be read is ignored: the folder is walked', async function () {
    const store = await openBlockstore(dir)
    const a = await block(777)
    await store.put(a.cid, a.bytes)
    await store.close()
    await writeFile(join(dir, 'repo-size.json'), '{"size": "lots"}')
    const again = await openBlockstore(dir)
    assert.equal(await again.size(), 777)
    await again.close()
  })

  it('a repo whose blocks are in LevelDB keeps them there', async function () {
    const level = new LevelBlockstore(dir)
    await level.open()
    const a = await block(300)
    await level.put(a.cid, a.bytes)
    await level.close()

    const store = await openBlockstore(dir)
    assert.equal(await read(store.get(a.cid)), 300)
    assert.ok(await store.size() > 0)
    await store.close()
  })
})
