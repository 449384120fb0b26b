import { strict as assert } from 'node:assert'
import { IpfsProxy, ListenAddressError, NodeAddressError } from '../../src/api/ipfsproxy/index.ts'
import { defaultServiceConfig } from '../../src/config/index.ts'
import { aborted, fetchRaw, firstChunk, open } from '../fixtures/http-client.ts'
import { CIDS, ClusterRpcMock, fakePin } from '../fixtures/rpc-mock.ts'
import type { IpfsProxySection } from '../../src/config/types.ts'
import type { PinJson } from '../../src/api/types.ts'

function proxyConfig (overrides: Partial<IpfsProxySection> = {}): IpfsProxySection {
  return { ...defaultServiceConfig().api.ipfsproxy, listen_multiaddress: ['/ip4/127.0.0.1/tcp/0'], ...overrides }
}

describe('IPFS proxy lifecycle', function () {
  let mock: ClusterRpcMock

  before(async function () {
    mock = await ClusterRpcMock.create()
  })

  afterEach(function () {
    mock.reset()
  })

  it('does no I/O before start, listens nowhere after stop, and starts again', async function () {
    const proxy = new IpfsProxy({ rpc: mock.rpc, config: proxyConfig() })
    assert.equal(proxy.name, 'ipfsproxy')
    assert.deepEqual(proxy.listenUrls(), [])
    await proxy.start()
    const [url] = proxy.listenUrls()
    assert.match(url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.deepEqual(proxy.listenMultiaddrs(), [`/ip4/127.0.0.1/tcp/${new URL(url as string).port}`])
    mock.usePinset([])
    assert.equal((await fetchRaw(`${url}/api/v0/pin/ls`, { method: 'POST' })).body, '{"Keys":{}}\n')
    await proxy.stop()
    assert.deepEqual(proxy.listenUrls(), [])
    await assert.rejects(fetchRaw(`${url}/api/v0/pin/ls`, { method: 'POST' }), { code: 'ECONNREFUSED' })
    await proxy.start()
    assert.equal((await fetchRaw(`${proxy.listenUrls()[0]}/api/v0/pin/ls`, { method: 'POST' })).status, 200)
    await proxy.stop()
  })

  it('listens on every configured address and refuses addresses it cannot use', async function () {
    const proxy = new IpfsProxy({ rpc: mock.rpc, config: proxyConfig({ listen_multiaddress: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0'] }) })
    await proxy.start()
    try {
      assert.equal(new Set(proxy.listenUrls()).size, 2)
    } finally {
      await proxy.stop()
    }
    for (const addr of ['/dns4/localhost/tcp/0', '/ip4/127.0.0.1/udp/0', 'localhost:9095']) {
      const bad = new IpfsProxy({ rpc: mock.rpc, config: proxyConfig({ listen_multiaddress: [addr] }) })
      await assert.rejects(bad.start(), (err: Error) => err.name === ListenAddressError.NAME && err.message.includes(addr))
      assert.deepEqual(bad.listenUrls(), [])
    }
    const off = new IpfsProxy({ rpc: mock.rpc, config: proxyConfig({ listen_multiaddress: [] }) })
    await off.start()
    assert.deepEqual(off.listenUrls(), [])
    await off.stop()
    assert.throws(() => new IpfsProxy({ rpc: mock.rpc, config: proxyConfig(), kuboMultiaddress: '/ip4/127.0.0.1/udp/5001' }), { name: NodeAddressError.NAME })
  })

  it('pin/ls streams the pinset as it comes; a failure midway ends it with X-Stream-Error', async function () {
    const proxy = new IpfsProxy({ rpc: mock.rpc, config: proxyConfig() })
    await proxy.start()
    try {
      mock.cluster.Pins = () => (async function * (): AsyncGenerator<PinJson> {
        yield fakePin(CIDS.v0)
        yield fakePin(CIDS.raw, { mode: 'direct' })
        throw new Error('the consensus went away')
      })()
      const streamed = await fetchRaw(`${proxy.listenUrls()[0]}/api/v0/pin/ls?stream=true`, { method: 'POST' })
      assert.equal(streamed.status, 200)
      assert.equal(streamed.headers['x-chunked-output'], '1')
      assert.deepEqual(streamed.body.trim().split('\n').map((l) => JSON.parse(l)), [
        { Cid: CIDS.v0, Type: 'recursive' },
        { Cid: CIDS.raw, Type: 'direct' }
      ])
      assert.equal(streamed.trailers['x-stream-error'], 'the consensus went away')
      // an error before the first pin is an ordinary error answer
      mock.cluster.Pins = () => ({
        [Symbol.asyncIterator]: () => ({ next: async (): Promise<IteratorResult<PinJson>> => { throw new Error('no leader') } })
      })
      const failed = await fetchRaw(`${proxy.listenUrls()[0]}/api/v0/pin/ls`, { method: 'POST' })
      assert.equal(failed.status, 500)
      assert.deepEqual(JSON.parse(failed.body), { Message: 'no leader', Code: 0, Type: 'error' })
    } finally {
      await proxy.stop()
    }
  })

  it('stop ends a stream in flight with the reason in the trailer', async function () {
    const proxy = new IpfsProxy({ rpc: mock.rpc, config: proxyConfig() })
    await proxy.start()
    const started = Promise.withResolvers<AbortSignal>()
    mock.cluster.Pins = (_arg, { signal }) => (async function * (): AsyncGenerator<PinJson> {
      started.resolve(signal)
      yield fakePin(CIDS.v1)
      await aborted(signal)
      throw signal.reason
    })()
    const res = await open(`${proxy.listenUrls()[0]}/api/v0/pin/ls?stream=true`, { method: 'POST' })
    await firstChunk(res)
    const signal = await started.promise
    const stopping = proxy.stop()
    for await (const _chunk of res) { /* drain */ }
    assert.equal(signal.aborted, true)
    assert.equal(res.trailers['x-stream-error'], 'the IPFS proxy is stopping')
    await stopping
  })

  it('a client that goes away aborts the RPC calls made for it', async function () {
    const proxy = new IpfsProxy({ rpc: mock.rpc, config: proxyConfig() })
    await proxy.start()
    try {
      const started = Promise.withResolvers<AbortSignal>()
      mock.cluster.Pin = async (_request, { signal }) => {
        started.resolve(signal)
        await aborted(signal)
        throw signal.reason
      }
      const client = new AbortController()
      const answer = fetch(`${proxy.listenUrls()[0]}/api/v0/pin/add?arg=${CIDS.v1}`, { method: 'POST', signal: client.signal })
      const signal = await started.promise
      client.abort()
      await assert.rejects(answer, { name: 'AbortError' })
      await aborted(signal)
    } finally {
      await proxy.stop()
    }
  })

  it('reads an argument given in the path, and an escaped slash, as IPFS Cluster\'s proxy does', async function () {
    const proxy = new IpfsProxy({ rpc: mock.rpc, config: proxyConfig() })
    await proxy.start()
    try {
      const pinset = mock.usePinset()
      const inPath = await fetchRaw(`${proxy.listenUrls()[0]}/api/v0/pin/add/${CIDS.v1}`, { method: 'POST' })
      assert.deepEqual(JSON.parse(inPath.body), { Pins: [CIDS.v1] })
      const escaped = await fetchRaw(`${proxy.listenUrls()[0]}/api/v0/pin%2Fadd?arg=${CIDS.v0}`, { method: 'POST' })
      assert.deepEqual(JSON.parse(escaped.body), { Pins: [CIDS.v0] })
      assert.deepEqual(pinset.requests.map((r) => [r.cid, r.options.mode]), [[CIDS.v1, 'recursive'], [CIDS.v0, 'recursive']])
    } finally {
      await proxy.stop()
    }
  })
})
