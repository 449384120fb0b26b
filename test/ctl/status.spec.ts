import { strict as assert } from 'node:assert'
import { RestApi } from '../../src/api/rest/index.ts'
import { formatGlobalPinInfo } from '../../src/cli/ctl/format/status.ts'
import { jsonLines, runCtl } from '../fixtures/ctl-runner.ts'
import { restConfig } from '../fixtures/rest-config.ts'
import { CIDS, ClusterRpcMock } from '../fixtures/rpc-mock.ts'
import { fakeGlobal, fakePinInfo, fakeShort, peernameOf } from '../fixtures/status.ts'
import type { GlobalPinInfoJson } from '../../src/api/types.ts'
import type { StatusAllRequest } from '../../src/rpc-api.ts'
import type { CtlRun } from '../fixtures/ctl-runner.ts'

function assertOneLineError (run: CtlRun, pattern: RegExp): void {
  assert.equal(run.code, 1, run.stderr)
  const lines = run.stderr.split('\n').filter((l) => l !== '')
  assert.equal(lines.length, 1, run.stderr)
  assert.match(lines[0] as string, pattern)
  assert.doesNotMatch(run.stderr, /\n\s+at /)
}

function streamOf<T> (items: T[], failAfter?: string): () => AsyncGenerator<T> {
  return async function * () {
    for (const item of items) yield item
    if (failAfter !== undefined) throw new Error(failAfter)
  }
}

describe('cluster-ctl status and recover', function () {
  let mock: ClusterRpcMock
  let api: RestApi
  let host: string
  let a: string
  let b: string
  let infos: GlobalPinInfoJson[]

  before(async function () {
    mock = await ClusterRpcMock.create(2)
    ;[a, b] = mock.otherPeers.map(String).sort() as [string, string]
    api = new RestApi({ rpc: mock.rpc, config: restConfig() })
    await api.start()
    host = api.listenMultiaddrs()[0] as string
    infos = [
      fakeGlobal(CIDS.v0, { [a]: 'pinned', [b]: fakeShort(b, 'pin_error', { error: 'context deadline exceeded', attempt_count: 2, priority_pin: true }) },
        { name: 'photos' }),
      fakeGlobal(CIDS.v1, { [b]: 'pinning', [a]: fakeShort(a, 'remote', { peername: '' }) })
    ]
  })

  after(async function () {
    await api.stop()
  })

  afterEach(function () {
    mock.reset()
  })

  const ctl = async (...argv: string[]): Promise<CtlRun> => runCtl(['--host', host, ...argv])
  const noRpc = (): void => {
    for (const method of ['Status', 'StatusLocal', 'Recover', 'RecoverLocal'] as const) {
      mock.cluster[method] = async () => { throw new Error(`Cluster.${method} must not be called`) }
    }
    for (const method of ['StatusAll', 'StatusAllLocal', 'RecoverAll', 'RecoverAllLocal'] as const) {
      mock.cluster[method] = () => { throw new Error(`Cluster.${method} must not be called`) }
    }
  }

  describe('status', function () {
    it("prints every pin's status like ipfs-cluster-ctl, peers in id order, under their names", async function () {
      mock.cluster.StatusAll = streamOf(infos)
      const run = await ctl('status')
      assert.equal(run.code, 0, run.stderr)
      const pad = (text: string): string => text.padEnd(20)
      assert.equal(run.stdout,
        `${CIDS.v0} | photos:\n` +
        `    > ${pad(peernameOf(a))} : PINNED | 2024-05-01T10:20:30.123Z | Attempts: 0 | Priority: false\n` +
        `    > ${pad(peernameOf(b))} : PIN_ERROR: context deadline exceeded | 2024-05-01T10:20:30.123Z | Attempts: 2 | Priority: true\n` +
        `${CIDS.v1}:\n` +
        // no peer name: the peer id
        `    > ${a} : REMOTE | 2024-05-01T10:20:30.123Z | Attempts: 0 | Priority: false\n` +
        `    > ${pad(peernameOf(b))} : PINNING | 2024-05-01T10:20:30.123Z | Attempts: 0 | Priority: false\n`)
    })

    it('prints one compact GlobalPinInfo per line with --enc json', async function () {
      mock.cluster.StatusAll = streamOf(infos)
      const run = await ctl('--enc', 'json', 'status')
      assert.equal(run.code, 0, run.stderr)
      assert.deepEqual(jsonLines(run.stdout), infos)
    })

    it('asks for this peer only with --local and for the statuses of --filter', async function () {
      const args: Array<[string, StatusAllRequest]> = []
      mock.cluster.StatusAll = (arg) => {
        args.push(['StatusAll', arg])
        return streamOf(infos.slice(0, 1))()
      }
      mock.cluster.StatusAllLocal = (arg) => {
        args.push(['StatusAllLocal', arg])
        return streamOf([fakePinInfo(CIDS.v1, a, 'pin_queued')])()
      }
      const local = await ctl('status', '--local')
      assert.equal(local.stdout, formatGlobalPinInfo(fakeGlobal(CIDS.v1, { [a]: 'pin_queued' })))
      assert.equal((await ctl('status', '--filter', 'error,pin_queued')).code, 0)
      assert.equal((await ctl('status', '--local', '--filter', 'queued')).code, 0)
      assert.deepEqual(args, [
        ['StatusAllLocal', { filter: [] }],
        ['StatusAll', { filter: ['error', 'pin_queued'] }],
        ['StatusAllLocal', { filter: ['queued'] }]
      ])
    })

    it('shows one CID through GET /pins/{cid}, pretty with --enc json, local with --local', async function () {
      const asked: string[] = []
      mock.cluster.Status = async (cid) => {
        asked.push(cid)
        return infos[1]!
      }
      mock.cluster.StatusLocal = async (cid) => fakePinInfo(cid, a, 'pinned')
      assert.deepEqual(await ctl('status', CIDS.v1base58), { code: 0, stdout: formatGlobalPinInfo(infos[1]!), stderr: '' })
      const json = await ctl('--enc', 'json', 'status', CIDS.v1)
      assert.equal(json.stdout, JSON.stringify(infos[1], null, 4) + '\n')
      assert.deepEqual(asked, [CIDS.v1, CIDS.v1])
      const local = await ctl('status', CIDS.v0, '--local')
      assert.equal(local.stdout, formatGlobalPinInfo(fakeGlobal(CIDS.v0, { [a]: 'pinned' })))
    })

    it('lists several CIDs, or one CID with --filter, through GET /pins?cids=', async function () {
      const args: StatusAllRequest[] = []
      mock.cluster.StatusAll = (arg) => {
        args.push(arg)
        return streamOf(infos)()
      }
      const run = await ctl('status', CIDS.v0, CIDS.v1base58)
      assert.equal(run.stdout, infos.map(formatGlobalPinInfo).join(''))
      assert.equal((await ctl('status', CIDS.raw, '--filter', 'pinned')).code, 0)
      assert.deepEqual(args, [{ filter: [], cids: [CIDS.v0, CIDS.v1] }, { filter: ['pinned'], cids: [CIDS.raw] }])
    })

    it('prints nothing for no pins, and the statuses received then the error when the listing fails', async function () {
      mock.cluster.StatusAll = streamOf([])
      assert.deepEqual(await ctl('status'), { code: 0, stdout: '', stderr: '' })
      mock.cluster.StatusAll = streamOf(infos.slice(0, 1), 'lost a peer')
      const run = await ctl('status')
      assert.equal(run.stdout, formatGlobalPinInfo(infos[0]!))
      assertOneLineError(run, /^An error occurred: lost a peer$/)
    })

    it('refuses a bad CID or filter in one line, without calling the API', async function () {
      noRpc()
      assertOneLineError(await ctl('status', CIDS.v0, 'Qmnope'), /'Qmnope' is invalid for argument 'cid'\. not a CID/)
      assertOneLineError(await ctl('status', '--filter', 'pinned,done'), /--filter .* 'pinned,done' is invalid\. "done" is not one of undefined, cluster_error/)
    })
  })

  describe('recover', function () {
    it('recovers one CID and prints its status; on this peer only with --local', async function () {
      const asked: string[] = []
      mock.cluster.Recover = async (cid) => {
        asked.push(cid)
        return infos[0]!
      }
      mock.cluster.RecoverLocal = async (cid) => fakePinInfo(cid, a, 'pin_queued', { attempt_count: 1 })
      assert.deepEqual(await ctl('recover', CIDS.v0), { code: 0, stdout: formatGlobalPinInfo(infos[0]!), stderr: '' })
      assert.deepEqual(asked, [CIDS.v0])
      const local = await ctl('--enc', 'json', 'recover', CIDS.v1, '--local')
      assert.deepEqual(JSON.parse(local.stdout), fakeGlobal(CIDS.v1, { [a]: fakeShort(a, 'pin_queued', { attempt_count: 1 }) }))
    })

    it('recovers every pin in error, printing each re-queued one as it arrives; on this peer only with --local', async function () {
      mock.cluster.RecoverAll = streamOf(infos)
      mock.cluster.RecoverAllLocal = streamOf([fakePinInfo(CIDS.raw, a, 'pin_queued')])
      assert.deepEqual(await ctl('recover'), { code: 0, stdout: infos.map(formatGlobalPinInfo).join(''), stderr: '' })
      const local = await ctl('--enc', 'json', 'recover', '--local')
      assert.deepEqual(jsonLines(local.stdout), [fakeGlobal(CIDS.raw, { [a]: 'pin_queued' })])
      mock.cluster.RecoverAll = streamOf([])
      assert.deepEqual(await ctl('recover'), { code: 0, stdout: '', stderr: '' })
    })

    it('reports an API error in one line and refuses a bad CID without calling the API', async function () {
      mock.cluster.Recover = async () => { throw Object.assign(new Error('pin queue is full'), { name: 'PinQueueFullError' }) }
      assertOneLineError(await ctl('recover', CIDS.v0), /^An error occurred: pin queue is full \(code 503\)$/)
      noRpc()
      assertOneLineError(await ctl('recover', 'bafynope'), /'bafynope' is invalid for argument 'cid'/)
    })
  })
})
