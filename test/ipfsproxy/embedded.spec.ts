import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { concat } from 'uint8arrays/concat'
import { eventually, metricsReady, startCluster, stopCluster } from '../fixtures/cluster.ts'
import { randomSecret } from '../fixtures/hosts.ts'
import { buildDag } from '../ipfsconn/dags.ts'
import { collect, proxyClient, rawCall } from './helpers.ts'
import type { Cluster } from '../../src/cluster/cluster.ts'
import type { Dag } from '../ipfsconn/dags.ts'
import type { KuboRPCClient } from 'kubo-rpc-client'

const CODEC_NAMES: Record<number, string> = { 0x55: 'raw', 0x70: 'dag-pb', 0x71: 'dag-cbor' }
const GB = 1_000_000_000

describe('IPFS proxy: 3 peers with embedded IPFS nodes', function () {
  this.timeout(120_000)
  let peers: Cluster[]
  let ipfs: KuboRPCClient

  /** Puts a DAG's blocks through the proxy (block/put), unpinned. */
  async function putDag (dag: Dag): Promise<void> {
    for (const block of dag.blocks) {
      const cid = await ipfs.block.put(block.bytes, { format: CODEC_NAMES[block.cid.code] })
      assert.equal(cid.toString(), block.cid.toString())
    }
  }

  async function pinset (peer: Cluster): Promise<string[]> {
    return (await collect(peer.rpc.stream(undefined, 'Cluster', 'Pins', undefined))).map((p) => p.cid)
  }

  before(async function () {
    peers = await startCluster(3, randomSecret(), (config, i) => {
      // fixed sizes, so that repo/stat's sum is known
      config.ipfs_connector.embedded.storage_max = (i + 1) * GB
    })
    await metricsReady(peers)
    ipfs = proxyClient(peers[0]!)
  })

  after(async function () {
    await stopCluster(peers ?? [])
  })

  describe('pins go through the cluster', function () {
    it('pin/add makes a cluster pin with the default replication, which pin/ls lists', async function () {
      const dag = await buildDag({ 'a.txt': randomBytes(3000) })
      await putDag(dag)
      const pinned = await collect(ipfs.pin.addAll([{ cid: dag.root, name: 'through the proxy' }]))
      assert.deepEqual(pinned.map(String), [dag.root.toString()])

      // every peer sees the pin, with the cluster's replication (-1: every peer)
      for (const peer of peers) {
        await eventually(async () => (await pinset(peer)).includes(dag.root.toString()), 'the pin reached every peer')
      }
      const pin = await peers[2]!.rpc.call(undefined, 'Cluster', 'PinGet', dag.root.toString())
      assert.equal(pin.replication_factor_min, -1)
      assert.equal(pin.replication_factor_max, -1)
      assert.equal(pin.mode, 'recursive')
      assert.equal(pin.name, 'through the proxy')

      const listed = await collect(ipfs.pin.ls({ paths: [dag.root] }))
      assert.deepEqual(listed.map((p) => [p.cid.toString(), p.type]), [[dag.root.toString(), 'recursive']])
      const all = await collect(ipfs.pin.ls())
      assert.ok(all.some((p) => p.cid.equals(dag.root)))
      // and the IPFS nodes do pin it
      for (const peer of peers) {
        await eventually(async () => await peer.rpc.call(undefined, 'IPFSConnector', 'PinLsCid', dag.root.toString()) === 'recursive', 'pinned on every IPFS node')
      }
    })

    it('pin/add with recursive=false pins directly; pin/ls filters by type', async function () {
      const cid = await ipfs.block.put(randomBytes(100), { format: 'raw' })
      await ipfs.pin.add(cid, { recursive: false })
      assert.equal((await peers[0]!.rpc.call(undefined, 'Cluster', 'PinGet', cid.toString())).mode, 'direct')
      const direct = await collect(ipfs.pin.ls({ type: 'direct' }))
      assert.ok(direct.some((p) => p.cid.equals(cid) && p.type === 'direct'))
      const recursive = await collect(ipfs.pin.ls({ type: 'recursive' }))
      assert.ok(!recursive.some((p) => p.cid.equals(cid)))
      assert.deepEqual(await collect(ipfs.pin.ls({ type: 'indirect' })), [])
    })

    it('pin/ls without stream answers Kubo\'s {"Keys": {...}} object', async function () {
      const cid = await ipfs.block.put(randomBytes(100), { format: 'raw' })
      await ipfs.pin.add(cid)
      const answer = await rawCall(peers[1]!, 'pin/ls', [['arg', cid.toString()]])
      assert.equal(answer.status, 200)
      assert.deepEqual(answer.json(), { Keys: { [cid.toString()]: { Type: 'recursive' } } })
      // everything committed so far is applied on peers[1], so both listings below see the same pinset
      await peers[1]!.rpc.call(undefined, 'Consensus', 'WaitForSync', undefined)
      const whole = await rawCall(peers[1]!, 'pin/ls')
      const keys = (whole.json() as { Keys: Record<string, { Type: string }> }).Keys
      assert.deepEqual(keys[cid.toString()], { Type: 'recursive' })
      assert.deepEqual(Object.keys(keys).sort(), (await pinset(peers[1]!)).sort())
    })

    it('pin/rm removes the cluster pin; pin/ls of it is then Kubo\'s error', async function () {
      const cid = await ipfs.block.put(randomBytes(100), { format: 'raw' })
      await ipfs.pin.add(cid)
      const removed = await collect(ipfs.pin.rmAll([{ cid }]))
      assert.deepEqual(removed.map(String), [cid.toString()])
      for (const peer of peers) {
        await eventually(async () => !(await pinset(peer)).includes(cid.toString()), 'the pin left every peer\'s pinset')
      }
      const answer = await rawCall(peers[0]!, 'pin/ls', [['arg', cid.toString()]])
      assert.equal(answer.status, 500)
      assert.deepEqual(answer.json(), { Message: `path '${cid.toString()}' is not pinned`, Code: 0, Type: 'error' })
      await assert.rejects(ipfs.pin.rm(cid), /not pinned/)
    })

    it('pin/update pins the new CID with the old one\'s options and unpins the old one (unless unpin=false)', async function () {
      const from = await ipfs.block.put(randomBytes(100), { format: 'raw' })
      const to = await ipfs.block.put(randomBytes(100), { format: 'raw' })
      const kept = await ipfs.block.put(randomBytes(100), { format: 'raw' })
      await ipfs.pin.add(from, { name: 'versioned' })

      const updated = await ipfs.pin.update(from, to)
      assert.deepEqual(updated.map(String), [from.toString(), to.toString()])
      const pin = await peers[0]!.rpc.call(undefined, 'Cluster', 'PinGet', to.toString())
      assert.equal(pin.name, 'versioned')
      assert.equal(pin.pin_update, from.toString())
      assert.ok(!(await pinset(peers[0]!)).includes(from.toString()))

      await ipfs.pin.update(to, kept, { unpin: false })
      const now = await pinset(peers[0]!)
      assert.ok(now.includes(to.toString()) && now.includes(kept.toString()))
    })

    it('block/put and dag/put with pin=true pin through the cluster', async function () {
      const block = await ipfs.block.put(randomBytes(200), { format: 'raw', pin: true })
      const node = await ipfs.dag.put({ hello: 'proxy', link: block }, { storeCodec: 'dag-cbor', pin: true })
      for (const cid of [block, node]) {
        await eventually(async () => (await pinset(peers[1]!)).includes(cid.toString()), 'the pin reached another peer')
        const pin = await peers[1]!.rpc.call(undefined, 'Cluster', 'PinGet', cid.toString())
        assert.equal(pin.replication_factor_min, -1)
      }
      // without pin they are only stored
      const loose = await ipfs.block.put(randomBytes(200), { format: 'raw' })
      assert.ok(!(await pinset(peers[0]!)).includes(loose.toString()))
      assert.equal((await ipfs.block.stat(loose)).size, 200)
    })
  })

  describe('bad input', function () {
    it('a malformed CID gives Kubo\'s error shape and changes nothing', async function () {
      const before = await pinset(peers[0]!)
      const answer = await rawCall(peers[0]!, 'pin/add', [['arg', 'not-a-cid']])
      assert.equal(answer.status, 400)
      const body = answer.json() as { Message: string, Code: number, Type: string }
      assert.equal(body.Type, 'error')
      assert.equal(body.Code, 1)
      assert.match(body.Message, /not-a-cid/)
      // one good and one bad argument: neither is pinned
      const good = await ipfs.block.put(randomBytes(100), { format: 'raw' })
      const mixed = await rawCall(peers[0]!, 'pin/add', [['arg', good.toString()], ['arg', 'bafy-nope']])
      assert.equal(mixed.status, 400)
      await assert.rejects(ipfs.pin.add(CID.parse(good.toString()).toString() + 'x'), /invalid/i)
      assert.deepEqual((await pinset(peers[0]!)).sort(), before.sort())
    })

    it('a missing argument and a bad option value are 400s naming them', async function () {
      const missing = await rawCall(peers[0]!, 'pin/add')
      assert.equal(missing.status, 400)
      assert.deepEqual(missing.json(), { Message: 'argument "ipfs-path" is required', Code: 1, Type: 'error' })
      const bad = await rawCall(peers[0]!, 'pin/ls', [['type', 'sideways']])
      assert.equal(bad.status, 400)
      assert.match((bad.json() as { Message: string }).Message, /sideways/)
    })

    it('an unknown command is a 404 in Kubo\'s shape', async function () {
      const unknown = await rawCall(peers[0]!, 'config/show')
      assert.equal(unknown.status, 404)
      assert.deepEqual(unknown.json(), { Message: 'command not supported by the embedded IPFS node: config/show', Code: 0, Type: 'error' })
    })

    it('add without a multipart body, with a bad chunker or with only-hash is a 400 and pins nothing', async function () {
      const before = await pinset(peers[0]!)
      const empty = await rawCall(peers[0]!, 'add')
      assert.equal(empty.status, 400)
      assert.equal((empty.json() as { Code: number }).Code, 1)
      await assert.rejects(ipfs.add(randomBytes(10), { chunker: 'size-zero' }), /chunker/)
      await assert.rejects(ipfs.add(randomBytes(10), { onlyHash: true }), /only-hash/)
      assert.deepEqual((await pinset(peers[0]!)).sort(), before.sort())
    })
  })

  describe('add goes through the cluster', function () {
    it('add with kubo-rpc-client: the root is a cluster pin with the default replication, readable from another peer', async function () {
      const content = randomBytes(700_000)
      const added = await ipfs.add(content, { pinName: 'proxied upload' } as Parameters<KuboRPCClient['add']>[1])
      assert.ok(added.size > content.length, 'the size of the whole DAG, as Kubo reports it')
      // another peer applies the commit soon after the writer's answer
      await eventually(async () => (await pinset(peers[1]!)).includes(added.cid.toString()), 'the pin reached another peer')
      const pin = await peers[1]!.rpc.call(undefined, 'Cluster', 'PinGet', added.cid.toString())
      assert.equal(pin.replication_factor_min, -1)
      assert.equal(pin.name, 'proxied upload')
      const other = proxyClient(peers[2]!)
      assert.deepEqual(concat(await collect(other.cat(added.cid))), new Uint8Array(content))
    })

    it('addAll with wrap-with-directory answers a line per file and the directory; pin=false only stores', async function () {
      const files = [{ path: 'a.txt', content: randomBytes(100) }, { path: 'b.txt', content: randomBytes(200) }]
      const added = await collect(ipfs.addAll(files, { wrapWithDirectory: true }))
      assert.deepEqual(added.map((a) => a.path), ['a.txt', 'b.txt', ''])
      const root = added[2]!.cid.toString()
      await eventually(async () => (await pinset(peers[1]!)).includes(root), 'the directory is pinned')
      assert.ok(!(await pinset(peers[0]!)).includes(added[0]!.cid.toString()), 'only the root is pinned')

      const loose = await ipfs.add(randomBytes(300), { pin: false })
      assert.ok(!(await pinset(peers[0]!)).includes(loose.cid.toString()))
      assert.equal((await ipfs.block.stat(loose.cid)).size > 0, true)
    })

    it('answers Kubo\'s NDJSON shape: Size as a string, progress lines with Bytes', async function () {
      const form = new FormData()
      form.append('file', new Blob([randomBytes(600_000)]), 'big.bin')
      const answer = await rawCall(peers[0]!, 'add', [['progress', 'true'], ['cid-version', '1']], { body: form })
      assert.equal(answer.status, 200)
      assert.equal(answer.headers.get('x-chunked-output'), '1')
      const lines = answer.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
      const last = lines.at(-1)!
      assert.deepEqual(Object.keys(last), ['Name', 'Hash', 'Size'])
      assert.equal(last.Name, 'big.bin')
      assert.equal(typeof last.Size, 'string')
      assert.match(String(last.Hash), /^bafy/)
      const progress = lines.slice(0, -1)
      assert.ok(progress.length >= 2)
      assert.ok(progress.every((p) => p.Name === 'big.bin' && typeof p.Bytes === 'number'))
      assert.equal(progress.at(-1)!.Bytes, 600_000)
    })
  })

  describe('repo', function () {
    it('repo/stat sums every peer\'s repo', async function () {
      const stat = await ipfs.repo.stat()
      assert.equal(stat.storageMax, BigInt(6 * GB))
      const sizes = await Promise.all(peers.map(async (p) => (await p.rpc.call(undefined, 'IPFSConnector', 'RepoStat', undefined)).repo_size))
      assert.ok(stat.repoSize > 0n)
      assert.ok(stat.repoSize >= BigInt(Math.min(...sizes)))
      const raw = await rawCall(peers[0]!, 'repo/stat')
      assert.deepEqual(Object.keys(raw.json() as object), ['RepoSize', 'StorageMax', 'NumObjects', 'RepoPath', 'Version'])
    })

    it('repo/gc collects unpinned blocks on the peers, answered in Kubo\'s streamed shape', async function () {
      const loose = await ipfs.block.put(randomBytes(300), { format: 'raw' })
      const pinned = await ipfs.block.put(randomBytes(300), { format: 'raw', pin: true })
      await eventually(async () => await peers[0]!.rpc.call(undefined, 'IPFSConnector', 'PinLsCid', pinned.toString()) === 'recursive', 'the pinned block is pinned on the node')
      const removed = await collect(ipfs.repo.gc())
      const keys = removed.map((r) => r.cid?.toString())
      assert.ok(keys.includes(loose.toString()), 'the unpinned block was collected')
      assert.ok(!keys.includes(pinned.toString()), 'the pinned block was kept')
      assert.ok(removed.every((r) => r.err == null))
    })
  })

  describe('reads answered from the embedded node', function () {
    it('id and version', async function () {
      const own = await peers[0]!.rpc.call(undefined, 'IPFSConnector', 'ID', undefined)
      const id = await ipfs.id()
      assert.equal(id.id.toString(), own.id)
      assert.ok(id.addresses.length > 0)
      assert.match(id.agentVersion, /^helia\//)
      assert.ok(id.protocols.includes('/ipfs/bitswap/1.2.0'))
      assert.notEqual(id.publicKey, '')
      const version = await ipfs.version()
      assert.match(version.version, /^\d+\.\d+\.\d+/)
    })

    it('cat (whole, offset and length), block/get, block/stat and refs of a UnixFS file', async function () {
      const content = randomBytes(5000)
      const dag = await buildDag({ 'file.bin': content })
      await putDag(dag)
      assert.deepEqual(concat(await collect(ipfs.cat(dag.root))), new Uint8Array(content))
      assert.deepEqual(concat(await collect(ipfs.cat(dag.root, { offset: 1500, length: 2000 }))), new Uint8Array(content.subarray(1500, 3500)))
      for (const block of dag.blocks) {
        assert.deepEqual(await ipfs.block.get(block.cid), block.bytes)
        assert.equal((await ipfs.block.stat(block.cid)).size, block.bytes.length)
      }
      const refs = await collect(ipfs.refs(dag.root, { recursive: true }))
      assert.deepEqual(refs.map((r) => r.ref).sort(), dag.blocks.filter((b) => !b.cid.equals(dag.root)).map((b) => b.cid.toString()).sort())
      assert.ok(refs.every((r) => r.err == null || String(r.err) === ''))
    })

    it('dag/get follows a path through links and answers dag-json', async function () {
      const leaf = await ipfs.dag.put({ deep: 'value' }, { storeCodec: 'dag-cbor' })
      const root = await ipfs.dag.put({ child: leaf, list: [1, 2] }, { storeCodec: 'dag-cbor' })
      const got = await ipfs.dag.get(root)
      assert.deepEqual(got.value, { child: leaf, list: [1, 2] })
      const viaPath = await rawCall(peers[0]!, 'dag/get', [['arg', `${root.toString()}/child/deep`]])
      assert.equal(viaPath.status, 200)
      assert.equal(viaPath.json(), 'value')
      const whole = await rawCall(peers[0]!, 'dag/get', [['arg', `/ipfs/${root.toString()}`]])
      assert.deepEqual(whole.json(), { child: { '/': leaf.toString() }, list: [1, 2] })
      assert.deepEqual(dagCbor.decode(await ipfs.block.get(root)), { child: leaf, list: [1, 2] })
    })

    it('swarm/peers lists the other peers\' IPFS nodes', async function () {
      const others = await Promise.all(peers.slice(1).map(async (p) => (await p.rpc.call(undefined, 'IPFSConnector', 'ID', undefined)).id))
      await eventually(async () => {
        const connected = (await ipfs.swarm.peers()).map((p) => p.peer.toString())
        return others.every((o) => connected.includes(o))
      }, 'the IPFS node is connected to the others')
      const peersAnswer = await ipfs.swarm.peers()
      assert.ok(peersAnswer.every((p) => p.addr.toString().startsWith('/ip4/127.0.0.1/tcp/')))
    })
  })
})
