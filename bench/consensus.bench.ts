/**
 * Consensus benchmark (issue 3): pins per second committed on a 3-peer
 * cluster of separate processes (a write is acknowledged only once a majority
 * persisted it), with 1 and 64 concurrent writers, p50/p99 latency; and, in
 * the same run, the baseline of one process writing synced batches of the
 * same entries to LevelDB. Goal: >= 2,000 pins/s with 64 writers.
 * Usage: npm run bench:consensus [-- --seconds 5]
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { ClassicLevel } from 'classic-level'
import { initConfig, resolveServiceConfig, serializeServiceConfig } from '../src/config/index.ts'
import { writeFile } from 'node:fs/promises'
import type { ChildProcess } from 'node:child_process'

const secondsArg = process.argv.indexOf('--seconds')
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 5
const PEERS = 3

interface Peer { child: ChildProcess, id: string, ask: (msg: object) => Promise<any> }

async function startPeer (folder: string): Promise<Peer> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./consensus-peer.ts', import.meta.url)), folder], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]()
  const next = async (): Promise<any> => {
    const r = await lines.next()
    if (r.done === true) throw new Error('peer exited')
    return JSON.parse(r.value)
  }
  const ready = await next() as { ready: string }
  return {
    child,
    id: ready.ready,
    ask: async (msg) => { child.stdin?.write(JSON.stringify(msg) + '\n'); return next() }
  }
}

async function levelBaseline (dir: string, batch: number): Promise<number> {
  const db = new ClassicLevel<string, Uint8Array>(join(dir, `baseline-${batch}`), { valueEncoding: 'view' })
  await db.open()
  const value = new Uint8Array(400) // about the size of a pin entry
  let n = 0
  const deadline = performance.now() + SECONDS * 1000
  const start = performance.now()
  while (performance.now() < deadline) {
    const ops = Array.from({ length: batch }, () => ({ type: 'put' as const, key: String(n++).padStart(12, '0'), value }))
    await db.batch(ops, { sync: true })
  }
  const rate = n / ((performance.now() - start) / 1000)
  await db.close()
  return rate
}

function fmt (n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

async function main (): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'pincluster-bench-consensus-'))
  console.log(`consensus benchmark: ${PEERS} peer processes on loopback, ${SECONDS}s per measurement, node ${process.version}`)
  try {
    const folders = Array.from({ length: PEERS }, (_, i) => join(root, `peer${i}`))
    const made = []
    for (const f of folders) made.push(await initConfig(f, { randomPorts: true }))
    const secret = JSON.parse(await readFile(join(folders[0] ?? '', 'service.json'), 'utf8')).cluster.secret as string
    for (const f of folders) {
      const path = join(f, 'service.json')
      const text = await readFile(path, 'utf8')
      const json = JSON.parse(text)
      json.cluster.secret = secret
      json.consensus = { raft: { ...(json.consensus?.raft ?? {}), init_peerset: made.map((m) => m.peerId) } }
      // peers find each other through peer_addresses until they remember each other
      json.cluster.peer_addresses = []
      await writeFile(path, serializeServiceConfig(resolveServiceConfig(JSON.stringify(json))))
    }
    // every peer must be able to dial the others: give each the others' addresses
    for (const [i, f] of folders.entries()) {
      const path = join(f, 'service.json')
      const json = JSON.parse(await readFile(path, 'utf8'))
      json.cluster.peer_addresses = []
      for (const [j, g] of folders.entries()) {
        if (i === j) continue
        const other = JSON.parse(await readFile(join(g, 'service.json'), 'utf8'))
        const port = String(other.cluster.listen_multiaddress[0]).split('/').at(-1)
        json.cluster.peer_addresses.push(`/ip4/127.0.0.1/tcp/${port}/p2p/${made[j]?.peerId}`)
      }
      await writeFile(path, JSON.stringify(json, null, 2))
    }

    const peers = await Promise.all(folders.map(async (f) => startPeer(f)))
    const { leader } = await peers[0]!.ask({ cmd: 'leader' }) as { leader: string }
    const onLeader = peers.find((p) => p.id === leader) ?? peers[0]!
    const onFollower = peers.find((p) => p.id !== leader) ?? peers[0]!

    console.log('\ncommitted pins per second (acknowledged after a majority persisted them)')
    for (const [label, peer] of [['writers on the leader', onLeader], ['writers on a follower (forwarded)', onFollower]] as const) {
      for (const writers of [1, 64]) {
        const r = await peer.ask({ cmd: 'load', writers, seconds: SECONDS }) as { perSecond: number, p50: number, p99: number }
        console.log(`${`${writers} writer(s), ${label}`.padEnd(50)} ${fmt(r.perSecond).padStart(8)} pins/s   p50 ${r.p50.toFixed(1)} ms   p99 ${r.p99.toFixed(1)} ms${writers === 64 ? '   goal >= 2,000' : ''}`)
      }
    }
    for (const p of peers) p.child.stdin?.end()
    await Promise.all(peers.map(async (p) => once(p.child, 'exit')))

    console.log('\nbaseline: one process writing synced batches to LevelDB (400-byte values)')
    for (const batch of [1, 64]) {
      console.log(`${`batches of ${batch}`.padEnd(50)} ${fmt(await levelBaseline(root, batch)).padStart(8)} entries/s`)
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

await main()
