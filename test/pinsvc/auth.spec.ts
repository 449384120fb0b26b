import { strict as assert } from 'node:assert'
import { SignJWT } from 'jose'
import { metricsReady, startCluster, stopCluster } from '../fixtures/cluster.ts'
import { PinSvcClient, addContent, clientOf, inPinset } from './client.ts'
import type { Cluster } from '../../src/cluster/cluster.ts'
import type { FailureJson, PinStatusJson } from '../../src/api/pinsvc/types.ts'

const basic = (user: string, password: string): Record<string, string> => ({ authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') })
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

async function tokenSignedWith (password: string, claims: { iss: string, exp?: number }): Promise<string> {
  const jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer(claims.iss)
  if (claims.exp != null) jwt.setExpirationTime(claims.exp)
  return jwt.sign(new TextEncoder().encode(password))
}

describe('Pinning Service API: access tokens', function () {
  this.timeout(180_000)
  let peers: Cluster[]
  let open: PinSvcClient
  let anonymous: PinSvcClient

  before(async function () {
    peers = await startCluster(3, undefined, (config, i) => {
      if (i === 0) {
        config.api.pinsvcapi.basic_auth_credentials = { alice: 'wonderland', bob: 'builder' }
        config.api.pinsvcapi.cors_allowed_methods = ['GET', 'POST', 'DELETE']
      }
    })
    await metricsReady(peers)
    anonymous = clientOf(peers[0] as Cluster)
    open = clientOf(peers[1] as Cluster)
  })

  after(async function () {
    await stopCluster(peers)
  })

  it('refuses a request without credentials with 401, WWW-Authenticate and the spec\'s Failure, and pins nothing', async function () {
    const cid = await addContent(peers[0] as Cluster, 'anonymous')
    for (const [method, path, body] of [['GET', '/pins'], ['POST', '/pins', { cid }], ['GET', '/pins/01ARZ3NDEKTSV4RRFFQ69G5FAV'], ['DELETE', '/pins/01ARZ3NDEKTSV4RRFFQ69G5FAV']] as const) {
      const res = await anonymous.request<FailureJson>(method, path, body)
      assert.equal(res.status, 401, `${method} ${path}`)
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm=/)
      assert.equal(res.body.error.reason, 'UNAUTHORIZED')
    }
    assert.equal(await inPinset(peers[0] as Cluster, cid), false)
  })

  it('refuses wrong credentials and invalid tokens, saying nothing of the secret', async function () {
    const refused = [
      basic('alice', 'wrong'),
      basic('mallory', 'wonderland'),
      basic('alice', ''),
      bearer('not-a-jwt'),
      bearer(await tokenSignedWith('wrong', { iss: 'alice' })),
      bearer(await tokenSignedWith('wonderland', { iss: 'bob' })),
      bearer(await tokenSignedWith('wonderland', { iss: 'alice', exp: Math.floor(Date.now() / 1000) - 60 })),
      // alg "none": a header and a payload, no signature
      bearer(Buffer.from('{"alg":"none"}').toString('base64url') + '.' + Buffer.from('{"iss":"alice"}').toString('base64url') + '.')
    ]
    for (const headers of refused) {
      const res = await anonymous.request<FailureJson>('GET', '/pins', undefined, headers)
      assert.equal(res.status, 401, headers.authorization)
      assert.equal(res.body.error.reason, 'UNAUTHORIZED')
      assert.doesNotMatch(res.text, /wonderland|builder/)
    }
    const res = await anonymous.request('GET', '/pins', undefined, bearer('not-a-jwt'))
    assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/)
  })

  it('takes HTTP Basic, and the token POST /token issues as the access token', async function () {
    assert.equal((await anonymous.request('GET', '/pins', undefined, basic('bob', 'builder'))).status, 200)
    const issued = await anonymous.request<{ token: string }>('POST', '/token', undefined, basic('alice', 'wonderland'))
    assert.equal(issued.status, 200)
    const api = anonymous.withHeaders(bearer(issued.body.token))
    const cid = await addContent(peers[2] as Cluster, 'with token')
    const created = await api.add({ cid, name: 'token' })
    assert.equal((await api.get(created.requestid)).pin.name, 'token')
    // a token made elsewhere with the same password is as good (IPFS Cluster's tokens)
    const made: PinStatusJson = await anonymous.withHeaders(bearer(await tokenSignedWith('wonderland', { iss: 'alice' }))).get(created.requestid)
    assert.equal(made.requestid, created.requestid)
    await api.remove(created.requestid)
    assert.equal(await inPinset(peers[0] as Cluster, cid), false)
  })

  it('answers CORS preflights without credentials', async function () {
    const res = await anonymous.request('OPTIONS', '/pins', undefined, {
      origin: 'https://app.example',
      'access-control-request-method': 'POST'
    })
    assert.ok(res.status === 204 || res.status === 200, String(res.status))
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://app.example')
    assert.match(res.headers.get('access-control-allow-methods') ?? '', /POST/)
  })

  it('needs no token where no credentials are configured; POST /token says so', async function () {
    assert.equal((await open.request('GET', '/pins')).status, 200)
    const res = await open.request<FailureJson>('POST', '/token')
    assert.equal(res.status, 400)
    assert.equal(res.body.error.reason, 'BAD_REQUEST')
  })
})
