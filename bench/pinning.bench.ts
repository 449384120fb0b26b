/**
 * Pinning benchmark (issue 4), from one run:
 *  (a) 10,000 pin requests (REST, 64 at a time) for small blocks present on
 *      one peer's embedded IPFS node, replication 2 on 3 peers (separate
 *      processes): pins per second until every allocation reports `pinned`,
 *      against the embedded node's own raw pin rate (Helia `pins.add` of the
 *      same local blocks, 10 at a time: the tracker's concurrent_pins).
 *      Goal: >= 50% of raw.
 *  (b) a 1,000,000-pin state on 3 peers (seeded with `state import`): `GET
 *      /pins` streamed to the end: time to the first item, items per second
 *      against a plain scan of the same datastore, and the daemons' peak RSS.
 *      Goals: first item < 1 s, >= 1/3 of the scan rate, RSS < 400 MB.
 * Usage: npm run bench:pinning [-- --pins 10000 --state 1000000 --only a|b]
 */
import { spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { parsePin } from '../src/api/pin.ts'
import { defaultServiceConfig } from '../src/config/index.ts'
import { pinStatePath } from '../src/consensus/paths.ts'
import { PinState } from '../src/state/index.ts'
import { SERVICE_BIN } from '../test/fixtures/processes.ts'
import { startEmbeddedNode } from '../src/ipfsconn/embedded/node.ts'
import { ProcessCluster } from '../test/fixtures/process-cluster.ts'

const pinsArg = process.argv.indexOf('--pins')
const PINS = pinsArg > 0 ? Number(process.argv[pinsArg + 1]) : 10_000
const stateArg = process.argv.indexOf('--state')
const STATE = stateArg > 0 ? Number(process.argv[stateArg + 1]) : 1_000_000
const onlyArg = process.argv.indexOf('--only')
const ONLY = onlyArg > 0 ? process.argv[onlyArg + 1] : undefined
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

/** How many pins have one of the statuses (comma-separated) on the peer. */
async function countLocal (restUrl: string, filter: string): Promise<number> {
  const res = await fetch(`${restUrl}/pins?local=true&filter=${filter}`)
  if (res.status === 204) return 0
  const text = await res.text()
  return text.split('\n').filter((l) => l.length > 0).length
}

async function benchPinning (): Promise<void> {
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
    // waiting must not take the CPU the pinning needs: while any peer has operations, only they are
    // listed (cheap); the full count of pinned statuses is taken when none is left
    let pinned = 0
    while (pinned < 2 * PINS) {
      const busy = (await Promise.all(cluster.peers.map(async (p) => countLocal(p.restUrl, 'pin_queued,pinning,pin_error')))).reduce((a, b) => a + b, 0)
      if (busy === 0) pinned = (await Promise.all(cluster.peers.map(async (p) => countLocal(p.restUrl, 'pinned')))).reduce((a, b) => a + b, 0)
      // a listing of thousands of queued operations is not free either: look twice a second (at most 0.5 s late)
      if (pinned < 2 * PINS) await new Promise((resolve) => setTimeout(resolve, 500))
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

/** The pins of the (b) state: raw CIDs of a counter, replicated everywhere, as NDJSON of Pin JSON. */
async function writeStateFile (file: string, n: number): Promise<void> {
  const out = createWriteStream(file)
  const now = new Date().toISOString()
  for (let i = 0; i < n; i++) {
    const cid = CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(`state pin ${i}`))).toString()
    const pin = { ...parsePin({ cid, name: `pin-${i}`, replication_factor_min: -1, replication_factor_max: -1, timestamp: now }) }
    if (!out.write(JSON.stringify(pin) + '\n')) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}

async function scanRate (folder: string): Promise<{ rate: number, count: number }> {
  const state = new PinState(pinStatePath(folder))
  await state.open()
  try {
    const start = performance.now()
    let count = 0
    for await (const _ of state.list()) count++
    return { rate: count / ((performance.now() - start) / 1000), count }
  } finally {
    await state.close()
  }
}

/** CPU time (user + system) a process has used so far, in ms. */
async function cpuMs (pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /s, '').split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** The kernel's high-water mark of a process's resident memory, in MB. */
async function peakRssMb (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024
}

async function run (cmd: string[]): Promise<void> {
  const child = spawn(process.execPath, cmd, { stdio: ['ignore', 'ignore', 'inherit'] })
  const [code] = await once(child, 'exit') as [number | null]
  if (code !== 0) throw new Error(`${cmd.join(' ')} exited with ${code}`)
}

async function benchListing (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pincluster-bench-list-'))
  const cluster = await ProcessCluster.create(3)
  try {
    console.log(`bench:pinning (b): GET /pins over a ${fmt(STATE)}-pin state on 3 peers (separate processes)`)
    const file = join(dir, 'state.ndjson')
    await writeStateFile(file, STATE)
    const importStart = performance.now()
    await Promise.all(cluster.peers.map(async (p) => run([SERVICE_BIN, '--config', p.folder, 'state', 'import', file])))
    console.log(`  state import on the 3 peers: ${fmt(performance.now() - importStart)} ms`)
    const scan = await scanRate(cluster.peers[0]!.folder)
    console.log(`  baseline: plain scan of the pinset datastore: ${fmt(scan.rate)} pins/s (${fmt(scan.count)} pins)`)

    await cluster.startAll()
    const pids = cluster.peers.map((p) => p.child?.pid ?? 0)
    const cpuBefore = await Promise.all(pids.map(cpuMs))
    const start = performance.now()
    const clientBefore = process.cpuUsage()
    const res = await fetch(`${cluster.peers[0]!.restUrl}/pins`)
    if (res.body == null) throw new Error(`GET /pins answered ${res.status}`)
    let first = 0
    let items = 0
    // counting newlines in the bytes: the client shares the 2 cores with the daemons, decoding text would take theirs
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (first === 0) first = performance.now() - start
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) items++
    }
    const elapsed = performance.now() - start
    const rate = items / (elapsed / 1000)
    const cpu = (await Promise.all(pids.map(cpuMs))).map((ms, i) => ms - (cpuBefore[i] ?? 0))
    const client = process.cpuUsage(clientBefore)
    const rss = await Promise.all(pids.map(peakRssMb))
    console.log(`  (b) first item after ${fmt(first)} ms (goal < 1,000 ms); ${fmt(items)} items in ${fmt(elapsed)} ms`)
    console.log(`      ${fmt(rate)} items/s = ${(rate / scan.rate).toFixed(2)} of the scan rate (goal >= 0.33)`)
    console.log(`      CPU time of the daemons during the listing: ${cpu.map((ms) => `${fmt(ms)} ms`).join(', ')} (${cpu.map((ms) => `${fmt(ms * 1000 / Math.max(items, 1))} µs`).join(', ')} per item; this client ${fmt((client.user + client.system) / Math.max(items, 1))} µs)`)
    console.log(`      peak RSS of the daemons: ${rss.map((r) => `${fmt(r)} MB`).join(', ')} (goal < 400 MB)`)
  } finally {
    await Promise.allSettled(cluster.peers.map(async (p) => cluster.stop(p)))
    await cluster.destroy()
    await rm(dir, { recursive: true, force: true })
  }
}

if (ONLY !== 'b') await benchPinning()
if (ONLY !== 'a') await benchListing()
