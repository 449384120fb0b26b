import { strict as assert } from 'node:assert'
import { once } from 'node:events'
import { Agent } from 'node:http'
import { connect } from 'node:net'
import { ListenAddressError, RestApi } from '../../src/api/rest/index.ts'
import { aborted, fetchRaw, firstChunk, open } from '../fixtures/http-client.ts'
import { restConfig } from '../fixtures/rest-config.ts'
import { ClusterRpcMock } from '../fixtures/rpc-mock.ts'
import type { IDJson } from '../../src/api/types.ts'

describe('REST API lifecycle', function () {
  let mock: ClusterRpcMock

  before(async function () {
    mock = await ClusterRpcMock.create()
  })

  afterEach(function () {
    mock.reset()
  })

  it('does no I/O before start and listens nowhere after stop', async function () {
    const api = new RestApi({ rpc: mock.rpc, config: restConfig() })
    assert.equal(api.name, 'restapi')
    assert.deepEqual(api.listenUrls(), [])
    await api.start()
    const [url] = api.listenUrls()
    assert.match(url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.notEqual(url, 'http://127.0.0.1:0')
    assert.deepEqual(api.listenMultiaddrs(), [`/ip4/127.0.0.1/tcp/${new URL(url as string).port}`])
    assert.equal((await fetchRaw(`${url}/health`)).status, 204)
    await api.stop()
    assert.deepEqual(api.listenUrls(), [])
    await assert.rejects(fetchRaw(`${url}/health`), { code: 'ECONNREFUSED' })
    // and starts again
    await api.start()
    assert.equal((await fetchRaw(`${api.listenUrls()[0]}/health`)).status, 204)
    await api.stop()
  })

  it('listens on every configured address', async function () {
    const api = new RestApi({ rpc: mock.rpc, config: restConfig({ http_listen_multiaddress: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0'] }) })
    await api.start()
    try {
      const urls = api.listenUrls()
      assert.equal(urls.length, 2)
      assert.notEqual(urls[0], urls[1])
      for (const url of urls) assert.equal((await fetchRaw(`${url}/health`)).status, 204)
    } finally {
      await api.stop()
    }
  })

  it('refuses a listen address that is not /ip4|ip6/.../tcp/...', async function () {
    for (const addr of ['/dns4/localhost/tcp/0', '/ip4/127.0.0.1/udp/0', '/ip4/127.0.0.1', 'localhost:9094', '/ip4/127.0.0.1/tcp/0/http']) {
      const api = new RestApi({ rpc: mock.rpc, config: restConfig({ http_listen_multiaddress: [addr] }) })
      await assert.rejects(api.start(), (err: Error) => err.name === ListenAddressError.NAME && err.message.includes(addr))
      assert.deepEqual(api.listenUrls(), [])
    }
  })

  it('releases every address when one cannot be bound', async function () {
    const first = new RestApi({ rpc: mock.rpc, config: restConfig() })
    await first.start()
    const taken = first.listenMultiaddrs()[0] as string
    const second = new RestApi({ rpc: mock.rpc, config: restConfig({ http_listen_multiaddress: ['/ip4/127.0.0.1/tcp/0', taken] }) })
    await assert.rejects(second.start(), { code: 'EADDRINUSE' })
    assert.deepEqual(second.listenUrls(), [])
    await second.stop()
    await first.stop()
  })

  it('stop waits for a request in flight and refuses new connections', async function () {
    const api = new RestApi({ rpc: mock.rpc, config: restConfig() })
    await api.start()
    const url = api.listenUrls()[0] as string
    const called = Promise.withResolvers<void>()
    const release = Promise.withResolvers<IDJson>()
    mock.cluster.ID = async () => { called.resolve(); return release.promise }
    const answer = fetchRaw(`${url}/id`)
    await called.promise
    let stopped = false
    const stopping = api.stop().then(() => { stopped = true })
    await assert.rejects(fetchRaw(`${url}/health`), { code: 'ECONNREFUSED' })
    assert.equal(stopped, false)
    release.resolve(mock.idOf(mock.peerId))
    const res = await answer
    assert.equal(res.status, 200)
    assert.equal(JSON.parse(res.body).id, mock.peerId.toString())
    await stopping
  })

  it('stop closes keep-alive connections, idle or busy, without waiting for idle_timeout', async function () {
    const api = new RestApi({ rpc: mock.rpc, config: restConfig({ idle_timeout: 3_600_000 }) })
    await api.start()
    const url = api.listenUrls()[0] as string
    const agent = new Agent({ keepAlive: true })
    try {
      // one connection left idle in the pool, another busy when stop begins
      assert.equal((await fetchRaw(`${url}/health`, { agent })).status, 204)
      const called = Promise.withResolvers<void>()
      const release = Promise.withResolvers<IDJson>()
      mock.cluster.ID = async () => { called.resolve(); return release.promise }
      const answer = fetchRaw(`${url}/id`, { agent: new Agent({ keepAlive: true }) })
      await called.promise
      const stopping = api.stop()
      release.resolve(mock.idOf(mock.peerId))
      const res = await answer
      assert.equal(res.status, 200)
      await stopping
    } finally {
      agent.destroy()
    }
  })

  it('stop closes a connection answered before its body arrived, though the client never sends the rest', async function () {
    const api = new RestApi({ rpc: mock.rpc, config: restConfig({ idle_timeout: 3_600_000 }) })
    await api.start()
    const url = new URL(api.listenUrls()[0] as string)
    const socket = connect(Number(url.port), url.hostname)
    const closed = once(socket, 'close')
    let answer = ''
    const answered = new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        answer += chunk.toString()
        if (answer.includes('\r\n\r\n')) resolve()
      })
    })
    // an upload refused at its headers, its body never finished
    socket.write('POST /add HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-unknown\r\nContent-Length: 100000\r\n\r\nabc')
    await answered
    assert.match(answer, /^HTTP\/1\.1 415 /)
    await api.stop()
    await closed
    assert.match(answer, /"code":415/)
  })

  it('stop ends streams with the reason in the trailer', async function () {
    const api = new RestApi({ rpc: mock.rpc, config: restConfig() })
    await api.start()
    const started = Promise.withResolvers<AbortSignal>()
    mock.cluster.Peers = (_arg, { signal }) => (async function * () {
      started.resolve(signal)
      yield mock.idOf(mock.peerId)
      await aborted(signal)
      throw signal.reason
    })()
    const res = await open(`${api.listenUrls()[0]}/peers`)
    await firstChunk(res)
    const signal = await started.promise
    const stopping = api.stop()
    for await (const _chunk of res) { /* drain */ }
    assert.equal(signal.aborted, true)
    assert.equal(res.trailers['x-stream-error'], 'the REST API is stopping')
    await stopping
  })

  it('stop with an aborted signal cuts requests in flight and aborts their RPC calls', async function () {
    const api = new RestApi({ rpc: mock.rpc, config: restConfig() })
    await api.start()
    const started = Promise.withResolvers<AbortSignal>()
    mock.cluster.ID = async (_arg, { signal }) => {
      started.resolve(signal)
      await aborted(signal)
      throw signal.reason
    }
    const answer = fetchRaw(`${api.listenUrls()[0]}/id`)
    const signal = await started.promise
    await api.stop({ signal: AbortSignal.abort() })
    await aborted(signal)
    await assert.rejects(answer, { code: 'ECONNRESET' })
  })

  it('cuts an answer not written within write_timeout', async function () {
    const api = new RestApi({ rpc: mock.rpc, config: restConfig({ write_timeout: 50 }) })
    await api.start()
    const started = Promise.withResolvers<AbortSignal>()
    mock.cluster.ID = async (_arg, { signal }) => {
      started.resolve(signal)
      await aborted(signal)
      throw signal.reason
    }
    try {
      await assert.rejects(fetchRaw(`${api.listenUrls()[0]}/id`), { code: 'ECONNRESET' })
      // the connection is gone, so the RPC call is aborted too
      await aborted(await started.promise)
    } finally {
      await api.stop()
    }
  })
})
