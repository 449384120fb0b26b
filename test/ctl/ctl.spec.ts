import { strict as assert } from 'node:assert'
import { createServer } from 'node:http'
import { RestApi } from '../../src/api/rest/index.ts'
import { formatId } from '../../src/cli/ctl/format/id.ts'
import { RpcAuthorizationError } from '../../src/rpc/errors.ts'
import { VERSION } from '../../src/version.ts'
import { jsonLines, runCtl } from '../fixtures/ctl-runner.ts'
import { aborted } from '../fixtures/http-client.ts'
import { restConfig } from '../fixtures/rest-config.ts'
import { ClusterRpcMock } from '../fixtures/rpc-mock.ts'
import type { IDJson } from '../../src/api/types.ts'
import type { CtlRun } from '../fixtures/ctl-runner.ts'
import type { IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One line on stderr, the ipfs-cluster-ctl way, and no stack trace. */
function assertOneLineError (run: CtlRun, pattern: RegExp): void {
  const lines = run.stderr.split('\n').filter((l) => l !== '')
  assert.equal(lines.length, 1, run.stderr)
  assert.match(lines[0] as string, pattern)
  assert.doesNotMatch(run.stderr, /\n\s+at /)
}

describe('cluster-ctl against the REST API', function () {
  let mock: ClusterRpcMock
  let api: RestApi
  let host: string
  let url: string

  before(async function () {
    mock = await ClusterRpcMock.create()
    api = new RestApi({ rpc: mock.rpc, config: restConfig() })
    await api.start()
    host = api.listenMultiaddrs()[0] as string
    url = api.listenUrls()[0] as string
  })

  after(async function () {
    await api.stop()
  })

  afterEach(function () {
    mock.reset()
  })

  describe('id', function () {
    it('prints the peer like ipfs-cluster-ctl', async function () {
      const run = await runCtl(['--host', host, 'id'])
      assert.equal(run.code, 0, run.stderr)
      const id = mock.idOf(mock.peerId)
      assert.equal(run.stdout, [
        `${id.id} | ${id.peername} | Sees 2 other peers`,
        '  > Addresses:',
        ...[...id.addresses].sort().map((a) => `    - ${a}`),
        `  > IPFS: ${id.ipfs.id}`,
        ...id.ipfs.addresses.map((a) => `    - ${a}`)
      ].join('\n') + '\n')
      assert.equal(run.stderr, '')
    })

    it('prints the IDJson with --enc json', async function () {
      const run = await runCtl(['--host', host, '--enc', 'json', 'id'])
      assert.equal(run.code, 0, run.stderr)
      assert.deepEqual(JSON.parse(run.stdout), mock.idOf(mock.peerId))
    })

    it('shows the errors a peer reports in its ID', async function () {
      const id = mock.idOf(mock.peerId)
      assert.equal(formatId({ ...id, error: 'unreachable' }), `${id.id} | ERROR: unreachable\n`)
      assert.match(formatId({ ...id, ipfs: { ...id.ipfs, error: 'connection refused' } }), /\n {2}> IPFS ERROR: connection refused\n$/)
    })
  })

  describe('peers ls', function () {
    it('prints one block per peer', async function () {
      const run = await runCtl(['--host', host, 'peers', 'ls'])
      assert.equal(run.code, 0, run.stderr)
      const expected = [mock.peerId, ...mock.otherPeers].map((p) => formatId(mock.idOf(p))).join('')
      assert.equal(run.stdout, expected)
    })

    it('prints one JSON object per line per peer with --enc json', async function () {
      const run = await runCtl(['--host', host, '--enc', 'json', 'peers', 'ls'])
      assert.equal(run.code, 0, run.stderr)
      assert.deepEqual(jsonLines(run.stdout), [mock.peerId, ...mock.otherPeers].map((p) => mock.idOf(p)))
    })

    it('prints each peer as it arrives', async function () {
      const printed = Promise.withResolvers<void>()
      mock.cluster.Peers = (_arg, { signal }) => (async function * () {
        yield mock.idOf(mock.peerId)
        // the second peer comes only once the first has been printed
        await printed.promise
        signal.throwIfAborted()
        yield mock.idOf(mock.otherPeers[0]!)
      })()
      const run = await runCtl(['--host', host, 'peers', 'ls'], { onStdout: () => { printed.resolve() } })
      assert.equal(run.code, 0, run.stderr)
      assert.equal(run.stdout, formatId(mock.idOf(mock.peerId)) + formatId(mock.idOf(mock.otherPeers[0]!)))
    })

    it('prints nothing for no peers', async function () {
      mock.cluster.Peers = () => (async function * () {})()
      const run = await runCtl(['--host', host, 'peers', 'ls'])
      assert.deepEqual(run, { code: 0, stdout: '', stderr: '' })
    })

    it('prints the peers received, then the stream error, and exits 1', async function () {
      mock.cluster.Peers = () => (async function * () {
        yield mock.idOf(mock.peerId)
        throw new Error('consensus lost its leader')
      })()
      const run = await runCtl(['--host', host, 'peers', 'ls'])
      assert.equal(run.code, 1)
      assert.equal(run.stdout, formatId(mock.idOf(mock.peerId)))
      assertOneLineError(run, /^An error occurred: consensus lost its leader$/)
    })
  })

  describe('version', function () {
    it('prints the version string, or {"version"} with --enc json', async function () {
      const text = await runCtl(['--host', host, 'version'])
      assert.deepEqual(text, { code: 0, stdout: `${VERSION}\n`, stderr: '' })
      const json = await runCtl(['--host', host, '--enc', 'json', 'version'])
      assert.equal(json.code, 0)
      assert.deepEqual(JSON.parse(json.stdout), { version: VERSION })
    })

    it('takes the global options after the command too', async function () {
      const run = await runCtl(['version', '--host', host, '--enc', 'json'])
      assert.equal(run.code, 0, run.stderr)
      assert.deepEqual(JSON.parse(run.stdout), { version: VERSION })
    })
  })

  describe('--host', function () {
    it('takes a multiaddr, with or without /http, or a URL', async function () {
      for (const h of [host, `${host}/http`, url, `${url}/`]) {
        const run = await runCtl(['--host', h, 'version'])
        assert.deepEqual(run, { code: 0, stdout: `${VERSION}\n`, stderr: '' }, h)
      }
    })

    it('refuses a bad value clearly, without calling anything', async function () {
      for (const bad of ['localhost:9094', '/ip4/127.0.0.1/udp/9094', '/ip4/300.0.0.1/tcp/1']) {
        const run = await runCtl(['--host', bad, 'id'])
        assert.notEqual(run.code, 0)
        assert.equal(run.stdout, '')
        assertOneLineError(run, new RegExp(`invalid host "${bad.replaceAll('.', '\\.')}"`))
      }
    })

    it('fails with exit code 1 and one line when nothing listens there', async function () {
      const closed = new RestApi({ rpc: mock.rpc, config: restConfig() })
      await closed.start()
      const gone = closed.listenMultiaddrs()[0] as string
      await closed.stop()
      const run = await runCtl(['--host', gone, 'id'])
      assert.equal(run.code, 1)
      assert.equal(run.stdout, '')
      assertOneLineError(run, /^An error occurred: cannot reach the cluster peer at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/)
    })
  })

  describe('errors', function () {
    it('reports an API error answer in one line with its code', async function () {
      mock.cluster.ID = async () => { throw new RpcAuthorizationError('not for you') }
      const run = await runCtl(['--host', host, 'id'])
      assert.equal(run.code, 1)
      assertOneLineError(run, /^An error occurred: not for you \(code 403\)$/)
    })

    it('exits 62 when --timeout expires, and the server sees the call cancelled', async function () {
      const started = Promise.withResolvers<AbortSignal>()
      mock.cluster.ID = async (_arg, { signal }) => {
        started.resolve(signal)
        await aborted(signal)
        throw signal.reason
      }
      const run = await runCtl(['--host', host, '--timeout', '0.2', 'id'])
      assert.equal(run.code, 62)
      assertOneLineError(run, /^An error occurred: timed out after 0\.2s$/)
      await aborted(await started.promise)
    })

    it('exits 125 when cancelled', async function () {
      const cancel = new AbortController()
      mock.cluster.Peers = (_arg, { signal }) => (async function * () {
        yield mock.idOf(mock.peerId)
        cancel.abort()
        await aborted(signal)
        throw signal.reason
      })()
      const run = await runCtl(['--host', host, 'peers', 'ls'], { cancel: cancel.signal })
      assert.equal(run.code, 125)
      assertOneLineError(run, /^An error occurred: cancelled$/)
    })

    it('refuses unknown commands and options', async function () {
      for (const argv of [['nope'], ['--nope', 'id'], ['id', 'extra'], ['--enc', 'xml', 'id'], ['--timeout', '-1', 'id'], []]) {
        const run = await runCtl(['--host', host, ...argv])
        assert.notEqual(run.code, 0, argv.join(' '))
        assert.notEqual(run.stderr, '', argv.join(' '))
        assert.doesNotMatch(run.stderr, /\n\s+at /)
      }
    })

    it('prints requests on stderr with --debug', async function () {
      const run = await runCtl(['--host', host, '--debug', 'version'])
      assert.equal(run.code, 0)
      assert.match(run.stderr, new RegExp(`^debug: GET ${url}/version$`, 'm'))
      assert.match(run.stderr, /^debug: 200 OK from GET /m)
    })
  })

  describe('--basic-auth', function () {
    let seen: IncomingHttpHeaders[]
    let server: ReturnType<typeof createServer>
    let fakeHost: string

    before(async function () {
      seen = []
      server = createServer((req, res) => {
        seen.push(req.headers)
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ version: 'fake' }))
      })
      await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', resolve) })
      fakeHost = `/ip4/127.0.0.1/tcp/${(server.address() as AddressInfo).port}`
    })

    after(async function () {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    })

    it('sends the credentials as HTTP Basic, from the option or CLUSTER_CREDENTIALS', async function () {
      assert.equal((await runCtl(['--host', fakeHost, '--basic-auth', 'alice:s3cret', 'version'])).code, 0)
      // `user:` is an explicit empty password; a bare `user` is asked for one (test/ctl/auth.spec.ts)
      assert.equal((await runCtl(['--host', fakeHost, '--basic-auth', 'bob:', 'version'])).code, 0)
      assert.equal((await runCtl(['--host', fakeHost, 'version'], { env: { CLUSTER_CREDENTIALS: 'carol:pw' } })).code, 0)
      assert.equal((await runCtl(['--host', fakeHost, 'version'])).code, 0)
      const basic = (s: string): string => 'Basic ' + Buffer.from(s).toString('base64')
      assert.deepEqual(seen.map((h) => h.authorization), [basic('alice:s3cret'), basic('bob:'), basic('carol:pw'), undefined])
    })
  })
})

describe('cluster-ctl id text for a lone peer', function () {
  it('never says it sees -1 peers', function () {
    const id = { cluster_peers: [] as string[], addresses: [], ipfs: { id: 'x', addresses: [], error: '' }, error: '', id: 'p', peername: 'n' }
    assert.match(formatId(id as unknown as IDJson), /Sees 0 other peers/)
  })
})
