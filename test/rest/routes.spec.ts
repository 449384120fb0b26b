import { strict as assert } from 'node:assert'
import { RestApi } from '../../src/api/rest/index.ts'
import { VERSION } from '../../src/version.ts'
import { fetchRaw } from '../fixtures/http-client.ts'
import { ClusterRpcMock, startRestOnMock } from '../fixtures/rpc-mock.ts'

const ID_FIELDS = ['id', 'addresses', 'cluster_peers', 'cluster_peers_addresses', 'version', 'commit',
  'rpc_protocol_version', 'error', 'ipfs', 'peername']

describe('REST API routes', function () {
  let mock: ClusterRpcMock
  let api: RestApi
  let url: string

  before(async function () {
    ;({ mock, api, url } = await startRestOnMock({ config: { headers: { 'X-Extra': ['one', 'two'] } } }))
  })

  after(async function () {
    await api.stop()
  })

  afterEach(function () {
    mock.reset()
  })

  it('GET /id answers Cluster.ID with IPFS Cluster field names', async function () {
    const res = await fetchRaw(`${url}/id`)
    assert.equal(res.status, 200)
    assert.match(res.headers['content-type'] ?? '', /^application\/json/)
    const body = JSON.parse(res.body)
    assert.deepEqual(Object.keys(body).sort(), [...ID_FIELDS].sort())
    assert.deepEqual(Object.keys(body.ipfs).sort(), ['addresses', 'error', 'id'])
    assert.deepEqual(body, mock.idOf(mock.peerId))
  })

  it('GET /version answers {"version": ...}', async function () {
    mock.cluster.Version = async () => ({ version: '9.8.7' })
    const res = await fetchRaw(`${url}/version`)
    assert.equal(res.status, 200)
    assert.deepEqual(JSON.parse(res.body), { version: '9.8.7' })
    mock.reset()
    assert.deepEqual(JSON.parse((await fetchRaw(`${url}/version`)).body), { version: VERSION })
  })

  it('GET /health answers 204 with no body, without calling RPC', async function () {
    mock.cluster.ID = async () => { throw new Error('must not be called') }
    const res = await fetchRaw(`${url}/health`)
    assert.equal(res.status, 204)
    assert.equal(res.body, '')
  })

  it('adds the configured headers to answers, errors included', async function () {
    for (const path of ['/id', '/health', '/no-such-route', '/%zz']) {
      const res = await fetchRaw(`${url}${path}`)
      const values = res.rawHeaders.filter((_v, i, all) => i % 2 === 1 && all[i - 1]?.toLowerCase() === 'x-extra')
      assert.deepEqual(values, ['one', 'two'], path)
    }
  })

  it('passes an AbortSignal to the RPC call', async function () {
    let seen: AbortSignal | undefined
    mock.cluster.ID = async (_arg, { signal }) => { seen = signal; return mock.idOf(mock.peerId) }
    assert.equal((await fetchRaw(`${url}/id`)).status, 200)
    assert.ok(seen instanceof AbortSignal)
  })
})
