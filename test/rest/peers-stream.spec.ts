import { strict as assert } from 'node:assert'
import { RestApi } from '../../src/api/rest/index.ts'
import { aborted, fetchRaw, firstChunk, open } from '../fixtures/http-client.ts'
import { ClusterRpcMock, startRestOnMock, fakeId, randomPeerId } from '../fixtures/rpc-mock.ts'
import type { IDJson } from '../../src/api/types.ts'

describe('REST API GET /peers (NDJSON stream)', function () {
  let mock: ClusterRpcMock
  let api: RestApi
  let url: string

  before(async function () {
    ;({ mock, api, url } = await startRestOnMock({ otherPeers: 4 }))
  })

  after(async function () {
    await api.stop()
  })

  afterEach(function () {
    mock.reset()
  })

  it('answers one JSON object per line, no blank lines, with an empty X-Stream-Error trailer', async function () {
    const res = await fetchRaw(`${url}/peers`)
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-type'], 'application/x-ndjson')
    assert.equal(res.headers.trailer?.toLowerCase(), 'x-stream-error')
    assert.equal(res.headers['content-length'], undefined)
    assert.ok(res.body.endsWith('\n'))
    const lines = res.body.slice(0, -1).split('\n')
    assert.equal(lines.length, 5)
    for (const line of lines) assert.notEqual(line.trim(), '')
    const ids = lines.map((line) => JSON.parse(line) as IDJson)
    assert.deepEqual(ids, [mock.peerId, ...mock.otherPeers].map((p) => mock.idOf(p)))
    assert.equal(res.trailers['x-stream-error'], '')
  })

  it('answers 204 with an empty body when there are no peers', async function () {
    mock.cluster.Peers = () => (async function * () {})()
    const res = await fetchRaw(`${url}/peers`)
    assert.equal(res.status, 204)
    assert.equal(res.body, '')
    assert.equal(res.headers['content-type'], undefined)
  })

  it('answers {code, message} when the stream fails before its first item', async function () {
    // eslint-disable-next-line require-yield
    mock.cluster.Peers = () => (async function * () { throw new Error('no peerset yet') })()
    const res = await fetchRaw(`${url}/peers`)
    assert.equal(res.status, 500)
    assert.deepEqual(JSON.parse(res.body), { code: 500, message: 'no peerset yet' })
  })

  it('sets the X-Stream-Error trailer when the stream fails midway', async function () {
    const peer = await randomPeerId()
    mock.cluster.Peers = () => (async function * () {
      yield fakeId(peer)
      yield fakeId(peer)
      throw new Error('lost the consensus\nleader')
    })()
    const res = await fetchRaw(`${url}/peers`)
    assert.equal(res.status, 200)
    const lines = res.body.split('\n').filter((l) => l !== '')
    assert.equal(lines.length, 2)
    assert.deepEqual(JSON.parse(lines[1] as string), fakeId(peer))
    assert.equal(res.trailers['x-stream-error'], 'lost the consensus leader')
  })

  it('writes each item as it is produced', async function () {
    const next = Promise.withResolvers<void>()
    mock.cluster.Peers = (_arg, { signal }) => (async function * () {
      yield mock.idOf(mock.peerId)
      await next.promise
      signal.throwIfAborted()
      yield mock.idOf(mock.otherPeers[0]!)
    })()
    const res = await open(`${url}/peers`)
    // the first line arrives while the handler still holds the second one back
    const first = await firstChunk(res)
    assert.deepEqual(JSON.parse(first), mock.idOf(mock.peerId))
    next.resolve()
    let rest = ''
    for await (const chunk of res) rest += String(chunk)
    assert.deepEqual(JSON.parse(rest), mock.idOf(mock.otherPeers[0]!))
  })

  it('aborts the RPC stream when the HTTP client disconnects midway', async function () {
    const started = Promise.withResolvers<AbortSignal>()
    mock.cluster.Peers = (_arg, { signal }) => (async function * () {
      started.resolve(signal)
      yield mock.idOf(mock.peerId)
      // a peer that never answers: only an abort ends this
      await aborted(signal)
      throw signal.reason
    })()
    const res = await open(`${url}/peers`)
    await firstChunk(res)
    const signal = await started.promise
    assert.equal(signal.aborted, false)
    res.destroy()
    await aborted(signal)
    assert.equal(signal.aborted, true)
    // the API keeps serving
    assert.equal((await fetchRaw(`${url}/health`)).status, 204)
  })
})
