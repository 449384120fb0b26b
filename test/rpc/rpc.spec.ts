import { strict as assert } from 'node:assert'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { CID } from 'multiformats/cid'
import * as varint from 'uint8-varint'
import { RpcClient } from '../../src/rpc/client.ts'
import { RpcAuthorizationError, RpcClientError, RpcUnknownMethodError } from '../../src/rpc/errors.ts'
import { RpcServer } from '../../src/rpc/server.ts'
import { connectAll, randomSecret, startHost, startHosts, stopHosts } from '../fixtures/hosts.ts'
import { TestHandlers, testMethods } from '../fixtures/test-api.ts'
import type { TestApi } from '../fixtures/test-api.ts'
import type { TestHost } from '../fixtures/hosts.ts'
import type { Frame } from '../../src/rpc/frames.ts'
import type { PeerId, Stream } from '@libp2p/interface'

/** The client without its typing, to make calls the types forbid. */
interface Untyped {
  call: (peer: PeerId, service: string, method: string, arg: unknown) => Promise<unknown>
  stream: (peer: PeerId, service: string, method: string, arg: unknown) => AsyncIterable<unknown>
}

interface Peer extends TestHost {
  server: RpcServer<TestApi>
  client: RpcClient<TestApi>
  handlers: TestHandlers
  trusted: Set<string>
}

async function rpcPeer (t: TestHost, maxFrameSize?: number): Promise<Peer> {
  const trusted = new Set<string>()
  const server = new RpcServer<TestApi>({
    host: t.host,
    methods: testMethods,
    isTrusted: (peer) => trusted.has(peer.toString()),
    maxFrameSize
  })
  const handlers = new TestHandlers()
  server.register('Test', handlers.Test)
  server.register('Guarded', handlers.Guarded)
  await server.start()
  const client = new RpcClient<TestApi>({ host: t.host, server })
  return { ...t, server, client, handlers, trusted }
}

async function stopPeers (peers: Peer[]): Promise<void> {
  await Promise.allSettled(peers.map(async (p) => { await p.client.stop(); await p.server.stop() }))
  await stopHosts(peers)
}

async function collect<T> (it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

/** Opens a raw stream of the RPC protocol, bypassing the client. */
async function rawStream (from: Peer, to: Peer): Promise<Stream> {
  return from.host.dialProtocol(to.host.peerId, to.server.protocol)
}

/** Resolves with the close event's error (or undefined) once the stream closes. */
async function closed (stream: Stream): Promise<Error | undefined> {
  if (stream.status === 'closed' || stream.status === 'reset' || stream.status === 'aborted') return undefined
  return new Promise((resolve) => {
    stream.addEventListener('close', (evt) => { resolve(evt.error ?? new Error('closed without error')) }, { once: true })
  })
}

describe('rpc over real libp2p hosts', function () {
  let peers: Peer[]
  let a: Peer, b: Peer, c: Peer, d: Peer

  before(async function () {
    const hosts = await startHosts(4)
    await connectAll(hosts)
    peers = await Promise.all(hosts.map(async (h) => rpcPeer(h)))
    ;[a, b, c, d] = peers as [Peer, Peer, Peer, Peer]
  })

  after(async function () {
    await stopPeers(peers)
  })

  describe('local shortcut', function () {
    it('calls the handler directly, with no codec and no caller peer', async function () {
      const arg = { fn: () => 1 } // a function cannot be encoded: it must pass by reference
      assert.equal(await a.client.call(undefined, 'Test', 'Echo', arg), arg)
      assert.equal(await a.client.call(a.host.peerId, 'Test', 'Echo', arg), arg)
      assert.equal(await a.client.call(undefined, 'Test', 'WhoAmI', undefined), null)
    })

    it('skips authorization for closed methods', async function () {
      assert.equal(await a.client.call(undefined, 'Guarded', 'ClosedOp', undefined), 'closed-ok')
    })

    it('streams locally and aborts the handler', async function () {
      assert.deepEqual(await collect(a.client.stream(undefined, 'Test', 'Count', { n: 5 })), [0, 1, 2, 3, 4])
      const controller = new AbortController()
      const call = a.client.call(undefined, 'Test', 'Hang', 'local-hang', { signal: controller.signal })
      await a.handlers.until('started', 'local-hang')
      controller.abort()
      await assert.rejects(call, { name: 'AbortError' })
      await a.handlers.until('aborted', 'local-hang')
    })
  })

  describe('call', function () {
    it('round-trips CIDs, peer ids, bytes, dates, bigints and undefined', async function () {
      const value = {
        cid: CID.parse('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'),
        peer: c.host.peerId,
        bytes: new Uint8Array([0, 1, 2, 255]),
        date: new Date('2024-01-02T03:04:05.678Z'),
        big: 2n ** 60n,
        missing: undefined,
        list: [1, 'two', null, true]
      }
      const out = await a.client.call(b.host.peerId, 'Test', 'Echo', value) as typeof value
      assert.ok(out.cid.equals(value.cid))
      assert.ok(out.peer.equals(value.peer))
      assert.deepEqual(out.bytes, value.bytes)
      assert.equal(out.date.getTime(), value.date.getTime())
      assert.equal(out.big, value.big)
      assert.ok('missing' in out && out.missing === undefined)
      assert.deepEqual(out.list, value.list)
    })

    it('tells the handler who called', async function () {
      assert.equal(await a.client.call(b.host.peerId, 'Test', 'WhoAmI', undefined), a.host.peerId.toString())
    })

    it('keeps the name and code of application errors', async function () {
      await assert.rejects(a.client.call(b.host.peerId, 'Test', 'Fail', 'boom'),
        (err: Error & { code?: string }) => err.name === 'TestAppError' && err.message === 'boom' && err.code === 'ERR_TEST_APP')
    })

    it('gives a typed error for an unknown service or method', async function () {
      const anyClient = a.client as unknown as Untyped
      await assert.rejects(anyClient.call(b.host.peerId, 'Nope', 'Echo', 1), { name: RpcUnknownMethodError.NAME })
      await assert.rejects(anyClient.call(b.host.peerId, 'Test', 'Nope', 1), { name: RpcUnknownMethodError.NAME })
      // the server, not only the client, refuses a method it does not know
      const stream = await rawStream(a, b)
      const { encodeFrame, FrameDecoder } = await import('../../src/rpc/frames.ts')
      stream.send(encodeFrame([0, 1, 'Nope', 'Nope', null], 1 << 20))
      const decoder = new FrameDecoder(1 << 20)
      for await (const chunk of stream) {
        const frames: Frame[] = []
        decoder.decode(chunk, (f) => { frames.push(f) })
        const [frame] = frames
        assert.ok(frame != null && frame[0] === 3)
        assert.equal((frame[2] as { n: string }).n, RpcUnknownMethodError.NAME)
        break
      }
      stream.abort(new Error('done'))
    })

    it('runs many calls at once on one peer', async function () {
      const results = await Promise.all(Array.from({ length: 500 }, async (_, i) => a.client.call(b.host.peerId, 'Test', 'Echo', i)))
      assert.deepEqual(results, Array.from({ length: 500 }, (_, i) => i))
    })

    it('aborts the handler on the other peer when the caller aborts', async function () {
      const controller = new AbortController()
      const call = a.client.call(b.host.peerId, 'Test', 'Hang', 'remote-hang', { signal: controller.signal })
      await b.handlers.until('started', 'remote-hang')
      controller.abort()
      await assert.rejects(call, { name: 'AbortError' })
      await b.handlers.until('aborted', 'remote-hang')
      // the session stays usable
      assert.equal(await a.client.call(b.host.peerId, 'Test', 'Echo', 'after'), 'after')
    })

    it('refuses an already aborted signal without calling', async function () {
      await assert.rejects(a.client.call(b.host.peerId, 'Test', 'Echo', 1, { signal: AbortSignal.abort() }), { name: 'AbortError' })
    })
  })

  describe('multiCall', function () {
    it('answers one result per peer, in order, and never rejects as a whole', async function () {
      const gone = await rpcPeer(await startHost(randomSecret()))
      const gonePeer = gone.host.peerId
      await stopPeers([gone])
      const order: PeerId[] = [d.host.peerId, a.host.peerId, gonePeer, b.host.peerId, c.host.peerId]
      const results = await a.client.multiCall(order, 'Test', 'WhoAmI', undefined)
      assert.deepEqual(results.map((r) => r.peer.toString()), order.map((p) => p.toString()))
      assert.equal(results[0]?.value, a.host.peerId.toString())
      assert.equal(results[1]?.value, null) // local shortcut
      assert.equal(results[2]?.error?.name, RpcClientError.NAME)
      assert.equal(results[3]?.value, a.host.peerId.toString())
      assert.equal(results[4]?.value, a.host.peerId.toString())
    })

    it('reports each peer\'s own error', async function () {
      const results = await a.client.multiCall([b.host.peerId, c.host.peerId], 'Test', 'Fail', 'x')
      assert.deepEqual(results.map((r) => r.error?.name), ['TestAppError', 'TestAppError'])
    })
  })

  describe('stream', function () {
    it('streams items in order from a remote peer', async function () {
      const items = await collect(a.client.stream(b.host.peerId, 'Test', 'Count', { n: 2000 }))
      assert.equal(items.length, 2000)
      assert.deepEqual(items.slice(0, 3), [0, 1, 2])
      assert.equal(items[1999], 1999)
    })

    it('a slow consumer of a large stream gets every item: the server waits for credit', async function () {
      let n = 0
      for await (const blob of a.client.stream(b.host.peerId, 'Test', 'Blobs', { n: 2000, size: 16 * 1024 })) {
        assert.equal(blob[0], n % 256)
        n++
        // slower than the network: without flow control the items would pile up in the stream
        await new Promise((resolve) => setImmediate(resolve))
        if (n % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 5))
      }
      assert.equal(n, 2000)
    })

    it('delivers the items before a failure, then the typed error', async function () {
      const seen: number[] = []
      await assert.rejects((async () => {
        for await (const i of a.client.stream(b.host.peerId, 'Test', 'Count', { n: 10, failAt: 3 })) seen.push(i)
      })(), { name: 'TestAppError', message: 'failed at 3' })
      assert.deepEqual(seen, [0, 1, 2])
    })

    it('stopping early cancels the handler on the other peer', async function () {
      let n = 0
      for await (const _ of a.client.stream(c.host.peerId, 'Test', 'Endless', 'endless-break')) {
        if (++n === 5) break
      }
      await c.handlers.until('aborted', 'endless-break')
    })

    it('aborting the signal cancels the handler on the other peer', async function () {
      const controller = new AbortController()
      const consume = (async () => {
        for await (const i of a.client.stream(d.host.peerId, 'Test', 'Endless', 'endless-abort', { signal: controller.signal })) {
          if (i === 10) controller.abort()
        }
      })()
      await assert.rejects(consume, { name: 'AbortError' })
      await d.handlers.until('aborted', 'endless-abort')
    })

    it('refuses a unary method as a stream and the reverse', async function () {
      const anyClient = a.client as unknown as Untyped
      await assert.rejects(collect(anyClient.stream(b.host.peerId, 'Test', 'Echo', 1)), { name: RpcClientError.NAME })
      await assert.rejects(anyClient.call(b.host.peerId, 'Test', 'Count', { n: 1 }), { name: RpcClientError.NAME })
    })
  })

  describe('multiStream', function () {
    it('tags every item with its peer and keeps going past a failing peer', async function () {
      const items = await collect(a.client.multiStream([a.host.peerId, b.host.peerId, c.host.peerId], 'Test', 'Count', { n: 50 }))
      for (const p of [a, b, c]) {
        const mine = items.filter((x) => x.peer.equals(p.host.peerId))
        assert.deepEqual(mine.map((x) => x.value), Array.from({ length: 50 }, (_, i) => i))
      }
      const withFailure = await collect(a.client.multiStream([b.host.peerId, c.host.peerId], 'Test', 'Count', { n: 5, failAt: 2 }))
      for (const p of [b, c]) {
        const mine = withFailure.filter((x) => x.peer.equals(p.host.peerId))
        assert.deepEqual(mine.slice(0, 2).map((x) => x.value), [0, 1])
        assert.equal(mine[2]?.error?.name, 'TestAppError')
      }
    })
  })

  describe('authorization', function () {
    it('refuses trusted and closed methods to an untrusted peer and keeps serving', async function () {
      await assert.rejects(a.client.call(b.host.peerId, 'Guarded', 'TrustedOp', undefined), { name: RpcAuthorizationError.NAME })
      await assert.rejects(a.client.call(b.host.peerId, 'Guarded', 'ClosedOp', undefined), { name: RpcAuthorizationError.NAME })
      assert.equal(await c.client.call(b.host.peerId, 'Test', 'Echo', 'still'), 'still')
      assert.equal(await a.client.call(b.host.peerId, 'Test', 'Echo', 'here'), 'here')
    })

    it('lets a trusted peer call trusted methods but never closed ones', async function () {
      b.trusted.add(a.host.peerId.toString())
      try {
        assert.equal(await a.client.call(b.host.peerId, 'Guarded', 'TrustedOp', undefined), 'trusted-ok')
        await assert.rejects(a.client.call(b.host.peerId, 'Guarded', 'ClosedOp', undefined), { name: RpcAuthorizationError.NAME })
        await assert.rejects(c.client.call(b.host.peerId, 'Guarded', 'TrustedOp', undefined), { name: RpcAuthorizationError.NAME })
      } finally {
        b.trusted.clear()
      }
    })
  })

  describe('bad frames', function () {
    it('resets a stream that sends garbage and keeps serving', async function () {
      const stream = await rawStream(c, b)
      stream.send(new Uint8Array([5, 0xff, 0xfe, 0xfd, 0xfc, 0xfb]))
      assert.ok(await closed(stream) != null)
      assert.equal(await c.client.call(b.host.peerId, 'Test', 'Echo', 'ok'), 'ok')
    })

    it('resets a stream that announces an oversized frame and keeps serving', async function () {
      const stream = await rawStream(c, b)
      stream.send(varint.encode(b.server.maxFrameSize + 1))
      assert.ok(await closed(stream) != null)
      assert.equal(await c.client.call(b.host.peerId, 'Test', 'Echo', 'ok'), 'ok')
    })

    it('resets a stream whose first frame is not a call', async function () {
      const { encodeFrame } = await import('../../src/rpc/frames.ts')
      const stream = await rawStream(c, b)
      stream.send(encodeFrame([6], 1024))
      assert.ok(await closed(stream) != null)
      assert.equal(await c.client.call(b.host.peerId, 'Test', 'Echo', 'ok'), 'ok')
    })

    it('fails only the oversized call on the caller side', async function () {
      const big = new Uint8Array(a.server.maxFrameSize + 10)
      await assert.rejects(a.client.call(b.host.peerId, 'Test', 'Echo', big), { name: 'FrameTooLargeError' })
      assert.equal(await a.client.call(b.host.peerId, 'Test', 'Echo', 'ok'), 'ok')
    })
  })
})

describe('rpc frame cap on the server', function () {
  let small: Peer, big: Peer
  before(async function () {
    const secret = randomSecret()
    small = await rpcPeer(await startHost(secret), 1024)
    big = await rpcPeer(await startHost(secret))
    await big.host.dial(small.host.getMultiaddrs())
  })
  after(async function () { await stopPeers([small, big]) })

  it('resets a session carrying a frame above its cap; the next call opens a new one', async function () {
    await assert.rejects(big.client.call(small.host.peerId, 'Test', 'Echo', new Uint8Array(4096)), { name: RpcClientError.NAME })
    assert.equal(await big.client.call(small.host.peerId, 'Test', 'Echo', 'small'), 'small')
  })
})

describe('private network', function () {
  it('a host with another secret cannot connect, so cannot call anything', async function () {
    const [member] = await startHosts(1)
    const outsider = await startHost(randomSecret())
    const peers = [await rpcPeer(member as TestHost), await rpcPeer(outsider)]
    try {
      await assert.rejects(outsider.host.dial(member!.host.getMultiaddrs(), { signal: AbortSignal.timeout(10_000) }))
      await assert.rejects(peers[1]!.client.call(member!.host.peerId, 'Test', 'Echo', 1, { signal: AbortSignal.timeout(10_000) }))
      assert.equal(member!.host.getConnections().length, 0)
    } finally {
      await stopPeers(peers)
    }
  })

  it('a host without any secret cannot connect', async function () {
    const member = await startHost(randomSecret())
    const plain = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()]
    })
    try {
      await assert.rejects(plain.dial(member.host.getMultiaddrs(), { signal: AbortSignal.timeout(10_000) }))
      assert.equal(member.host.getConnections().length, 0)
    } finally {
      await plain.stop()
      await member.host.stop()
    }
  })
})

describe('peer gate', function () {
  it('cuts two peers apart and joins them again', async function () {
    const hosts = await startHosts(2)
    const [x, y] = await Promise.all(hosts.map(async (h) => rpcPeer(h))) as [Peer, Peer]
    try {
      await x.host.dial(y.host.getMultiaddrs())
      assert.equal(await x.client.call(y.host.peerId, 'Test', 'Echo', 1), 1)
      x.gate.deny(y.host.peerId)
      await x.host.hangUp(y.host.peerId)
      await assert.rejects(x.client.call(y.host.peerId, 'Test', 'Echo', 2), { name: RpcClientError.NAME })
      await assert.rejects(y.client.call(x.host.peerId, 'Test', 'Echo', 2, { signal: AbortSignal.timeout(10_000) }), { name: RpcClientError.NAME })
      x.gate.allow(y.host.peerId)
      await x.host.dial(y.host.getMultiaddrs())
      assert.equal(await x.client.call(y.host.peerId, 'Test', 'Echo', 3), 3)
    } finally {
      await stopPeers([x, y])
    }
  })
})
