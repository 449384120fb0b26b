/**
 * Pinning benchmark (issue 4), from one run:
 *  (a) 10,000 pin requests (REST, 64 at a time) for small blocks present on
 *      one peer's embedded IPFS node, replication 2 on 3 peers (separate
 *      processes): pins per second until every allocation reports `pinned`,
 *      against the embedded node's own raw pin rate (Helia `pins.add` of the
 *      same local blocks, 10 at a time: the tracker's concurrent_pins).
 *      Goal: >= 50% of raw.
 *  (b) see bench/pinning-list.bench.ts.
 * Usage: npm run bench:pinning [-- --pins 10000]
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { defaultServiceConfig } from '../src/config/index.ts'
import { startEmbeddedNode } from '../src/ipfsconn/embedded/node.ts'
import { ProcessCluster } from '../test/fixtures/process-cluster.ts'

const pinsArg = process.argv.indexOf('--pins')
const PINS = pinsArg > 0 ? Number(process.argv[pinsArg + 1]) : 10_000
const WRITERS = 64
const RAW_CONCURRENCY = 10

function fmt (n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

async function makeBlocks (n: number): Promise<Array<{ cid: CID, bytes: Uint8Array }>> {
  const out = []
  for (let i = 0; i < n; i++) {
    const bytes = new TextEncoder().encode(`bench block ${i} ${Math.random()} ${'x'.repeat(64)}`)
    out.push({ cid: CID.createV1(raw.code, await sha256.digest(bytes)), bytes })
  }
  return out
}

async function withConcurrency<T> (items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++] as T)
  }))
}

/** Stores the blocks in the embedded node kept under `folder` (its daemon not running). */
async function seed (folder: string, blocks: Array<{ cid: CID, bytes: Uint8Array }>): Promise<void> {
  const config = { ...defaultServiceConfig().ipfs_connector.embedded, listen_multiaddress: ['/ip4/127.0.0.1/tcp/0'] }
  const node = await startEmbeddedNode(folder, config)
  try {
    for (const b of blocks) await node.helia.blockstore.put(b.cid, b.bytes)
  } finally {
    await node.close()
  }
}

async function rawPinRate (dir: string, blocks: Array<{ cid: CID, bytes: Uint8Array }>): Promise<number> {
  const config = { ...defaultServiceConfig().ipfs_connector.embedded, listen_multiaddress: ['/ip4/127.0.0.1/tcp/0'] }
  const node = await startEmbeddedNode(dir, config)
  try {
    for (const b of blocks) await node.helia.blockstore.put(b.cid, b.bytes)
    const start = performance.now()
    await withConcurrency(blocks, RAW_CONCURRENCY, async (b) => {
      for await (const _ of node.helia.pins.add(b.cid)) { /* pinned block by block */ }
    })
    return blocks.length / ((performance.now() - start) / 1000)
  } finally {
    await node.close()
  }
}

async function countPinned (restUrl: string): Promise<number> {
  const res = await fetch(`${restUrl}/pins?local=true&filter=pinned`)
  if (res.status === 204) return 0
  const text = await res.text()
  return text.split('\n').filter((l) => l.length > 0).length
}

async function main (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pincluster-bench-pinning-'))
  const cluster = await ProcessCluster.create(3)
  try {
    const blocks = await makeBlocks(PINS)
    console.log(`bench:pinning: ${fmt(PINS)} small blocks, 3 peers (separate processes), replication 2`)

    const rawRate = await rawPinRate(join(dir, 'raw'), blocks)
    console.log(`  baseline: embedded node pins.add of local blocks, ${RAW_CONCURRENCY} at a time: ${fmt(rawRate)} pins/s`)

    for (const peer of cluster.peers) {
      const path = join(peer.folder, 'service.json')
      const c = JSON.parse(await readFile(path, 'utf8'))
      c.cluster.replication_factor_min = 2
      c.cluster.replication_factor_max = 2
      c.cluster.monitor_ping_interval = '2s'
      c.ipfs_connector.embedded.connect_swarms_delay = '500ms'
      for (const informer of Object.values(c.informer) as Array<{ metric_ttl: string }>) informer.metric_ttl = '4s'
      await writeFile(path, JSON.stringify(c, null, 2))
    }
    await seed(cluster.peers[0]!.folder, blocks)
    await cluster.startAll()
    // every peer must know every peer's metrics before allocations can use them
    for (const peer of cluster.peers) {
      for (;;) {
        const metrics = await (await fetch(`${peer.restUrl}/monitor/metrics/freespace`)).json() as unknown[]
        if (metrics.length === 3) break
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    }

    const start = performance.now()
    let failed = 0
    await withConcurrency(blocks, WRITERS, async (b) => {
      const res = await fetch(`${cluster.peers[0]!.restUrl}/pins/${b.cid.toString()}`, { method: 'POST' })
      if (!res.ok) failed++
      await res.arrayBuffer()
    })
    const requested = performance.now() - start
    let pinned = 0
    while (pinned < 2 * PINS) {
      pinned = (await Promise.all(cluster.peers.map(async (p) => countPinned(p.restUrl)))).reduce((a, b) => a + b, 0)
      if (pinned < 2 * PINS) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const elapsed = performance.now() - start
    const rate = PINS / (elapsed / 1000)
    console.log(`  (a) cluster: ${fmt(PINS)} pin requests accepted in ${fmt(requested)} ms (${failed} refused); all ${fmt(2 * PINS)} allocations pinned after ${fmt(elapsed)} ms`)
    console.log(`      ${fmt(rate)} pins/s = ${(100 * rate / rawRate).toFixed(0)}% of the raw rate (goal >= 50%)`)
  } finally {
    await Promise.allSettled(cluster.peers.map(async (p) => cluster.stop(p)))
    await cluster.destroy()
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
