import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { CarWriter } from '@ipld/car/writer'
import { peerIdFromString } from '@libp2p/peer-id'
import { MemoryBlockstore } from 'blockstore-core/memory'
import { importer } from 'ipfs-unixfs-importer'
import { CID } from 'multiformats/cid'
import { sha512 } from 'multiformats/hashes/sha2'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced, trickle } from 'ipfs-unixfs-importer/layout'
import { Adder, AddInputError, importParamsFromQuery, isProgress } from '../../src/adder/index.ts'
import { defaultPinOptions } from '../../src/api/pin.ts'
import { eventually, metricsReady, startCluster, stopCluster } from '../fixtures/cluster.ts'
import type { AddEntry, AddOutput, AddParams, AddedOutput } from '../../src/adder/index.ts'
import type { PinJson, PinOptionsJson } from '../../src/api/types.ts'
import type { Cluster } from '../../src/cluster/cluster.ts'
import type { ImporterOptions } from 'ipfs-unixfs-importer'

/** `echo "hello world" | ipfs add`: Kubo's CID for these bytes with its defaults. */
const HELLO_KUBO_V0 = 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o'
const HELLO = new TextEncoder().encode('hello world\n')

interface TestFile {
  path: string
  bytes?: Uint8Array
}

function entries (files: TestFile[]): AsyncIterable<AddEntry> {
  return (async function * () {
    for (const f of files) {
      if (f.bytes == null) {
        yield { path: f.path }
        continue
      }
      const bytes = f.bytes
      // in pieces, as a request body arrives
      yield {
        path: f.path,
        content: (async function * () {
          for (let i = 0; i < bytes.length; i += 65536) yield bytes.subarray(i, i + 65536)
        })()
      }
    }
  })()
}

/** The root CID ipfs-unixfs-importer gives these files with these options (the last entry it yields). */
async function importerRoot (files: TestFile[], options: ImporterOptions): Promise<string> {
  let last = ''
  const source = files.map((f) => f.bytes == null ? { path: f.path } : { path: f.path, content: f.bytes })
  for await (const entry of importer(source, new MemoryBlockstore(), options)) last = entry.cid.toString()
  return last
}

/** What the adder takes for a query string and pin options. */
function params (query = '', pin: Partial<PinOptionsJson> = {}): AddParams {
  return { ...importParamsFromQuery(new URLSearchParams(query)), pin: { ...defaultPinOptions(), ...pin } }
}

/** Kubo's defaults, written out: CIDv0, UnixFS leaves, 256 KiB chunks, balanced with 174 links. */
const KUBO_DEFAULTS: ImporterOptions = {
  cidVersion: 0,
  rawLeaves: false,
  chunker: fixedSize({ chunkSize: 262144 }),
  layout: balanced({ maxChildrenPerNode: 174 })
}

describe('adder: against a 3-peer cluster', function () {
  let peers: Cluster[]
  let adder: Adder

  before(async function () {
    peers = await startCluster(3)
    await metricsReady(peers)
    adder = new Adder({ rpc: peers[0]!.rpc })
  })

  after(async function () {
    await stopCluster(peers)
  })

  async function add (files: TestFile[], p: AddParams): Promise<AddOutput[]> {
    const out: AddOutput[] = []
    for await (const o of adder.add(entries(files), p)) out.push(o)
    return out
  }

  const added = (outputs: AddOutput[]): AddedOutput[] => outputs.filter((o): o is AddedOutput => !isProgress(o))
  const pinGet = async (cid: string): Promise<PinJson> => peers[0]!.rpc.call(undefined, 'Cluster', 'PinGet', cid)
  const pinCount = async (): Promise<number> => {
    let n = 0
    for await (const _ of peers[0]!.rpc.stream(undefined, 'Cluster', 'Pins', undefined)) n++
    return n
  }
  const repoSize = async (peer: Cluster): Promise<number> => (await peer.rpc.call(undefined, 'IPFSConnector', 'RepoStat', undefined)).repo_size

  it('adds a file as Kubo would (same CID), its blocks on the 2 allocated peers only, and pins it there', async function () {
    const hello = added(await add([{ path: 'hello.txt', bytes: HELLO }], params('', { replication_factor_min: 2, replication_factor_max: 2 })))
    assert.equal(hello.length, 1)
    assert.equal(hello[0]?.cid, HELLO_KUBO_V0)
    assert.equal(hello[0]?.name, 'hello.txt')

    const bytes = randomBytes(3 * 1024 * 1024 + 12345)
    const before = await Promise.all(peers.map(repoSize))
    const outputs = added(await add([{ path: 'random.bin', bytes }], params('', { replication_factor_min: 2, replication_factor_max: 2 })))
    const expected = await importerRoot([{ path: 'random.bin', bytes }], KUBO_DEFAULTS)
    assert.deepEqual(outputs.map((o) => o.cid), [expected])
    const allocations = outputs[0]?.allocations ?? []
    assert.equal(allocations.length, 2)
    const pin = await pinGet(expected)
    assert.deepEqual([...pin.allocations].sort(), [...allocations].sort())
    assert.equal(pin.replication_factor_min, 2)
    assert.equal(pin.name, 'random.bin', 'the name defaults to the file name')

    const after = await Promise.all(peers.map(repoSize))
    for (const [i, peer] of peers.entries()) {
      const grew = (after[i] as number) - (before[i] as number)
      if (allocations.includes(peer.libp2p.peerId.toString())) {
        assert.ok(grew >= bytes.length * 0.9, `allocated peer ${i} holds the blocks (grew ${grew})`)
        await eventually(async () => (await peer.rpc.call(undefined, 'IPFSConnector', 'PinLsCid', expected)) === 'recursive', `peer ${i} pinned it`)
      } else {
        assert.ok(grew < bytes.length / 4, `the peer not allocated received no blocks (grew ${grew})`)
        assert.equal(await peer.rpc.call(undefined, 'IPFSConnector', 'PinLsCid', expected), 'unpinned')
      }
    }
  })

  it('adds a folder wrapped in a directory, reporting every file and folder, and pins the wrapper', async function () {
    const files: TestFile[] = [
      { path: 'docs' }, { path: 'docs/a.txt', bytes: randomBytes(1000) }, { path: 'docs/sub' },
      { path: 'docs/sub/b.bin', bytes: randomBytes(300_000) }, { path: 'top.txt', bytes: randomBytes(10) }
    ]
    const outputs = added(await add(files, params('wrap-with-directory=true&cid-version=1')))
    const expected = await importerRoot(files, { ...KUBO_DEFAULTS, cidVersion: 1, rawLeaves: true, wrapWithDirectory: true })
    assert.deepEqual(outputs.map((o) => o.name).sort(), ['', 'docs', 'docs/a.txt', 'docs/sub', 'docs/sub/b.bin', 'top.txt'])
    const root = outputs.find((o) => o.name === '')
    assert.equal(root?.cid, expected)
    assert.equal(outputs.at(-1)?.name, '', 'the wrapper comes last')
    const pin = await pinGet(expected)
    assert.equal(pin.name, 'docs', 'the wrapper is named after the first entry')
    // the inner entries are not pinned on their own
    await assert.rejects(pinGet(outputs.find((o) => o.name === 'docs')?.cid ?? ''), { name: 'PinNotFoundError' })
  })

  it('makes the CIDs the importer makes for cid-version, raw-leaves, trickle and chunker', async function () {
    const bytes = randomBytes(700_000)
    const f = [{ path: 'f', bytes }]
    const cases: Array<[string, ImporterOptions]> = [
      ['', KUBO_DEFAULTS],
      ['cid-version=1', { ...KUBO_DEFAULTS, cidVersion: 1, rawLeaves: true }],
      ['cid-version=1&raw-leaves=false', { ...KUBO_DEFAULTS, cidVersion: 1, rawLeaves: false }],
      ['raw-leaves=true', { ...KUBO_DEFAULTS, rawLeaves: true }],
      ['layout=trickle', { ...KUBO_DEFAULTS, layout: trickle({ maxChildrenPerNode: 174 }), leafType: 'raw', reduceSingleLeafToSelf: false }],
      ['chunker=size-65536', { ...KUBO_DEFAULTS, chunker: fixedSize({ chunkSize: 65536 }) }]
    ]
    const seen = new Set<string>()
    for (const [query, options] of cases) {
      const outputs = added(await add(f, params(query, { replication_factor_min: 1, replication_factor_max: 1 })))
      assert.equal(outputs[0]?.cid, await importerRoot(f, options), query)
      seen.add(outputs[0]?.cid ?? '')
    }
    assert.equal(seen.size, cases.length, 'every option changes the CID')
    // rabin chunking: cut by content, not a CID of the fixed-size cases
    const rabin = added(await add(f, params('chunker=rabin-16384-65536-131072', { replication_factor_min: 1, replication_factor_max: 1 })))
    assert.ok(rabin[0] != null && !seen.has(rabin[0].cid))
  })

  it('hashes with sha2-512 as an importer that takes a hasher does (Kubo\'s --hash: CIDv1, raw leaves), and pins it', async function () {
    // ipfs-unixfs-importer 12 (js-ipfs's, in the test daemon's folder) still takes a hasher: the reference
    const reference = await import(new URL('../ipfs-daemon/node_modules/ipfs-unixfs-importer/src/index.js', import.meta.url).href) as { importer: typeof importer }
    const referenceRoot = async (files: TestFile[], options: Record<string, unknown>): Promise<string> => {
      let last = ''
      const source = files.map((f) => f.bytes == null ? { path: f.path } : { path: f.path, content: f.bytes })
      for await (const entry of reference.importer(source, new MemoryBlockstore(), { cidVersion: 1, rawLeaves: true, hasher: sha512, ...options } as ImporterOptions)) last = entry.cid.toString()
      return last
    }
    const file = [{ path: 'big.bin', bytes: randomBytes(3 * 262144 + 1000) }]
    const folder = [{ path: 'd/a.bin', bytes: randomBytes(300_000) }, { path: 'd/b.txt', bytes: HELLO }]
    const cases: Array<[TestFile[], string, Record<string, unknown>]> = [
      [file, 'hash=sha2-512', {}],
      [file, 'hash=sha2-512&raw-leaves=false', { rawLeaves: false }],
      [folder, 'hash=sha2-512&wrap-with-directory=true', { wrapWithDirectory: true }]
    ]
    for (const [files, query, options] of cases) {
      const outputs = added(await add(files, params(query, { replication_factor_min: 2, replication_factor_max: 2 })))
      const root = outputs.at(-1)?.cid ?? ''
      assert.equal(root, await referenceRoot(files, options), query)
      assert.ok(CID.parse(root).multihash.code === sha512.code && CID.parse(root).version === 1, query)
      assert.equal((await pinGet(root)).cid, root)
      const allocated = peers.filter((p) => (outputs.at(-1)?.allocations ?? []).includes(p.libp2p.peerId.toString()))
      for (const peer of allocated) {
        await eventually(async () => (await peer.rpc.call(undefined, 'IPFSConnector', 'PinLsCid', root)) === 'recursive', `${query}: an allocated peer pinned it`)
      }
    }
    assert.throws(() => params('hash=sha2-512&cid-version=0'), /CIDv0 only supports sha2-256/)
  })

  it('adds a CAR: its blocks as they are, its root pinned', async function () {
    const blocks = new MemoryBlockstore()
    const bytes = randomBytes(600_000)
    let root
    for await (const entry of importer([{ path: 'in-car', content: bytes }], blocks, { cidVersion: 1 })) root = entry.cid
    assert.ok(root != null)
    const { writer, out } = CarWriter.create([root])
    const car: Uint8Array[] = []
    const collect = (async () => { for await (const chunk of out) car.push(chunk) })()
    for await (const { cid, bytes: block } of blocks.getAll()) {
      const chunks: Uint8Array[] = []
      for await (const c of block) chunks.push(c)
      await writer.put({ cid, bytes: Buffer.concat(chunks) })
    }
    await writer.close()
    await collect
    const outputs = added(await add([{ path: 'export.car', bytes: Buffer.concat(car) }], params('format=car')))
    assert.equal(outputs.length, 1)
    assert.equal(outputs[0]?.cid, root.toString())
    assert.equal(outputs[0]?.name, 'export.car')
    assert.equal((await pinGet(root.toString())).name, 'export.car')
    const block = await peers[0]!.rpc.call(undefined, 'IPFSConnector', 'BlockGet', root.toString())
    assert.ok(block.length > 0)
  })

  it('refuses a CAR with two roots or that is not a CAR, pinning nothing', async function () {
    const count = await pinCount()
    const roots = []
    for (let i = 0; i < 2; i++) {
      for await (const entry of importer([{ content: randomBytes(10) }], new MemoryBlockstore())) roots.push(entry.cid)
    }
    const { writer, out } = CarWriter.create(roots)
    const car: Uint8Array[] = []
    const collect = (async () => { for await (const chunk of out) car.push(chunk) })()
    await writer.close()
    await collect
    await assert.rejects(add([{ path: 'two.car', bytes: Buffer.concat(car) }], params('format=car')), (err: Error) => err instanceof AddInputError && /2 roots/.test(err.message))
    await assert.rejects(add([{ path: 'no.car', bytes: randomBytes(1000) }], params('format=car')), (err: Error) => err instanceof AddInputError && /CAR/.test(err.message))
    assert.equal(await pinCount(), count)
  })

  it('with no-pin, adds the blocks and pins nothing', async function () {
    const bytes = randomBytes(5000)
    const count = await pinCount()
    const outputs = added(await add([{ path: 'np', bytes }], params('no-pin=true')))
    const cid = outputs[0]?.cid ?? ''
    assert.equal(cid, await importerRoot([{ path: 'np', bytes }], KUBO_DEFAULTS))
    assert.equal(await pinCount(), count)
    assert.deepEqual(await peers[0]!.rpc.call(undefined, 'IPFSConnector', 'BlockGet', cid) instanceof Uint8Array, true)
  })

  it('with local, sends the blocks to this peer only, which takes one of the allocations', async function () {
    const bytes = randomBytes(2 * 1024 * 1024)
    const before = await Promise.all(peers.map(repoSize))
    const outputs = added(await add([{ path: 'local.bin', bytes }], params('local=true', { replication_factor_min: 2, replication_factor_max: 2 })))
    const self = peers[0]!.libp2p.peerId.toString()
    assert.ok(outputs[0]?.allocations?.includes(self))
    const after = await Promise.all(peers.map(repoSize))
    assert.ok((after[0] as number) - (before[0] as number) >= bytes.length * 0.9)
    for (const i of [1, 2]) {
      // the other allocated peer fetches the blocks when it pins: nothing came from the adder
      const other = peers[i]!
      if (!(outputs[0]?.allocations ?? []).includes(other.libp2p.peerId.toString())) {
        assert.ok((after[i] as number) - (before[i] as number) < bytes.length / 4)
      }
    }
    const cid = outputs[0]?.cid ?? ''
    for (const peer of (await pinGet(cid)).allocations) {
      const member = peers.find((p) => p.libp2p.peerId.equals(peerIdFromString(peer)))
      await eventually(async () => (await member!.rpc.call(undefined, 'IPFSConnector', 'PinLsCid', cid)) === 'recursive', `allocated peer ${peer} pinned it`)
    }
  })

  it('reports progress every 256 KiB and at the end of each file', async function () {
    const outputs = await add([{ path: 'p.bin', bytes: randomBytes(600_000) }], params('progress=true'))
    const progress = outputs.filter(isProgress)
    assert.deepEqual(progress.map((p) => p.name), ['p.bin', 'p.bin', 'p.bin'])
    assert.deepEqual(progress.map((p) => p.bytes), [262144, 524288, 600000])
    assert.ok(!isProgress(outputs.at(-1) as AddOutput))
  })
})
