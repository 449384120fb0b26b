import { strict as assert } from 'node:assert'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RestApi } from '../../src/api/rest/index.ts'
import { fetchRaw } from '../fixtures/http-client.ts'
import { restConfig } from '../fixtures/rest-config.ts'
import { ClusterRpcMock } from '../fixtures/rpc-mock.ts'

const PASSWORD = 'correct-horse-battery-staple'
const LINE = /^127\.0\.0\.1 - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "(\w+) (\S+) HTTP\/1\.1" (\d{3}) (\d+|-) \d+\.\dms$/

describe('REST API request log (http_log_file)', function () {
  let mock: ClusterRpcMock
  let folder: string

  before(async function () {
    mock = await ClusterRpcMock.create()
  })

  beforeEach(async function () {
    folder = await mkdtemp(join(tmpdir(), 'pincluster-httplog-'))
  })

  afterEach(async function () {
    await rm(folder, { recursive: true, force: true })
  })

  async function lines (path: string): Promise<string[]> {
    return (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '')
  }

  it('appends one line per request, with method, URL, status and time, and never a credential', async function () {
    const config = restConfig({ http_log_file: 'http.log', basic_auth_credentials: { alice: PASSWORD } })
    const api = new RestApi({ rpc: mock.rpc, config, folder })
    await api.start()
    const url = api.listenUrls()[0] as string
    const authorization = 'Basic ' + Buffer.from(`alice:${PASSWORD}`).toString('base64')
    try {
      await fetchRaw(`${url}/version`)
      await fetchRaw(`${url}/version`, { headers: { authorization } })
      const token = (JSON.parse((await fetchRaw(`${url}/token`, { method: 'POST', headers: { authorization } })).body) as { token: string }).token
      await fetchRaw(`${url}/id?token=${token}&access_key=${PASSWORD}&filter=pinned`, { headers: { authorization: `Bearer ${token}` } })
      await fetchRaw(`${url}/health`)
    } finally {
      await api.stop()
    }
    const log = join(folder, 'http.log')
    const written = await lines(log)
    assert.deepEqual(written.map((l) => LINE.exec(l)?.slice(1, 4)), [
      ['GET', '/version', '401'],
      ['GET', '/version', '200'],
      ['POST', '/token', '200'],
      ['GET', '/id?token=REDACTED&access_key=REDACTED&filter=pinned', '200'],
      ['GET', '/health', '204']
    ])
    const text = written.join('\n')
    assert.ok(!text.includes(PASSWORD))
    assert.ok(!text.includes(authorization.slice(6)))
    assert.ok(!/eyJ/.test(text), 'no JWT in the log')
  })

  it('appends to what the file holds, across restarts', async function () {
    const log = join(folder, 'http.log')
    for (let i = 0; i < 2; i++) {
      const api = new RestApi({ rpc: mock.rpc, config: restConfig({ http_log_file: log }) })
      await api.start()
      await fetchRaw(`${api.listenUrls()[0] as string}/health`)
      await api.stop()
    }
    assert.equal((await lines(log)).length, 2)
  })

  it('does not start when the file cannot be opened, naming the key', async function () {
    await mkdir(join(folder, 'a-directory'))
    const api = new RestApi({ rpc: mock.rpc, config: restConfig({ http_log_file: 'a-directory' }), folder })
    await assert.rejects(api.start(), (err: Error) => {
      assert.equal(err.name, 'RequestLogFileError')
      assert.match(err.message, /api\.restapi\.http_log_file .*a-directory.*: EISDIR/)
      return true
    })
    assert.deepEqual(api.listenUrls(), [])
  })
})
