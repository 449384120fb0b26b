/**
 * REST pin benchmark (issue 5), the `POST /pins/{cid}` part of `npm run
 * bench:api`: pins per second committed through the REST API of the leader
 * of a 3-peer cluster (separate processes), 64 HTTP clients at a time,
 * against the raw rate of the same peer in the same processes: 64 writers
 * calling `Cluster.Pin` over the local RPC shortcut (what bench:consensus
 * measures, through bench/consensus-peer.ts). The two alternate, `rounds`
 * times each, so background work (the trackers trying to pin what was
 * committed before) weighs on both alike. Goal: HTTP >= 80% of raw.
 *
 * `runPinsApiBench(options)` prints its lines and returns the figures;
 * run alone: node bench/pins-api.bench.ts [--seconds 5] [--rounds 2]
 * (PINS_API_PROFILE=<folder> writes the peers' CPU profiles there).
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { connect } from 'node:net'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { ProcessCluster } from '../test/fixtures/process-cluster.ts'
import { LOOPBACK_IPFS } from '../test/fixtures/processes.ts'
import type { ChildProcess } from 'node:child_process'
import type { Socket } from 'node:net'

export interface PinsApiBenchOptions {
  /** Seconds per measurement (default 5). */
  seconds?: number
  /** Concurrent HTTP clients, and raw writers (default 64). */
  clients?: number
  /** Measurements of each kind, alternating (default 2). */
  rounds?: number
  /** Where the lines go (default console.log). */
  log?: (line: string) => void
}

export interface PinsApiBenchResult {
  /** Pins per second committed through POST /pins/{cid}, mean of the rounds. */
  httpPinsPerSecond: number
  /** Pins per second committed through Cluster.Pin on the same peer, mean of the rounds. */
  rawPinsPerSecond: number
  /** httpPinsPerSecond / rawPinsPerSecond; the goal is >= 0.8. */
  ratio: number
  /** Latency of POST /pins/{cid} over every HTTP round, in ms. */
  httpP50Ms: number
  httpP99Ms: number
  /** Answers other than 200 (counted, not in the rate). */
  refused: number
}

interface BenchPeer {
  child: ChildProcess
  id: string
  restUrl: string
  ask: (msg: object) => Promise<any>
}

const PEER_SCRIPT = fileURLToPath(new URL('./consensus-peer.ts', import.meta.url))

function fmt (n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

async function startPeer (folder: string, restUrl: string): Promise<BenchPeer> {
  const profile = process.env.PINS_API_PROFILE != null ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PINS_API_PROFILE}`] : []
  const child = spawn(process.execPath, [...profile, PEER_SCRIPT, folder], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...LOOPBACK_IPFS } })
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]()
  const next = async (): Promise<any> => {
    const line = await lines.next()
    if (line.done === true) throw new Error(`the peer of ${folder} exited`)
    return JSON.parse(line.value)
  }
  const ready = await next() as { ready: string }
  return {
    child,
    id: ready.ready,
    restUrl,
    ask: async (msg) => {
      child.stdin?.write(JSON.stringify(msg) + '\n')
      return next()
    }
  }
}

/** Distinct raw CIDs, made before a measurement so that the clients spend their CPU on HTTP only. */
async function makeCids (n: number, label: string): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < n; i++) out.push(CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(`pins-api ${label} ${i}`))).toString())
  return out
}

interface HttpLoad {
  perSecond: number
  latencies: number[]
  refused: number
  /** CPU time of this process (the clients) per pin, in µs. */
  clientCpuPerPin: number
}

/**
 * `clients` HTTP clients pinning the CIDs for `seconds` (or until there are
 * no more): each a keep-alive connection with one request in flight. A
 * minimal HTTP/1.1 client over plain sockets (as load generators such as wrk
 * are), so that the clients, on the same 2 cores as the 3 peers, take as
 * little of the CPU as they can: node:http costs about 110 µs per request.
 */
async function httpLoad (restUrl: string, cids: string[], clients: number, seconds: number): Promise<HttpLoad> {
  const url = new URL(restUrl)
  const latencies: number[] = []
  let refused = 0
  let next = 0
  const deadline = performance.now() + seconds * 1000
  const start = performance.now()
  const cpu = process.cpuUsage()
  await Promise.all(Array.from({ length: clients }, async () => {
    const connection = await HttpConnection.open(url)
    try {
      while (performance.now() < deadline && next < cids.length) {
        const t0 = performance.now()
        const status = await connection.post(`/pins/${cids[next++]}`)
        if (status === 200) latencies.push(performance.now() - t0)
        else refused++
      }
    } finally {
      connection.close()
    }
  }))
  const used = process.cpuUsage(cpu)
  return {
    perSecond: latencies.length / ((performance.now() - start) / 1000),
    latencies,
    refused,
    clientCpuPerPin: (used.user + used.system) / Math.max(1, latencies.length + refused)
  }
}

/** One keep-alive HTTP/1.1 connection sending bodiless POSTs one at a time; answers must have a Content-Length. */
class HttpConnection {
  private readonly socket: Socket
  private readonly host: string
  private buffer = ''
  private waiting: { resolve: (status: number) => void, reject: (err: Error) => void } | undefined

  private constructor (socket: Socket, host: string) {
    this.socket = socket
    this.host = host
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      this.buffer += chunk
      this.answer()
    })
    const fail = (err: Error): void => {
      this.waiting?.reject(err)
      this.waiting = undefined
    }
    socket.on('error', fail)
    socket.on('close', () => { fail(new Error('the connection closed')) })
  }

  static async open (url: URL): Promise<HttpConnection> {
    const socket = connect({ host: url.hostname, port: Number(url.port) })
    socket.setNoDelay(true)
    await once(socket, 'connect')
    return new HttpConnection(socket, url.host)
  }

  async post (path: string): Promise<number> {
    const { promise, resolve, reject } = Promise.withResolvers<number>()
    this.waiting = { resolve, reject }
    this.socket.write(`POST ${path} HTTP/1.1\r\nHost: ${this.host}\r\nContent-Length: 0\r\n\r\n`)
    return promise
  }

  close (): void {
    this.socket.destroy()
  }

  /** Resolves the request in flight once its whole answer is in the buffer. */
  private answer (): void {
    const headEnd = this.buffer.indexOf('\r\n\r\n')
    if (headEnd < 0 || this.waiting == null) return
    const head = this.buffer.slice(0, headEnd)
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
    if (this.buffer.length < headEnd + 4 + length) return
    this.buffer = this.buffer.slice(headEnd + 4 + length)
    const waiting = this.waiting
    this.waiting = undefined
    waiting.resolve(Number(head.slice(9, 12)))
  }
}

function quantile (sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
}

export async function runPinsApiBench (options: PinsApiBenchOptions = {}): Promise<PinsApiBenchResult> {
  const seconds = options.seconds ?? 5
  const clients = options.clients ?? 64
  const rounds = options.rounds ?? 2
  const log = options.log ?? ((line: string) => { console.log(line) })
  const cluster = await ProcessCluster.create(3)
  const peers: BenchPeer[] = []
  try {
    // together: a peer is ready once the peerset has a leader
    const started = await Promise.allSettled(cluster.peers.map(async (p) => startPeer(p.folder, p.restUrl)))
    for (const s of started) if (s.status === 'fulfilled') peers.push(s.value)
    for (const s of started) if (s.status === 'rejected') throw s.reason
    const { leader } = await peers[0]!.ask({ cmd: 'leader' }) as { leader: string }
    const onLeader = peers.find((p) => p.id === leader) ?? peers[0]!
    log(`POST /pins/{cid}: ${clients} HTTP clients on the leader of 3 peers (separate processes), vs ${clients} Cluster.Pin writers in the leader's process; ` +
      `${rounds} x ${seconds}s each, alternating`)

    const rawRates: number[] = []
    const httpRates: number[] = []
    const latencies: number[] = []
    let refused = 0
    for (let round = 1; round <= rounds; round++) {
      const r = await onLeader.ask({ cmd: 'load', writers: clients, seconds }) as { perSecond: number, p50: number, p99: number }
      rawRates.push(r.perSecond)
      log(`  round ${round}: raw Cluster.Pin    ${fmt(r.perSecond).padStart(7)} pins/s   p50 ${r.p50.toFixed(1)} ms   p99 ${r.p99.toFixed(1)} ms`)
      // more than the leader can commit in the time given (the raw rate was measured just before)
      const cids = await makeCids(Math.ceil(Math.max(...rawRates) * seconds * 1.5), `${round}`)
      const h = await httpLoad(onLeader.restUrl, cids, clients, seconds)
      httpRates.push(h.perSecond)
      latencies.push(...h.latencies)
      refused += h.refused
      const sorted = [...h.latencies].sort((a, b) => a - b)
      log(`  round ${round}: POST /pins/{cid} ${fmt(h.perSecond).padStart(7)} pins/s   p50 ${quantile(sorted, 0.5).toFixed(1)} ms   p99 ${quantile(sorted, 0.99).toFixed(1)} ms` +
        `   clients' CPU ${fmt(h.clientCpuPerPin)} µs/pin` + (h.refused > 0 ? `   (${h.refused} refused)` : ''))
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length
    latencies.sort((a, b) => a - b)
    const result: PinsApiBenchResult = {
      httpPinsPerSecond: mean(httpRates),
      rawPinsPerSecond: mean(rawRates),
      ratio: mean(httpRates) / mean(rawRates),
      httpP50Ms: quantile(latencies, 0.5),
      httpP99Ms: quantile(latencies, 0.99),
      refused
    }
    log(`  POST /pins/{cid}: ${fmt(result.httpPinsPerSecond)} pins/s = ${(100 * result.ratio).toFixed(0)}% of raw Cluster.Pin ` +
      `(${fmt(result.rawPinsPerSecond)} pins/s) (goal >= 80%)`)
    return result
  } finally {
    for (const p of peers) p.child.stdin?.end()
    await Promise.all(peers.map(async (p) => {
      if (p.child.exitCode == null && p.child.signalCode == null) await once(p.child, 'exit')
    }))
    await cluster.destroy()
  }
}

if (import.meta.main) {
  const arg = (name: string): number | undefined => {
    const i = process.argv.indexOf(name)
    return i > 0 ? Number(process.argv[i + 1]) : undefined
  }
  await runPinsApiBench({ seconds: arg('--seconds'), rounds: arg('--rounds') })
}
