import { strict as assert } from 'node:assert'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { RestApi } from '../../src/api/rest/index.ts'
import { VERSION } from '../../src/version.ts'
import { startCluster, stopCluster } from '../fixtures/cluster.ts'
import { runCtl } from '../fixtures/ctl-runner.ts'
import { restConfig } from '../fixtures/rest-config.ts'
import { ClusterRpcMock } from '../fixtures/rpc-mock.ts'
import { makeCertificate, writeCertificate } from '../fixtures/tls-cert.ts'
import type { Cluster } from '../../src/cluster/cluster.ts'
import type { CtlRun } from '../fixtures/ctl-runner.ts'
import type { PromptTerminal } from '../../src/cli/ctl/credentials.ts'

const PASSWORD = 'alice-secret-pw'

/** One line on stderr, no stack trace, no password. */
function assertOneLineError (run: CtlRun, pattern: RegExp): void {
  assert.equal(run.code, 1, run.stderr)
  const lines = run.stderr.split('\n').filter((l) => l !== '')
  assert.equal(lines.length, 1, run.stderr)
  assert.match(lines[0] as string, pattern)
  assert.ok(!run.stderr.includes(PASSWORD))
}

/** A terminal the prompt takes for a TTY: it types `typed` and records what is shown. */
function fakeTerminal (typed: string): { terminal: PromptTerminal, shown: () => string } {
  const input = Object.assign(new PassThrough(), { isTTY: true })
  const output = new PassThrough()
  let shown = ''
  output.on('data', (chunk: Buffer) => { shown += chunk.toString('utf8') })
  // typed once the prompt is up, as a person would: not within the prompt's own write
  output.once('data', () => { setImmediate(() => { input.write(typed) }) })
  return { terminal: { input, output }, shown: () => shown }
}

describe('cluster-ctl --basic-auth and https', function () {
  let mock: ClusterRpcMock

  before(async function () {
    mock = await ClusterRpcMock.create()
  })

  describe('against an API with basic_auth_credentials', function () {
    let api: RestApi
    let host: string

    before(async function () {
      api = new RestApi({ rpc: mock.rpc, config: restConfig({ basic_auth_credentials: { alice: PASSWORD } }) })
      await api.start()
      host = api.listenMultiaddrs()[0] as string
    })

    after(async function () {
      await api.stop()
    })

    it('works with --basic-auth user:password', async function () {
      const run = await runCtl(['--host', host, '--basic-auth', `alice:${PASSWORD}`, 'version'])
      assert.equal(run.code, 0, run.stderr)
      assert.equal(run.stdout, `${VERSION}\n`)
    })

    it('takes the credentials from CLUSTER_CREDENTIALS', async function () {
      const run = await runCtl(['--host', host, 'version'], { env: { CLUSTER_CREDENTIALS: `alice:${PASSWORD}` } })
      assert.equal(run.code, 0, run.stderr)
    })

    it('without credentials: exit 1 and one line saying how to give them', async function () {
      const run = await runCtl(['--host', host, 'version'])
      assertOneLineError(run, /^An error occurred: unauthorized: no credentials.*--basic-auth.*\(code 401\)$/)
      assert.equal(run.stdout, '')
    })

    it('with a wrong password: exit 1 and one line', async function () {
      const run = await runCtl(['--host', host, '--basic-auth', 'alice:wrong', 'version'])
      assertOneLineError(run, /^An error occurred: unauthorized: wrong user or password \(code 401\)$/)
    })

    it('a user without password and no terminal: exit 1 before any request, saying what to do', async function () {
      const run = await runCtl(['--host', host, '--debug', '--basic-auth', 'alice', 'version'])
      assertOneLineError(run, /^An error occurred: no password for user "alice" and no terminal to ask for it: give --basic-auth alice:<password>/)
      assert.doesNotMatch(run.stderr, /debug: GET/)
    })

    it('a user without password on a terminal: asks for it without echoing it', async function () {
      const { terminal, shown } = fakeTerminal(`${PASSWORD}\n`)
      const run = await runCtl(['--host', host, '--basic-auth', 'alice', 'version'], { terminal })
      assert.equal(run.code, 0, run.stderr)
      assert.equal(run.stdout, `${VERSION}\n`)
      assert.match(shown(), /Password for alice: /)
      assert.ok(!shown().includes(PASSWORD), `shown: ${JSON.stringify(shown())}`)
    })

    it('--debug prints requests but never the credentials', async function () {
      const run = await runCtl(['--host', host, '--debug', '--basic-auth', `alice:${PASSWORD}`, 'version'])
      assert.equal(run.code, 0, run.stderr)
      assert.match(run.stderr, /debug: GET http:\/\/127\.0\.0\.1:\d+\/version/)
      assert.ok(!run.stderr.includes(PASSWORD))
      assert.ok(!run.stderr.includes(Buffer.from(`alice:${PASSWORD}`).toString('base64')))
    })
  })

  describe('against an API over TLS', function () {
    let api: RestApi
    let folder: string
    let port: string

    before(async function () {
      folder = await mkdtemp(join(tmpdir(), 'pincluster-ctl-tls-'))
      const files = await writeCertificate(folder, await makeCertificate())
      api = new RestApi({
        rpc: mock.rpc,
        config: restConfig({ ssl_cert_file: files.certFile, ssl_key_file: files.keyFile, basic_auth_credentials: { alice: PASSWORD } })
      })
      await api.start()
      port = new URL(api.listenUrls()[0] as string).port
    })

    after(async function () {
      await api.stop()
      await rm(folder, { recursive: true, force: true })
    })

    it('reaches it with --https, /https, /tls/http or an https:// URL, and --no-check-certificate for a self-signed certificate', async function () {
      for (const hostArgs of [
        ['--host', `/ip4/127.0.0.1/tcp/${port}`, '--https'],
        ['--host', `/ip4/127.0.0.1/tcp/${port}/https`],
        ['--host', `/ip4/127.0.0.1/tcp/${port}/tls/http`],
        ['--host', `https://127.0.0.1:${port}`]
      ]) {
        const run = await runCtl([...hostArgs, '--no-check-certificate', '--basic-auth', `alice:${PASSWORD}`, 'version'])
        assert.equal(run.code, 0, `${hostArgs.join(' ')}: ${run.stderr}`)
        assert.equal(run.stdout, `${VERSION}\n`)
      }
    })

    it('refuses the self-signed certificate unless told, saying how', async function () {
      const run = await runCtl(['--host', `/ip4/127.0.0.1/tcp/${port}`, '--https', '--basic-auth', `alice:${PASSWORD}`, 'version'])
      assertOneLineError(run, /^An error occurred: cannot reach the cluster peer at https:\/\/127\.0\.0\.1:\d+: .*self-signed.*--no-check-certificate/)
    })

    it('without credentials over https: exit 1 with the 401', async function () {
      const run = await runCtl(['--host', `/ip4/127.0.0.1/tcp/${port}`, '--https', '--no-check-certificate', 'version'])
      assertOneLineError(run, /unauthorized.*\(code 401\)$/)
    })
  })

  describe('against a cluster peer with basic_auth_credentials', function () {
    let peers: Cluster[]
    let url: string

    before(async function () {
      peers = await startCluster(1, undefined, (config) => {
        config.api.restapi.basic_auth_credentials = { admin: PASSWORD }
        // relative: in the peer's config folder
        config.api.restapi.http_log_file = 'http.log'
      })
      url = (peers[0] as Cluster).restApiUrls[0] as string
    })

    after(async function () {
      await stopCluster(peers)
    })

    it('answers cluster-ctl with the credentials and refuses it without', async function () {
      const ok = await runCtl(['--host', url, '--basic-auth', `admin:${PASSWORD}`, '--enc', 'json', 'id'])
      assert.equal(ok.code, 0, ok.stderr)
      const id = JSON.parse(ok.stdout) as { id: string }
      assert.equal(id.id, (peers[0] as Cluster).libp2p.peerId.toString())
      assert.ok(!ok.stdout.includes(PASSWORD), 'the id output holds no password')
      const refused = await runCtl(['--host', url, 'id'])
      assertOneLineError(refused, /unauthorized.*\(code 401\)$/)
    })
  })
})
