/**
 * Add benchmark (part of bench:api): `POST /add` of one generated file
 * (1 GiB by default, made as it is sent, never written to disk) to a 3-peer
 * cluster of separate daemon processes, replication 2: MB/s from the first
 * byte sent to the answer's end (every block stored on both allocated
 * peers, the root pinned), against the baseline below, and the daemons'
 * memory.
 *
 * Baseline: the same bytes imported into an embedded IPFS node (the one the
 * daemons run) directly, in this process: ipfs-unixfs-importer with the
 * same options writing to the node's own blockstore. It is the work an add
 * cannot avoid (chunking, hashing, storing once); the cluster adds the HTTP
 * upload, the multipart parsing and sending every block to two peers over
 * the RPC. Goal: the daemon's peak RSS < 300 MB.
 */
import { createCipheriv } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { defaultServiceConfig } from '../src/config/index.ts'
import { startEmbeddedNode } from '../src/ipfsconn/embedded/node.ts'
import { ProcessCluster } from '../test/fixtures/process-cluster.ts'

const MiB = 1024 * 1024
const BOUNDARY = 'pincluster-bench-boundary'

export interface AddBenchOptions {
  /** Bytes to upload. */
  size: number
}

/** `size` bytes that look random (AES-CTR of zeros), made as they are read. */
function * generated (size: number, chunk = 256 * 1024): Generator<Buffer> {
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 42), Buffer.alloc(16, 0))
  const zeros = Buffer.alloc(chunk)
  for (let sent = 0; sent < size; sent += chunk) yield cipher.update(zeros.subarray(0, Math.min(chunk, size - sent)))
}

function mbPerSecond (bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000)
}

/** Imports the bytes into an embedded node of its own: the baseline. */
async function baseline (size: number): Promise<{ ms: number, cid: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'pincluster-bench-add-'))
  const config = { ...defaultServiceConfig().ipfs_connector.embedded, listen_multiaddress: ['/ip4/127.0.0.1/tcp/0'] }
  const node = await startEmbeddedNode(dir, config)
  try {
    const start = performance.now()
    let cid = ''
    const options = { cidVersion: 0 as const, rawLeaves: false, chunker: fixedSize({ chunkSize: 262144 }), layout: balanced({ maxChildrenPerNode: 174 }) }
    for await (const entry of importer([{ path: 'bench.bin', content: generated(size) }], node.helia.blockstore, options)) cid = entry.cid.toString()
    return { ms: performance.now() - start, cid }
  } finally {
    await node.close()
    await rm(dir, { recursive: true, force: true })
  }
}

interface Answer {
  status: number
  body: string
  streamError: string
}

async function upload (url: string, size: number): Promise<Answer> {
  const body = Readable.from((function * () {
    yield Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bench.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`)
    yield * generated(size)
    yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`)
  })(), { objectMode: false })
  return new Promise((resolve, reject) => {
    const req = request(`${url}/add?replication=2`, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: text, streamError: res.trailers['x-stream-error'] ?? '' }) })
      res.on('error', reject)
    })
    req.on('error', reject)
    body.pipe(req)
  })
}

/** A process's memory from /proc: the kernel's high-water mark (VmHWM) and the anonymous part now (RssAnon), in MB. */
async function memoryMb (pid: number): Promise<{ hwm: number, anon: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024
  return { hwm: kb('VmHWM'), anon: kb('RssAnon') }
}

export async function benchAdd (options: AddBenchOptions): Promise<void> {
  const { size } = options
  console.log(`bench:api add: POST /add of ${(size / MiB).toFixed(0)} MiB (generated on the fly) to 3 peers (separate processes), replication 2`)
  const base = await baseline(size)
  console.log(`  baseline: the same bytes imported into an embedded IPFS node directly: ${mbPerSecond(size, base.ms).toFixed(1)} MB/s`)

  const cluster = await ProcessCluster.create(3)
  try {
    await cluster.startAll()
    const entry = cluster.peers[0]!
    const pids = cluster.peers.map((p) => p.child?.pid ?? 0)
    // the allocator needs every peer's metrics: the first add waits for them
    const deadline = Date.now() + 60_000
    let warm: Answer
    do {
      warm = await upload(entry.restUrl, 1024 * 1024)
      if (warm.status === 200 && warm.streamError === '') break
      await new Promise((resolve) => setTimeout(resolve, 500))
    } while (Date.now() < deadline)
    if (warm.status !== 200) throw new Error(`the cluster does not take uploads: ${warm.status} ${warm.body}`)

    const peakAnon = pids.map(() => 0)
    const sampler = setInterval(() => {
      void Promise.all(pids.map(memoryMb)).then((m) => { m.forEach((v, i) => { peakAnon[i] = Math.max(peakAnon[i] ?? 0, v.anon) }) }, () => {})
    }, 250)
    const start = performance.now()
    let answer: Answer
    try {
      answer = await upload(entry.restUrl, size)
    } finally {
      clearInterval(sampler)
    }
    const ms = performance.now() - start
    if (answer.status !== 200 || answer.streamError !== '') throw new Error(`POST /add failed: ${answer.status} ${answer.body} ${answer.streamError}`)
    const added = JSON.parse(answer.body.trim().split('\n').at(-1) ?? '{}') as { cid?: string }
    if (added.cid !== base.cid) throw new Error(`the cluster made ${added.cid}, the baseline ${base.cid}`)
    const rate = mbPerSecond(size, ms)
    const memory = await Promise.all(pids.map(memoryMb))
    console.log(`  POST /add: ${rate.toFixed(1)} MB/s = ${(rate / mbPerSecond(size, base.ms)).toFixed(2)} of the baseline (${(ms / 1000).toFixed(1)} s, root ${added.cid})`)
    console.log(`  daemons' peak RSS (VmHWM; the peer receiving the upload first): ${memory.map((m) => `${m.hwm.toFixed(0)} MB`).join(', ')} (goal < 300 MB)`)
    console.log(`  daemons' peak anonymous RSS while adding (sampled; VmHWM also counts LevelDB's mapped table files): ${peakAnon.map((m) => `${m.toFixed(0)} MB`).join(', ')}`)
  } finally {
    await Promise.allSettled(cluster.peers.map(async (p) => cluster.stop(p)))
    await cluster.destroy()
  }
}
