/**
 * RPC benchmark (issue 2). On loopback with the cluster secret on, from one run:
 *  (a) local-shortcut call vs a direct call of the same async function (goal <= 3x)
 *  (b) remote unary calls/s, 1 and 64 in flight, 64 B and 16 KiB payloads, against
 *      an echo opening a fresh stream per message (goal: RPC >= 80%) and an echo
 *      over one long-lived stream (goal: RPC >= 50% at 64 in flight)
 *  (c) multiCall to 4 peers vs one call (goal: <= 2x the latency), with the CPU
 *      each process spends per operation
 *  (d) streaming: items/s of one remote `rpc.stream` of ~300 B status items against
 *      the same bytes written raw over one long-lived stream
 * The other peers are separate processes: this file run with `--peer`.
 * Usage: npm run bench:rpc [-- --seconds 2] [--items 100000] [--only a,b,c,d]
 */
import { LengthPrefixedDecoder, lpStream } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import { Uint8ArrayList } from 'uint8arraylist'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { fromString as fromHex } from 'uint8arrays/from-string'
import { toString as toHex } from 'uint8arrays/to-string'
import { RpcClient } from '../src/rpc/client.ts'
import { encodeFrame } from '../src/rpc/frames.ts'
import { RpcServer } from '../src/rpc/server.ts'
import { randomSecret, startHost } from '../test/fixtures/hosts.ts'
import { TestHandlers, testMethods } from '../test/fixtures/test-api.ts'
import { FRESH_ECHO, LONG_ECHO } from './rpc-peer-protocols.ts'
import type { MethodTable, StreamMethod } from '../src/rpc/types.ts'
import type { PinInfoJson } from '../src/api/types.ts'
import type { TestApi } from '../test/fixtures/test-api.ts'
import type { TestHost } from '../test/fixtures/hosts.ts'
import type { PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { ChildProcess } from 'node:child_process'

function numberArg (name: string, fallback: number): number {
  const i = process.argv.indexOf(name)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}
const SECONDS = numberArg('--seconds', 2)
const ITEMS = numberArg('--items', 100_000)
const onlyArg = process.argv.indexOf('--only')
const ONLY = new Set(onlyArg > 0 ? (process.argv[onlyArg + 1] ?? '').split(',') : ['a', 'b', 'c', 'd'])

/** Raw bytes, for the streaming baseline: the caller asks for `total` bytes in writes of `chunk` bytes. */
const SOURCE = '/bench/source/1'

type BenchApi = TestApi & {
  Bench: {
    /** n status items (a PinInfo as the pin tracker streams it, ~300 B of CBOR). */
    Status: StreamMethod<{ n: number }, PinInfoJson>
  }
}

const benchMethods: MethodTable<BenchApi> = {
  ...testMethods,
  Bench: { Status: { policy: 'open', kind: 'stream' } }
}

/** Distinct status items, as a peer's pin tracker would list them. */
function statusItems (count: number, peer: string): PinInfoJson[] {
  return Array.from({ length: count }, (_, i) => {
    const digest = Digest.create(0x12, createHash('sha256').update(String(i)).digest())
    return {
      cid: CID.createV1(0x55, digest).toString(),
      name: `pin-${i}`,
      peer,
      allocations: [],
      origins: [],
      created: '2026-11-22T05:00:00Z',
      metadata: null,
      peername: 'bench-peer',
      ipfs_peer_id: peer,
      status: 'pinned',
      timestamp: '2026-11-22T05:00:01Z',
      error: '',
      attempt_count: 0,
      priority_pin: false
    }
  })
}

/** CPU time (user + system, µs) a process has used so far; undefined where /proc is missing. */
function cpuMicros (pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) * 1e6 / 100 // clock ticks, USER_HZ = 100
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------------------
// the peer process
// ---------------------------------------------------------------------------

async function runPeer (): Promise<void> {
  const { host } = await startHost(fromHex(process.env.BENCH_SECRET ?? '', 'base16'))
  const server = new RpcServer<BenchApi>({ host, methods: benchMethods })
  const handlers = new TestHandlers()
  server.register('Test', handlers.Test)
  server.register('Guarded', handlers.Guarded)
  const items = statusItems(1024, host.peerId.toString())
  server.register('Bench', {
    Status: async function * ({ n }) {
      for (let i = 0; i < n; i++) yield items[i % items.length] as PinInfoJson
    }
  })
  await server.start()

  await host.handle(FRESH_ECHO, async (stream) => {
    const lp = lpStream(stream)
    const msg = await lp.read()
    await lp.write(msg)
    await stream.close()
  }, { maxInboundStreams: 1024, maxOutboundStreams: 1024 })
  // raw byte echo: the cheapest possible server, so this baseline is the connection's limit
  await host.handle(LONG_ECHO, (stream) => {
    stream.addEventListener('message', (evt) => { stream.send(evt.data) })
  })
  // raw source: each 8-byte request [total, chunk] (u32 BE) is answered with `total` bytes in writes of `chunk`
  await host.handle(SOURCE, (stream) => {
    const requests = new Uint8ArrayList()
    let sending = Promise.resolve()
    stream.addEventListener('message', (evt) => {
      requests.append(evt.data)
      while (requests.byteLength >= 8) {
        const total = requests.getUint32(0)
        const chunk = requests.getUint32(4)
        requests.consume(8)
        sending = sending.then(async () => {
          const block = new Uint8Array(chunk).fill(7)
          for (let sent = 0; sent < total; sent += chunk) {
            const bytes = sent + chunk <= total ? block : block.subarray(0, total - sent)
            // not stream.onDrain(): its promise is never renewed, so after the first drain it stops waiting
            // (and a writer that never waits blocks the event loop until libp2p's pings time out)
            if (!stream.send(bytes) && stream.writableNeedsDrain) {
              await new Promise<void>((resolve) => { stream.addEventListener('drain', () => { resolve() }, { once: true }) })
            }
          }
        })
      }
    })
  })

  const stop = async (): Promise<void> => {
    await server.stop()
    await host.stop()
    process.exit(0)
  }
  process.on('SIGTERM', () => { void stop() })
  process.stdin.on('end', () => { void stop() })
  process.stdin.resume()
  console.log(host.getMultiaddrs()[0]?.toString())
}

// ---------------------------------------------------------------------------
// the measuring process
// ---------------------------------------------------------------------------

/** Runs `op` with `inFlight` concurrent loops for SECONDS; returns operations per second. */
async function throughput (inFlight: number, op: () => Promise<unknown>): Promise<number> {
  const deadline = performance.now() + SECONDS * 1000
  let count = 0
  const start = performance.now()
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (performance.now() < deadline) {
      await op()
      count++
    }
  }))
  return count / ((performance.now() - start) / 1000)
}

function fmt (n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2)
}

function row (label: string, value: string, ratio: string, goal: string): void {
  console.log(`${label.padEnd(52)} ${value.padStart(14)} ${ratio.padStart(10)}  ${goal}`)
}

/** Starts a benchmark peer process; resolves with its multiaddr once it listens. */
async function spawnPeer (secretHex: string): Promise<{ child: ChildProcess, addr: Multiaddr }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--peer'], {
    env: { ...process.env, BENCH_SECRET: secretHex },
    stdio: ['pipe', 'pipe', 'inherit']
  })
  const [line] = await once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), 'line') as [string]
  return { child, addr: multiaddr(line) }
}

async function freshStreamEcho (from: TestHost['host'], to: PeerId, payload: Uint8Array): Promise<void> {
  const stream = await from.dialProtocol(to, FRESH_ECHO, { negotiateFully: false, maxOutboundStreams: 1024 })
  const lp = lpStream(stream)
  await lp.write(payload)
  await lp.read()
  await stream.close()
}

/** Sends length-prefixed messages on one stream; each echo resolves the oldest waiter (FIFO). */
class LongStreamEcho {
  private readonly stream: Stream
  private readonly waiters: Array<() => void> = []
  private readonly decoder = new LengthPrefixedDecoder({ maxDataLength: 1 << 20, maxBufferSize: 64 << 20 })

  constructor (stream: Stream) {
    this.stream = stream
    stream.addEventListener('message', (evt) => {
      for (const _ of this.decoder.decode(evt.data)) this.waiters.shift()?.()
    })
  }

  async echo (payload: Uint8Array): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>()
    this.waiters.push(resolve)
    this.stream.send(new Uint8ArrayList(varint.encode(payload.byteLength), payload))
    await promise
  }
}

/** The raw-bytes side of (d): one long-lived stream; each fetch asks for `total` bytes in writes of `chunk`. */
class RawSource {
  private readonly stream: Stream
  private received = 0
  private target = 0
  private done: (() => void) | undefined

  constructor (stream: Stream) {
    this.stream = stream
    stream.addEventListener('message', (evt) => {
      this.received += evt.data.byteLength
      if (this.received >= this.target) this.done?.()
    })
  }

  async fetch (total: number, chunk: number): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>()
    this.received = 0
    this.target = total
    this.done = resolve
    const request = new Uint8Array(8)
    const view = new DataView(request.buffer)
    view.setUint32(0, total)
    view.setUint32(4, chunk)
    this.stream.send(request)
    await promise
  }
}

/** Items per second of `run`, which moves `items` items; the best of `rounds`. */
async function itemsPerSecond (items: number, rounds: number, run: () => Promise<unknown>): Promise<number> {
  let best = 0
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now()
    await run()
    best = Math.max(best, items / ((performance.now() - t0) / 1000))
  }
  return best
}

async function main (): Promise<void> {
  console.log(`RPC benchmark: loopback, private network on, ${SECONDS}s per measurement, node ${process.version}`)

  // (a) local shortcut, in this process
  const secret = randomSecret()
  const local = await startHost(secret)
  const server = new RpcServer<BenchApi>({ host: local.host, methods: benchMethods })
  const handlers = new TestHandlers()
  server.register('Test', handlers.Test)
  server.register('Guarded', handlers.Guarded)
  await server.start()
  const client = new RpcClient<BenchApi>({ host: local.host, server })
  const direct = handlers.Test.Echo
  const ctx = { signal: new AbortController().signal }
  const N = 2_000_000
  const time = async (f: () => Promise<unknown>): Promise<number> => {
    for (let i = 0; i < 50_000; i++) await f() // warm up
    const t0 = performance.now()
    for (let i = 0; i < N; i++) await f()
    return (performance.now() - t0) * 1e6 / N
  }
  if (ONLY.has('a')) {
    const directNs = await time(async () => direct(1, ctx))
    const localNs = await time(async () => client.call(undefined, 'Test', 'Echo', 1))
    console.log('\n(a) local shortcut vs direct call (ns per call)')
    row('direct call of the handler', fmt(directNs) + ' ns', '', '')
    row('rpc.call to the local peer', fmt(localNs) + ' ns', (localNs / directNs).toFixed(2) + 'x', 'goal <= 3x')
  }

  // (b) remote unary throughput
  // (b), (c) and (d): the other peers are separate processes, as in a real cluster
  const remote = await Promise.all(Array.from({ length: 4 }, async () => spawnPeer(toHex(secret, 'base16'))))
  const others: PeerId[] = []
  for (const r of remote) others.push((await local.host.dial(r.addr)).remotePeer)
  const b = others[0] as PeerId
  if (ONLY.has('b')) console.log('\n(b) remote unary calls per second, this process -> one peer process')
  const longStream = new LongStreamEcho(await local.host.dialProtocol(b, LONG_ECHO))
  await client.call(b, 'Test', 'Echo', 'warm')
  if (ONLY.has('b')) {
    // warm up (the JIT, both processes), or the first measurement runs cold code
    const warm = new Uint8Array(64)
    await throughput(64, async () => client.call(b, 'Test', 'Echo', warm))
    await throughput(1, async () => client.call(b, 'Test', 'Echo', warm))
    await throughput(1, async () => longStream.echo(warm))
  }
  for (const size of ONLY.has('b') ? [64, 16 * 1024] : []) {
    const payload = crypto.getRandomValues(new Uint8Array(size))
    for (const inFlight of [1, 64]) {
      const rpc = await throughput(inFlight, async () => client.call(b, 'Test', 'Echo', payload))
      const fresh = await throughput(inFlight, async () => freshStreamEcho(local.host, b, payload))
      const long = await throughput(inFlight, async () => longStream.echo(payload))
      const label = `${size === 64 ? '64 B' : '16 KiB'}, ${inFlight} in flight`
      row(`${label}: rpc`, fmt(rpc) + '/s', '', '')
      row(`${label}: echo, fresh stream per message`, fmt(fresh) + '/s', (rpc / fresh * 100).toFixed(0) + '%', 'goal rpc >= 80%')
      row(`${label}: echo, one long-lived stream`, fmt(long) + '/s', (rpc / long * 100).toFixed(0) + '%', inFlight === 64 ? 'goal rpc >= 50%' : '(no goal)')
    }
  }

  // (c) multiCall latency; the floor is the same message echoed over long-lived streams to 4 peers at once.
  // The CPU columns: µs of CPU per operation in this process / in each peer process that took part.
  if (ONLY.has('c')) await measureMultiCall(client, local.host, others, remote)
  if (ONLY.has('d')) await measureStreaming(client, local.host, others)

  await client.stop()
  await server.stop()
  await local.host.stop()
  for (const r of remote) r.child.kill('SIGTERM')
}

async function measureMultiCall (client: RpcClient<BenchApi>, host: TestHost['host'], others: PeerId[], remote: Array<{ child: ChildProcess }>): Promise<void> {
  const b = others[0] as PeerId
  console.log('\n(c) latency, one call vs multiCall to 4 peers (1 in flight, 64 B); CPU µs per operation: caller / peers')
  await client.multiCall(others, 'Test', 'Echo', 'warm')
  const small = new Uint8Array(64)
  const echoes = await Promise.all(others.map(async (p) => new LongStreamEcho(await host.dialProtocol(p, LONG_ECHO))))
  const withCpu = async (peers: number, op: () => Promise<unknown>): Promise<{ rate: number, cpu: string }> => {
    const self0 = process.cpuUsage()
    const peers0 = remote.map((r) => cpuMicros(r.child.pid ?? 0))
    const t0 = performance.now()
    let count = 0
    const deadline = t0 + SECONDS * 1000
    while (performance.now() < deadline) {
      await op()
      count++
    }
    const rate = count / ((performance.now() - t0) / 1000)
    const self = process.cpuUsage(self0)
    const perOp = (us: number): string => (us / count).toFixed(0)
    const peerCpu = remote.slice(0, peers).map((r, i) => {
      const now = cpuMicros(r.child.pid ?? 0)
      const before = peers0[i]
      return now == null || before == null ? '?' : perOp(now - before)
    })
    return { rate, cpu: `${perOp(self.user + self.system)} / ${peerCpu.join(' ')}` }
  }
  // warm every peer up (the JIT): peers that only (c) uses would otherwise run cold code at first
  const ops: Array<() => Promise<unknown>> = [
    async () => client.call(b, 'Test', 'Echo', small),
    async () => client.multiCall(others, 'Test', 'Echo', small),
    async () => echoes[0]?.echo(small),
    async () => Promise.all(echoes.map(async (e) => e.echo(small)))
  ]
  for (const op of ops) await throughput(1, op)
  const one = await withCpu(1, async () => client.call(b, 'Test', 'Echo', small))
  const multi = await withCpu(4, async () => client.multiCall(others, 'Test', 'Echo', small))
  const oneEcho = await withCpu(1, async () => echoes[0]?.echo(small))
  const fourEcho = await withCpu(4, async () => Promise.all(echoes.map(async (e) => e.echo(small))))
  row('one call', fmt(1e6 / one.rate) + ' µs', '', `cpu ${one.cpu}`)
  row('multiCall to 4 peers', fmt(1e6 / multi.rate) + ' µs', (one.rate / multi.rate).toFixed(2) + 'x', `goal <= 2x; cpu ${multi.cpu}`)
  row('floor: one echo on a long-lived stream', fmt(1e6 / oneEcho.rate) + ' µs', '', `cpu ${oneEcho.cpu}`)
  row('floor: echo to 4 peers at once', fmt(1e6 / fourEcho.rate) + ' µs', (oneEcho.rate / fourEcho.rate).toFixed(2) + 'x', `(the stack's own ratio); cpu ${fourEcho.cpu}`)
}

/** (d) streaming throughput: ~300 B items from one peer, against the same bytes written raw. */
async function measureStreaming (client: RpcClient<BenchApi>, host: TestHost['host'], others: PeerId[]): Promise<void> {
  const b = others[0] as PeerId
  const sample = statusItems(1, b.toString())[0] as PinInfoJson
  const frameBytes = encodeFrame([5, sample], 1 << 20).byteLength
  console.log(`\n(d) streaming ${fmt(ITEMS)} status items of ${frameBytes} B (as framed), one peer process -> this process`)
  const drain = async (it: AsyncIterable<unknown>): Promise<void> => {
    let n = 0
    for await (const _ of it) n++
    if (n !== ITEMS) throw new Error(`expected ${ITEMS} items, got ${n}`)
  }
  const raw = new RawSource(await host.dialProtocol(b, SOURCE))
  await drain(client.stream(b, 'Bench', 'Status', { n: ITEMS })) // warm up
  await raw.fetch(ITEMS * frameBytes, 64 * 1024)
  const rpcRate = await itemsPerSecond(ITEMS, 2, async () => drain(client.stream(b, 'Bench', 'Status', { n: ITEMS })))
  const rawBulk = await itemsPerSecond(ITEMS, 2, async () => raw.fetch(ITEMS * frameBytes, 64 * 1024))
  const rawPerItem = await itemsPerSecond(ITEMS, 2, async () => raw.fetch(ITEMS * frameBytes, frameBytes))
  const mb = (items: number): string => `${(items * frameBytes / 1e6).toFixed(1)} MB/s`
  row('rpc.stream', fmt(rpcRate) + '/s', '', mb(rpcRate))
  row('raw bytes, 64 KiB writes, one long-lived stream', fmt(rawBulk) + '/s', (rpcRate / rawBulk * 100).toFixed(0) + '%', `${mb(rawBulk)}; goal: rpc approaches it`)
  row('raw bytes, one write per item', fmt(rawPerItem) + '/s', (rpcRate / rawPerItem * 100).toFixed(0) + '%', mb(rawPerItem))
  const two = others.slice(0, 2)
  const multiStreamRate = await itemsPerSecond(2 * ITEMS, 1, async () => {
    let n = 0
    for await (const r of client.multiStream(two, 'Bench', 'Status', { n: ITEMS })) {
      if (r.error != null) throw r.error
      n++
    }
    if (n !== 2 * ITEMS) throw new Error(`expected ${2 * ITEMS} items, got ${n}`)
  })
  row('multiStream from 2 peers (items from both)', fmt(multiStreamRate) + '/s', '', mb(multiStreamRate))
}

if (process.argv.includes('--peer')) await runPeer()
else await main()
