import { strict as assert } from 'node:assert'
import { logger } from '@libp2p/logger'
import { buildApp } from '../../src/api/rest/app.ts'
import { HttpError, RestApi } from '../../src/api/rest/index.ts'
import { RequestSignals } from '../../src/api/rest/request-signals.ts'
import { RpcAuthorizationError, RpcClientError, RpcRemoteError, RpcUnknownMethodError } from '../../src/rpc/errors.ts'
import { fetchRaw } from '../fixtures/http-client.ts'
import { restConfig } from '../fixtures/rest-config.ts'
import { ClusterRpcMock, startRestOnMock } from '../fixtures/rpc-mock.ts'
import type { RawResponse } from '../fixtures/http-client.ts'

/** Asserts the body is exactly `{code, message}` with `code` the HTTP status, and returns the message. */
function errorMessage (res: RawResponse, status: number): string {
  assert.equal(res.status, status, res.body)
  assert.match(res.headers['content-type'] ?? '', /^application\/json/)
  const body = JSON.parse(res.body)
  assert.deepEqual(Object.keys(body), ['code', 'message'])
  assert.equal(body.code, status)
  assert.equal(typeof body.message, 'string')
  assert.notEqual(body.message, '')
  return body.message
}

describe('REST API errors', function () {
  let mock: ClusterRpcMock
  let api: RestApi
  let url: string

  before(async function () {
    ;({ mock, api, url } = await startRestOnMock({ config: { max_header_bytes: 1024 } }))
  })

  after(async function () {
    await api.stop()
  })

  afterEach(function () {
    mock.reset()
  })

  it('answers 404 {code, message} for an unknown route', async function () {
    assert.match(errorMessage(await fetchRaw(`${url}/no/such/route`), 404), /\/no\/such\/route/)
  })

  it('answers 405 with Allow for a known path asked with another method, even with a bad body', async function () {
    const res = await fetchRaw(`${url}/id`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad' })
    errorMessage(res, 405)
    assert.equal(res.headers.allow, 'GET')
    errorMessage(await fetchRaw(`${url}/peers`, { method: 'DELETE' }), 405)
  })

  it('answers 400 for a malformed URL', async function () {
    errorMessage(await fetchRaw(`${url}/%zz`), 400)
  })

  it('answers 431 {code, message} when headers exceed max_header_bytes', async function () {
    // 1024 configured + Go's 4096 of slack
    assert.equal((await fetchRaw(`${url}/health`, { headers: { 'x-big': 'a'.repeat(4000) } })).status, 204)
    errorMessage(await fetchRaw(`${url}/health`, { headers: { 'x-big': 'a'.repeat(6000) } }), 431)
  })

  it('maps RPC errors to statuses', async function () {
    const cases: Array<[Error, number]> = [
      [new Error('plain failure'), 500],
      [new RpcRemoteError('SomeAppError', 'remote failure'), 500],
      [new RpcAuthorizationError('not allowed'), 403],
      [new RpcUnknownMethodError('unknown method Cluster.ID'), 501],
      [new RpcClientError('cannot reach peer'), 502],
      [new HttpError(409, 'conflict'), 409]
    ]
    for (const [err, status] of cases) {
      mock.cluster.ID = async () => { throw err }
      assert.equal(errorMessage(await fetchRaw(`${url}/id`), status), err.message)
    }
  })

  it('answers 501 when the Cluster service is not registered', async function () {
    mock.server.unregister('Cluster')
    try {
      errorMessage(await fetchRaw(`${url}/version`), 501)
    } finally {
      mock.server.register('Cluster', mock.cluster)
    }
  })

  describe("fastify's own errors", function () {
    const app = async (): Promise<ReturnType<typeof buildApp>> => {
      const instance = buildApp({ rpc: mock.rpc, config: restConfig(), signals: new RequestSignals(), log: logger('test') })
      // a route with a JSON body, as later endpoints will have
      instance.post('/echo', async (request) => request.body)
      await instance.ready()
      return instance
    }

    it('answers 400 {code, message} for a malformed JSON body', async function () {
      const instance = await app()
      const res = await instance.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"a":' })
      assert.equal(res.statusCode, 400)
      assert.deepEqual(Object.keys(res.json()), ['code', 'message'])
      assert.equal(res.json().code, 400)
      await instance.close()
    })

    it('answers 415 {code, message} for an unsupported content type', async function () {
      const instance = await app()
      const res = await instance.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/x-nope' }, payload: 'x' })
      assert.equal(res.statusCode, 415)
      assert.equal(res.json().code, 415)
      assert.equal(typeof res.json().message, 'string')
      await instance.close()
    })
  })
})
