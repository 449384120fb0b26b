/**
 * RPC benchmark (issue 2). On loopback with the cluster secret on, from one run:
 *  (a) local-shortcut call vs a direct call of the same async function (goal <= 3x)
 *  (b) remote unary calls/s, 1 and 64 in flight, 64 B and 16 KiB payloads, against
 *      an echo opening a fresh stream per message (goal: RPC >= 80%) and an echo
 *      over one long-lived stream (goal: RPC >= 50% at 64 in flight)
 *  (c) multiCall to 4 peers vs one call (goal: <= 2x the latency)
 * Usage: npm run bench:rpc [-- --seconds 2]
 */
import { LengthPrefixedDecoder, lpStream } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import { Uint8ArrayList } from 'uint8arraylist'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { multiaddr } from '@multiformats/multiaddr'
import { toString as toHex } from 'uint8arrays/to-string'
import { RpcClient } from '../src/rpc/client.ts'
import { RpcServer } from '../src/rpc/server.ts'
import { randomSecret, startHost } from '../test/fixtures/hosts.ts'
import { TestHandlers, testMethods } from '../test/fixtures/test-api.ts'
import { FRESH_ECHO, LONG_ECHO } from './rpc-peer-protocols.ts'
import type { TestApi } from '../test/fixtures/test-api.ts'
import type { TestHost } from '../test/fixtures/hosts.ts'
import type { PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { ChildProcess } from 'node:child_process'

const secondsArg = process.argv.indexOf('--seconds')
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 2

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
  const child = spawn(process.execPath, [fileURLToPath(new URL('./rpc-peer.ts', import.meta.url))], {
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

async function main (): Promise<void> {
  console.log(`RPC benchmark: loopback, private network on, ${SECONDS}s per measurement, node ${process.version}`)

  // (a) local shortcut, in this process
  const secret = randomSecret()
  const local = await startHost(secret)
  const server = new RpcServer<TestApi>({ host: local.host, methods: testMethods })
  const handlers = new TestHandlers()
  server.register('Test', handlers.Test)
  server.register('Guarded', handlers.Guarded)
  await server.start()
  const client = new RpcClient<TestApi>({ host: local.host, server })
  const direct = handlers.Test.Echo
  const ctx = { signal: new AbortController().signal }
  const N = 2_000_000
  const time = async (f: () => Promise<unknown>): Promise<number> => {
    for (let i = 0; i < 50_000; i++) await f() // warm up
    const t0 = performance.now()
    for (let i = 0; i < N; i++) await f()
    return (performance.now() - t0) * 1e6 / N
  }
  const directNs = await time(async () => direct(1, ctx))
  const localNs = await time(async () => client.call(undefined, 'Test', 'Echo', 1))
  console.log('\n(a) local shortcut vs direct call (ns per call)')
  row('direct call of the handler', fmt(directNs) + ' ns', '', '')
  row('rpc.call to the local peer', fmt(localNs) + ' ns', (localNs / directNs).toFixed(2) + 'x', 'goal <= 3x')

  // (b) remote unary throughput
  // (b) and (c): the other peers are separate processes, as in a real cluster
  const remote = await Promise.all(Array.from({ length: 4 }, async () => spawnPeer(toHex(secret, 'base16'))))
  const others: PeerId[] = []
  for (const r of remote) others.push((await local.host.dial(r.addr)).remotePeer)
  const b = others[0] as PeerId
  console.log('\n(b) remote unary calls per second, this process -> one peer process')
  const longStream = new LongStreamEcho(await local.host.dialProtocol(b, LONG_ECHO))
  await client.call(b, 'Test', 'Echo', 'warm')
  for (const size of [64, 16 * 1024]) {
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

  // (c) multiCall latency; the floor is the same message echoed over long-lived streams to 4 peers at once
  console.log('\n(c) latency, one call vs multiCall to 4 peers (1 in flight, 64 B)')
  await client.multiCall(others, 'Test', 'Echo', 'warm')
  const small = new Uint8Array(64)
  const echoes = await Promise.all(others.map(async (p) => new LongStreamEcho(await local.host.dialProtocol(p, LONG_ECHO))))
  const oneRate = await throughput(1, async () => client.call(b, 'Test', 'Echo', small))
  const multiRate = await throughput(1, async () => client.multiCall(others, 'Test', 'Echo', small))
  const oneEcho = await throughput(1, async () => echoes[0]?.echo(small))
  const fourEcho = await throughput(1, async () => Promise.all(echoes.map(async (e) => e.echo(small))))
  row('one call', fmt(1e6 / oneRate) + ' µs', '', '')
  row('multiCall to 4 peers', fmt(1e6 / multiRate) + ' µs', (oneRate / multiRate).toFixed(2) + 'x', 'goal <= 2x')
  row('floor: one echo on a long-lived stream', fmt(1e6 / oneEcho) + ' µs', '', '')
  row('floor: echo to 4 peers at once', fmt(1e6 / fourEcho) + ' µs', (oneEcho / fourEcho).toFixed(2) + 'x', '(the stack\'s own ratio)')

  await client.stop()
  await server.stop()
  await local.host.stop()
  for (const r of remote) r.child.kill('SIGTERM')
}

await main()
