import { strict as assert } from 'node:assert'
import { RestApi } from '../../src/api/rest/index.ts'
import { humanBytes, humanTime } from '../../src/cli/ctl/format/humanize.ts'
import { runCtl } from '../fixtures/ctl-runner.ts'
import { restConfig } from '../fixtures/rest-config.ts'
import { CIDS, ClusterRpcMock } from '../fixtures/rpc-mock.ts'
import { fakeAlert, fakeGlobalRepoGC, fakeMetric, fakeRepoGC, peernameOf } from '../fixtures/status.ts'
import type { CtlRun } from '../fixtures/ctl-runner.ts'

const MINUTE = 60_000
/** Unix nanoseconds, as metrics carry their times. */
const nanos = (ms: number): number => ms * 1e6

function assertOneLineError (run: CtlRun, pattern: RegExp): void {
  assert.equal(run.code, 1, run.stderr)
  const lines = run.stderr.split('\n').filter((l) => l !== '')
  assert.equal(lines.length, 1, run.stderr)
  assert.match(lines[0] as string, pattern)
}

describe('cluster-ctl health and ipfs gc', function () {
  let mock: ClusterRpcMock
  let api: RestApi
  let host: string
  let a: string
  let b: string

  before(async function () {
    mock = await ClusterRpcMock.create(2)
    ;[a, b] = mock.otherPeers.map(String).sort() as [string, string]
    api = new RestApi({ rpc: mock.rpc, config: restConfig() })
    await api.start()
    host = api.listenMultiaddrs()[0] as string
  })

  after(async function () {
    await api.stop()
  })

  afterEach(function () {
    mock.reset()
    mock.mockService('PeerMonitor', {})
  })

  const ctl = async (...argv: string[]): Promise<CtlRun> => runCtl(['--host', host, ...argv])

  describe('health metrics', function () {
    it('lists the metric names without a name: one per line, or a JSON array', async function () {
      mock.mockService('PeerMonitor', { MetricNames: async () => ['freespace', 'ping'] })
      assert.deepEqual(await ctl('health', 'metrics'), { code: 0, stdout: 'freespace\nping\n', stderr: '' })
      const json = await ctl('--enc', 'json', 'health', 'metrics')
      assert.equal(json.stdout, JSON.stringify(['freespace', 'ping'], null, 4) + '\n')
    })

    it('prints the metrics of a name like ipfs-cluster-ctl: peer | name: value | Expires in', async function () {
      // 90 minutes away is "1 hour" whatever the time the command takes
      const expire = nanos(Date.now() + 90 * MINUTE)
      const expired = nanos(Date.now() - 90 * MINUTE)
      const asked: string[] = []
      mock.mockService('PeerMonitor', {
        LatestMetrics: async (name) => {
          asked.push(name)
          return name === 'freespace'
            ? [fakeMetric('freespace', a, { value: '24000000000', weight: 24_000_000_000, expire }), fakeMetric('freespace', b, { value: '0', weight: 0, expire })]
            : [fakeMetric(name, a, { value: 'default', expire: expired })]
        }
      })
      const run = await ctl('health', 'metrics', 'freespace')
      assert.deepEqual(run, {
        code: 0,
        // freespace in bytes from its weight when it has one
        stdout: `${a} | freespace: 24 GB | Expires in: 1 hour from now\n${b} | freespace: 0 | Expires in: 1 hour from now\n`,
        stderr: ''
      })
      assert.equal((await ctl('health', 'metrics', 'tag:group')).stdout, `${a} | tag:group: default | Expires in: 1 hour ago\n`)
      assert.deepEqual(asked, ['freespace', 'tag:group'])
      const json = await ctl('--enc', 'json', 'health', 'metrics', 'ping')
      assert.equal(json.stdout, JSON.stringify([fakeMetric('ping', a, { value: 'default', expire: expired })], null, 4) + '\n')
    })

    it('prints nothing for no metrics, and reports a peer without a monitor in one line', async function () {
      mock.mockService('PeerMonitor', { LatestMetrics: async () => [] })
      assert.deepEqual(await ctl('health', 'metrics', 'nope'), { code: 0, stdout: '', stderr: '' })
      mock.server.unregister('PeerMonitor')
      assertOneLineError(await ctl('health', 'metrics'), /^An error occurred: .* \(code 501\)$/)
    })
  })

  describe('health alerts', function () {
    it('prints each alert like ipfs-cluster-ctl, or the JSON array', async function () {
      const now = Date.now()
      const alerts = [fakeAlert('ping', b, { expire: nanos(now - 150 * MINUTE), triggered_at: new Date(now - 90 * MINUTE).toISOString() })]
      mock.cluster.Alerts = async () => alerts
      assert.deepEqual(await ctl('health', 'alerts'), {
        code: 0,
        stdout: `${b}: ping. Expired at: 2 hours ago. Triggered at: 1 hour ago\n`,
        stderr: ''
      })
      assert.deepEqual(JSON.parse((await ctl('--enc', 'json', 'health', 'alerts')).stdout), alerts)
      mock.cluster.Alerts = async () => []
      assert.deepEqual(await ctl('health', 'alerts'), { code: 0, stdout: '', stderr: '' })
    })
  })

  describe('ipfs gc', function () {
    it('prints what every peer removed like ipfs-cluster-ctl, errors included', async function () {
      const gc = fakeGlobalRepoGC(fakeRepoGC(b, [], 'ipfs daemon is down'), fakeRepoGC(a, [CIDS.v0, CIDS.raw]))
      gc.peer_map[a]!.keys.push({ key: '', error: 'could not remove a block' })
      mock.cluster.RepoGC = async () => gc
      const run = await ctl('ipfs', 'gc')
      assert.deepEqual(run, {
        code: 0,
        stdout: `${peernameOf(a).padEnd(15)}\n  > CIDs:\n    - ${CIDS.v0}\n    - ${CIDS.raw}\n    - ERROR: could not remove a block\n` +
          `${peernameOf(b).padEnd(15)} | ERROR: ipfs daemon is down\n  > CIDs:\n`,
        stderr: ''
      })
      assert.deepEqual(JSON.parse((await ctl('--enc', 'json', 'ipfs', 'gc')).stdout), gc)
    })

    it('collects on this peer only with --local', async function () {
      const local = fakeRepoGC(a, [CIDS.v1])
      mock.cluster.RepoGC = async () => { throw new Error('Cluster.RepoGC must not be called') }
      mock.cluster.RepoGCLocal = async () => local
      const run = await ctl('ipfs', 'gc', '--local')
      assert.equal(run.stdout, `${peernameOf(a).padEnd(15)}\n  > CIDs:\n    - ${CIDS.v1}\n`)
    })
  })

  describe('formatting helpers', function () {
    it('writes sizes in SI units as go-humanize does', function () {
      const cases: Array<[number, string]> = [[0, '0 B'], [9, '9 B'], [10, '10 B'], [999, '999 B'], [1000, '1.0 kB'],
        [1500, '1.5 kB'], [9_949, '9.9 kB'], [12_345, '12 kB'], [24_000_000_000, '24 GB'], [2 ** 60, '1.2 EB']]
      for (const [bytes, text] of cases) assert.equal(humanBytes(bytes), text, String(bytes))
    })

    it('writes times relative to now as go-humanize does', function () {
      const now = Date.parse('2024-05-01T00:00:00Z')
      const cases: Array<[number, string]> = [[0, 'now'], [-1500, '1 second ago'], [45_000, '45 seconds from now'],
        [-90_000, '1 minute ago'], [-59 * MINUTE, '59 minutes ago'], [3 * 60 * MINUTE, '3 hours from now'],
        [-36 * 60 * MINUTE, '1 day ago'], [-10 * 24 * 60 * MINUTE, '1 week ago'], [-21 * 24 * 60 * MINUTE, '3 weeks ago'],
        [-100 * 24 * 60 * MINUTE, '3 months ago'], [400 * 24 * 60 * MINUTE, '1 year from now'], [-5 * 365 * 24 * 60 * MINUTE, '5 years ago'],
        [-Date.parse('2024-01-01T00:00:00Z'), 'a long while ago']]
      for (const [offset, text] of cases) assert.equal(humanTime(now + offset, now), text, String(offset))
    })
  })
})
