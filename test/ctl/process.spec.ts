import { strict as assert } from 'node:assert'
import { execFile, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { RestApi } from '../../src/api/rest/index.ts'
import { formatId } from '../../src/cli/ctl/format/id.ts'
import { VERSION } from '../../src/version.ts'
import { jsonLines } from '../fixtures/ctl-runner.ts'
import { aborted } from '../fixtures/http-client.ts'
import { restConfig } from '../fixtures/rest-config.ts'
import { ClusterRpcMock } from '../fixtures/rpc-mock.ts'

const BIN = fileURLToPath(new URL('../../bin/cluster-ctl.js', import.meta.url))

interface ProcessRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs bin/cluster-ctl.js as a child process (asynchronously: the API under test lives in this process). */
async function spawnCtl (argv: string[]): Promise<ProcessRun> {
  return new Promise((resolve) => {
    const env = { ...process.env }
    delete env.CLUSTER_CREDENTIALS
    const child = execFile(process.execPath, [BIN, ...argv], { env }, (_err, stdout, stderr) => {
      resolve({ code: child.exitCode, stdout, stderr })
    })
  })
}

describe('cluster-ctl as a process', function () {
  let mock: ClusterRpcMock
  let api: RestApi
  let host: string

  before(async function () {
    mock = await ClusterRpcMock.create()
    api = new RestApi({ rpc: mock.rpc, config: restConfig() })
    await api.start()
    host = api.listenMultiaddrs()[0] as string
  })

  after(async function () {
    await api.stop()
  })

  it('prints the id and exits 0', async function () {
    const run = await spawnCtl(['--host', host, 'id'])
    assert.equal(run.code, 0, run.stderr)
    assert.equal(run.stdout, formatId(mock.idOf(mock.peerId)))
    assert.equal(run.stderr, '')
  })

  it('streams peers ls as JSON and exits 0', async function () {
    const run = await spawnCtl(['--host', api.listenUrls()[0] as string, '--enc', 'json', 'peers', 'ls'])
    assert.equal(run.code, 0, run.stderr)
    assert.deepEqual(jsonLines(run.stdout), [mock.peerId, ...mock.otherPeers].map((p) => mock.idOf(p)))
  })

  it('prints its own version with --version', async function () {
    const run = await spawnCtl(['--version'])
    assert.deepEqual(run, { code: 0, stdout: `${VERSION}\n`, stderr: '' })
  })

  it('exits 1 with one line on stderr when the API is unreachable', async function () {
    const run = await spawnCtl(['--host', '/ip4/127.0.0.1/tcp/1', 'version'])
    assert.equal(run.code, 1)
    assert.equal(run.stdout, '')
    assert.match(run.stderr, /^An error occurred: cannot reach the cluster peer at http:\/\/127\.0\.0\.1:1: [^\n]+\n$/)
  })

  it('exits 125 on SIGINT, closing its request', async function () {
    const started = Promise.withResolvers<AbortSignal>()
    mock.cluster.Peers = (_arg, { signal }) => (async function * () {
      started.resolve(signal)
      yield mock.idOf(mock.peerId)
      await aborted(signal)
      throw signal.reason
    })()
    try {
      const child = spawn(process.execPath, [BIN, '--host', host, 'peers', 'ls'])
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
      const exited = new Promise<number | null>((resolve) => { child.on('exit', (code) => { resolve(code) }) })
      // interrupt once the first peer is printed
      child.stdout.once('data', () => { child.kill('SIGINT') })
      assert.equal(await exited, 125)
      assert.equal(stderr, 'An error occurred: cancelled\n')
      await aborted(await started.promise)
    } finally {
      mock.reset()
    }
  })

  it('exits non-zero on an unknown command', async function () {
    const run = await spawnCtl(['--host', host, 'frobnicate'])
    assert.notEqual(run.code, 0)
    assert.match(run.stderr, /unknown command 'frobnicate'/)
  })
})
