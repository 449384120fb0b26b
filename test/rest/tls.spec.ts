import { strict as assert } from 'node:assert'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RestApi } from '../../src/api/rest/index.ts'
import { fetchRaw } from '../fixtures/http-client.ts'
import { restConfig } from '../fixtures/rest-config.ts'
import { ClusterRpcMock } from '../fixtures/rpc-mock.ts'
import { fetchHttps, makeCertificate, writeCertificate } from '../fixtures/tls-cert.ts'
import type { TestCertificate } from '../fixtures/tls-cert.ts'
import type { RestApiSection } from '../../src/config/types.ts'

describe('REST API over TLS', function () {
  let mock: ClusterRpcMock
  let certificate: TestCertificate
  let folder: string
  let api: RestApi | undefined

  function newApi (overrides: Partial<RestApiSection>): RestApi {
    api = new RestApi({ rpc: mock.rpc, config: restConfig(overrides), folder })
    return api
  }

  before(async function () {
    mock = await ClusterRpcMock.create()
    certificate = await makeCertificate()
    folder = await mkdtemp(join(tmpdir(), 'pincluster-tls-'))
    await writeCertificate(folder, certificate)
  })

  after(async function () {
    await rm(folder, { recursive: true, force: true })
  })

  afterEach(async function () {
    await api?.stop()
    api = undefined
  })

  it('serves HTTPS with the configured certificate (paths relative to the config folder)', async function () {
    const api = newApi({ ssl_cert_file: 'cert.pem', ssl_key_file: join(folder, 'key.pem') })
    await api.start()
    const url = api.listenUrls()[0] as string
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/)
    assert.equal((await fetchHttps(`${url}/health`, certificate.cert)).status, 204)
    const version = await fetchHttps(`${url}/version`, certificate.cert)
    assert.equal(version.status, 200)
    assert.ok('version' in (JSON.parse(version.body) as object))
    // plain HTTP gets no answer
    await assert.rejects(fetchRaw(`${url.replace('https:', 'http:')}/health`))
  })

  it('authenticates over HTTPS', async function () {
    const api = newApi({ ssl_cert_file: 'cert.pem', ssl_key_file: 'key.pem', basic_auth_credentials: { alice: 'secret' } })
    await api.start()
    const url = api.listenUrls()[0] as string
    assert.equal((await fetchHttps(`${url}/version`, certificate.cert)).status, 401)
    const authorization = 'Basic ' + Buffer.from('alice:secret').toString('base64')
    assert.equal((await fetchHttps(`${url}/version`, certificate.cert, { headers: { authorization } })).status, 200)
  })

  it('does not start when a file is missing, naming the key and the path', async function () {
    const missing = join(folder, 'missing.pem')
    for (const [overrides, key] of [
      [{ ssl_cert_file: missing, ssl_key_file: 'key.pem' }, 'api.restapi.ssl_cert_file'],
      [{ ssl_cert_file: 'cert.pem', ssl_key_file: 'missing.pem' }, 'api.restapi.ssl_key_file']
    ] as const) {
      const api = newApi(overrides)
      await assert.rejects(api.start(), (err: Error) => {
        assert.equal(err.name, 'TlsConfigError')
        assert.ok(err.message.includes(key), err.message)
        assert.ok(err.message.includes(missing), err.message)
        assert.match(err.message, /ENOENT/)
        return true
      })
      assert.deepEqual(api.listenUrls(), [])
    }
  })

  it('does not start with files that are no certificate and key, or do not match', async function () {
    await writeFile(join(folder, 'garbage.pem'), 'not a certificate')
    const other = await writeCertificate(await mkdtemp(join(folder, 'other-')), await makeCertificate())
    for (const overrides of [
      { ssl_cert_file: 'garbage.pem', ssl_key_file: 'key.pem' },
      { ssl_cert_file: 'cert.pem', ssl_key_file: other.keyFile }
    ]) {
      const api = newApi(overrides)
      await assert.rejects(api.start(), (err: Error) => {
        assert.equal(err.name, 'TlsConfigError')
        assert.match(err.message, /api\.restapi\.ssl_cert_file and ssl_key_file .* are not a usable PEM certificate and private key/)
        assert.ok(!err.message.includes('PRIVATE KEY'), 'no key material in the message')
        return true
      })
      assert.deepEqual(api.listenUrls(), [])
    }
  })
})
