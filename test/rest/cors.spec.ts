import { strict as assert } from 'node:assert'
import { RestApi } from '../../src/api/rest/index.ts'
import { fetchRaw } from '../fixtures/http-client.ts'
import { restConfig } from '../fixtures/rest-config.ts'
import { ClusterRpcMock } from '../fixtures/rpc-mock.ts'
import type { RestApiSection } from '../../src/config/types.ts'

const APP = 'https://app.example.com'

function preflight (origin: string, method = 'GET', headers?: string): Record<string, string> {
  const request: Record<string, string> = { origin, 'access-control-request-method': method }
  if (headers != null) request['access-control-request-headers'] = headers
  return request
}

describe('REST API CORS', function () {
  let mock: ClusterRpcMock
  let api: RestApi | undefined
  let url: string

  async function startApi (overrides: Partial<RestApiSection> = {}): Promise<void> {
    api = new RestApi({ rpc: mock.rpc, config: restConfig(overrides) })
    await api.start()
    url = api.listenUrls()[0] as string
  }

  before(async function () {
    mock = await ClusterRpcMock.create()
  })

  afterEach(async function () {
    await api?.stop()
    api = undefined
  })

  it('answers a preflight with the default configuration, as IPFS Cluster does', async function () {
    await startApi()
    const res = await fetchRaw(`${url}/pins`, { method: 'OPTIONS', headers: preflight(APP) })
    assert.equal(res.status, 204)
    assert.equal(res.body, '')
    assert.equal(res.headers['access-control-allow-origin'], '*')
    assert.equal(res.headers['access-control-allow-methods'], 'GET')
    assert.equal(res.headers['access-control-allow-headers'], 'Origin, Accept, Content-Type, X-Requested-With')
    assert.equal(res.headers['access-control-allow-credentials'], 'true')
    assert.equal(res.headers['access-control-max-age'], undefined)
  })

  it('answers a preflight before authentication, and puts CORS headers on the 401 that follows', async function () {
    await startApi({ basic_auth_credentials: { alice: 'secret' }, cors_allowed_headers: ['Authorization'] })
    const res = await fetchRaw(`${url}/pins`, { method: 'OPTIONS', headers: preflight(APP, 'GET', 'authorization') })
    assert.equal(res.status, 204)
    assert.equal(res.headers['access-control-allow-origin'], '*')
    assert.equal(res.headers['access-control-allow-headers'], 'Authorization')
    const refused = await fetchRaw(`${url}/pins`, { headers: { origin: APP } })
    assert.equal(refused.status, 401)
    assert.equal(refused.headers['access-control-allow-origin'], '*')
  })

  it('follows the cors_* keys: origins (with a wildcard), methods, headers, exposed headers, credentials, max age', async function () {
    await startApi({
      cors_allowed_origins: [APP, 'https://*.example.org'],
      cors_allowed_methods: ['GET', 'POST', 'DELETE'],
      cors_allowed_headers: ['Authorization', 'Content-Type'],
      cors_exposed_headers: ['X-Stream-Error'],
      cors_allow_credentials: false,
      cors_max_age: 10 * 60 * 1000
    })
    for (const origin of [APP, 'https://ui.example.org', 'HTTPS://APP.EXAMPLE.COM']) {
      const res = await fetchRaw(`${url}/pins`, { method: 'OPTIONS', headers: preflight(origin, 'POST') })
      assert.equal(res.status, 204)
      assert.equal(res.headers['access-control-allow-origin'], origin)
      assert.match(String(res.headers.vary), /Origin/)
      assert.equal(res.headers['access-control-allow-methods'], 'GET, POST, DELETE')
      assert.equal(res.headers['access-control-allow-headers'], 'Authorization, Content-Type')
      assert.equal(res.headers['access-control-max-age'], '600')
      assert.equal(res.headers['access-control-allow-credentials'], undefined)
    }
    const actual = await fetchRaw(`${url}/version`, { headers: { origin: APP } })
    assert.equal(actual.status, 200)
    assert.equal(actual.headers['access-control-allow-origin'], APP)
    assert.equal(actual.headers['access-control-expose-headers'], 'X-Stream-Error')
  })

  it('gives no Access-Control-Allow-Origin to an origin not allowed', async function () {
    await startApi({ cors_allowed_origins: [APP, 'https://*.example.org'] })
    for (const origin of ['https://evil.example', 'https://app.example.com.evil.example', 'https://example.org']) {
      const pre = await fetchRaw(`${url}/pins`, { method: 'OPTIONS', headers: preflight(origin) })
      assert.equal(pre.headers['access-control-allow-origin'], undefined, origin)
      const actual = await fetchRaw(`${url}/version`, { headers: { origin } })
      assert.equal(actual.headers['access-control-allow-origin'], undefined, origin)
    }
  })

  it('echoes the headers a preflight asks for when cors_allowed_headers holds "*"', async function () {
    await startApi({ cors_allowed_headers: ['*'] })
    const res = await fetchRaw(`${url}/pins`, { method: 'OPTIONS', headers: preflight(APP, 'GET', 'authorization, x-custom') })
    assert.equal(res.headers['access-control-allow-headers'], 'authorization, x-custom')
  })
})
