import { strict as assert } from 'node:assert'
import { SignJWT, base64url, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose'
import { RestApi } from '../../src/api/rest/index.ts'
import { fetchRaw } from '../fixtures/http-client.ts'
import { restConfig } from '../fixtures/rest-config.ts'
import { CIDS, ClusterRpcMock } from '../fixtures/rpc-mock.ts'
import type { RawResponse } from '../fixtures/http-client.ts'
import type { RestApiSection } from '../../src/config/types.ts'

const USERS = { alice: 'alice-password', bob: 'bob-password' }
const REALM = 'Restricted IPFS Cluster API'

function basic (user: string, password: string): Record<string, string> {
  return { authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') }
}

function bearer (token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` }
}

/** A JWT made here, as an attacker or another implementation would. */
async function sign (alg: string, key: Uint8Array | CryptoKey, claims: { iss?: string, exp?: number }): Promise<string> {
  const jwt = new SignJWT({}).setProtectedHeader({ alg, typ: 'JWT' }).setIssuedAt()
  if (claims.iss != null) jwt.setIssuer(claims.iss)
  if (claims.exp != null) jwt.setExpirationTime(claims.exp)
  return jwt.sign(key)
}

function secret (password: string): Uint8Array {
  return new TextEncoder().encode(password)
}

function inAnHour (): number {
  return Math.floor(Date.now() / 1000) + 3600
}

/** Every WWW-Authenticate value, each header apart (node joins them in `headers`). */
function challengesOf (res: RawResponse): string[] {
  return res.rawHeaders.filter((_v, i) => i % 2 === 1 && res.rawHeaders[i - 1]?.toLowerCase() === 'www-authenticate')
}

/** A 401 with the `{code, message}` body and a Basic challenge; no password or token in it. */
function assertUnauthorized (res: RawResponse, message: RegExp): void {
  assert.equal(res.status, 401, res.body)
  const body = JSON.parse(res.body) as { code: number, message: string }
  assert.equal(body.code, 401)
  assert.match(body.message, message)
  const challenges = challengesOf(res)
  assert.ok(challenges.includes(`Basic realm="${REALM}"`), `challenges: ${challenges.join(' | ')}`)
  for (const password of Object.values(USERS)) assert.ok(!res.body.includes(password))
}

describe('REST API authentication', function () {
  let mock: ClusterRpcMock
  let api: RestApi
  let url: string

  async function startApi (overrides: Partial<RestApiSection> = {}): Promise<void> {
    api = new RestApi({ rpc: mock.rpc, config: restConfig({ basic_auth_credentials: USERS, ...overrides }) })
    await api.start()
    url = api.listenUrls()[0] as string
  }

  async function getToken (user: keyof typeof USERS): Promise<string> {
    const res = await fetchRaw(`${url}/token`, { method: 'POST', headers: basic(user, USERS[user]) })
    assert.equal(res.status, 200, res.body)
    return (JSON.parse(res.body) as { token: string }).token
  }

  before(async function () {
    mock = await ClusterRpcMock.create()
  })

  afterEach(async function () {
    await api?.stop()
    mock.reset()
  })

  describe('HTTP Basic', function () {
    beforeEach(async function () { await startApi() })

    it('refuses a request without credentials, offering Basic and Bearer', async function () {
      const res = await fetchRaw(`${url}/version`)
      assertUnauthorized(res, /^unauthorized: no credentials/)
      assert.ok(challengesOf(res).includes(`Bearer realm="${REALM}"`))
    })

    it('refuses a wrong password, an unknown user, an empty password and malformed credentials', async function () {
      for (const headers of [basic('alice', 'bob-password'), basic('alice', 'alice-passwor'), basic('mallory', 'alice-password'),
        basic('alice', ''), basic('', ''), { authorization: 'Basic !!not-base64!!' },
        { authorization: 'Basic ' + Buffer.from('alice').toString('base64') }]) {
        const res = await fetchRaw(`${url}/version`, { headers })
        assertUnauthorized(res, /wrong user or password|malformed Basic credentials/)
      }
    })

    it('lets every configured user in, whatever the case of the scheme', async function () {
      for (const [user, password] of Object.entries(USERS)) {
        const res = await fetchRaw(`${url}/version`, { headers: basic(user, password) })
        assert.equal(res.status, 200, res.body)
      }
      const lower = { authorization: 'basic ' + Buffer.from('alice:alice-password').toString('base64') }
      assert.equal((await fetchRaw(`${url}/version`, { headers: lower })).status, 200)
    })

    it('changes nothing for a request it refuses', async function () {
      const pinset = mock.usePinset()
      const res = await fetchRaw(`${url}/pins/${CIDS.v1}`, { method: 'POST', headers: basic('alice', 'wrong') })
      assertUnauthorized(res, /wrong user or password/)
      assert.deepEqual(pinset.requests, [])
      const ok = await fetchRaw(`${url}/pins/${CIDS.v1}`, { method: 'POST', headers: basic('alice', USERS.alice) })
      assert.equal(ok.status, 200, ok.body)
      assert.equal(pinset.requests.length, 1)
    })

    it('leaves GET /health and OPTIONS open', async function () {
      assert.equal((await fetchRaw(`${url}/health`)).status, 204)
      const preflight = await fetchRaw(`${url}/pins`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' }
      })
      assert.equal(preflight.status, 204)
    })

    it('authenticates before telling whether a path exists', async function () {
      assertUnauthorized(await fetchRaw(`${url}/no/such/path`), /no credentials/)
    })
  })

  describe('JWT bearer tokens', function () {
    beforeEach(async function () { await startApi() })

    it('POST /token issues an HS256 token for the user, expiring after jwt_expiry', async function () {
      const token = await getToken('alice')
      assert.deepEqual(decodeProtectedHeader(token), { alg: 'HS256', typ: 'JWT' })
      const claims = decodeJwt(token)
      assert.equal(claims.iss, 'alice')
      assert.equal(typeof claims.iat, 'number')
      assert.equal((claims.exp as number) - (claims.iat as number), 3600)
      assert.equal((await fetchRaw(`${url}/version`, { headers: bearer(token) })).status, 200)
    })

    it('accepts a token made elsewhere the way IPFS Cluster makes them', async function () {
      const token = await sign('HS256', secret(USERS.bob), { iss: 'bob', exp: inAnHour() })
      assert.equal((await fetchRaw(`${url}/version`, { headers: bearer(token) })).status, 200)
    })

    it('refuses an expired token, saying so', async function () {
      const token = await sign('HS256', secret(USERS.alice), { iss: 'alice', exp: Math.floor(Date.now() / 1000) - 60 })
      const res = await fetchRaw(`${url}/version`, { headers: bearer(token) })
      assertUnauthorized(res, /^unauthorized: the token has expired$/)
      assert.ok(challengesOf(res).includes(`Bearer realm="${REALM}", error="invalid_token"`))
    })

    it('refuses a tampered token', async function () {
      const token = await getToken('alice')
      const [header, payload, signature] = token.split('.') as [string, string, string]
      // the same signature over claims naming bob
      const claims = { ...decodeJwt(token), iss: 'bob' }
      const forged = `${header}.${base64url.encode(JSON.stringify(claims))}.${signature}`
      // a signature changed in its first character (the last one has bits that do not count)
      const flipped = `${header}.${payload}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`
      for (const bad of [forged, flipped, `${header}.${payload}.`, `${header}.${payload}`, 'not-a-jwt']) {
        assertUnauthorized(await fetchRaw(`${url}/version`, { headers: bearer(bad) }), /^unauthorized: invalid token$/)
      }
    })

    it('refuses every algorithm but HS256: none, HS384, HS512, RS256', async function () {
      const claims = { iss: 'alice', exp: inAnHour() }
      const unsecured = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify(claims))}.`
      const rsa = await generateKeyPair('RS256')
      const tokens = [
        unsecured,
        await sign('HS384', secret(USERS.alice), claims),
        await sign('HS512', secret(USERS.alice), claims),
        await sign('RS256', rsa.privateKey, claims)
      ]
      for (const token of tokens) {
        assertUnauthorized(await fetchRaw(`${url}/version`, { headers: bearer(token) }), /^unauthorized: invalid token$/)
      }
    })

    it('refuses an unknown issuer, a token signed with another user\'s password, and one without issuer', async function () {
      const exp = inAnHour()
      for (const token of [
        await sign('HS256', secret('whatever'), { iss: 'mallory', exp }),
        await sign('HS256', secret(USERS.alice), { iss: 'bob', exp }),
        await sign('HS256', secret(USERS.alice), { exp })
      ]) {
        assertUnauthorized(await fetchRaw(`${url}/version`, { headers: bearer(token) }), /^unauthorized: invalid token$/)
      }
    })

    it('refuses a token without expiry while jwt_expiry is set', async function () {
      const token = await sign('HS256', secret(USERS.alice), { iss: 'alice' })
      assertUnauthorized(await fetchRaw(`${url}/version`, { headers: bearer(token) }), /^unauthorized: invalid token$/)
    })

    it('does not issue a token for a token, nor for wrong credentials', async function () {
      const token = await getToken('alice')
      const renewed = await fetchRaw(`${url}/token`, { method: 'POST', headers: bearer(token) })
      assertUnauthorized(renewed, /HTTP Basic credentials are needed/)
      assertUnauthorized(await fetchRaw(`${url}/token`, { method: 'POST', headers: basic('alice', 'nope') }), /wrong user or password/)
      assertUnauthorized(await fetchRaw(`${url}/token`, { method: 'POST' }), /no credentials/)
    })
  })

  describe('configuration', function () {
    it('jwt_expiry 0 issues tokens without expiry and accepts IPFS Cluster\'s, which have none', async function () {
      await startApi({ jwt_expiry: 0 })
      const token = await getToken('bob')
      assert.equal(decodeJwt(token).exp, undefined)
      assert.equal((await fetchRaw(`${url}/version`, { headers: bearer(token) })).status, 200)
      const foreign = await sign('HS256', secret(USERS.alice), { iss: 'alice' })
      assert.equal((await fetchRaw(`${url}/version`, { headers: bearer(foreign) })).status, 200)
      // an expired one is still refused
      const expired = await sign('HS256', secret(USERS.alice), { iss: 'alice', exp: Math.floor(Date.now() / 1000) - 60 })
      assertUnauthorized(await fetchRaw(`${url}/version`, { headers: bearer(expired) }), /expired/)
    })

    it('without basic_auth_credentials, everything is open and POST /token answers 401', async function () {
      api = new RestApi({ rpc: mock.rpc, config: restConfig() })
      await api.start()
      url = api.listenUrls()[0] as string
      assert.equal((await fetchRaw(`${url}/version`)).status, 200)
      const res = await fetchRaw(`${url}/token`, { method: 'POST', headers: basic('alice', USERS.alice) })
      assert.equal(res.status, 401)
      assert.match((JSON.parse(res.body) as { message: string }).message, /no basic_auth_credentials/)
    })

    it('a user configured with an empty password can never sign in', async function () {
      await startApi({ basic_auth_credentials: { alice: USERS.alice, eve: '' } })
      assertUnauthorized(await fetchRaw(`${url}/version`, { headers: basic('eve', '') }), /wrong user or password/)
      // jose cannot even sign with an empty key; any other key is not eve's
      const token = await sign('HS256', secret('guess'), { iss: 'eve', exp: inAnHour() })
      assertUnauthorized(await fetchRaw(`${url}/version`, { headers: bearer(token) }), /invalid token/)
    })
  })
})
