import { strict as assert } from 'node:assert'
import { RestApi } from '../../src/api/rest/index.ts'
import { formatPin } from '../../src/cli/ctl/format/pin.ts'
import { formatGlobalPinInfo } from '../../src/cli/ctl/format/status.ts'
import { runCtl } from '../fixtures/ctl-runner.ts'
import { restConfig } from '../fixtures/rest-config.ts'
import { CIDS, ClusterRpcMock, fakePin } from '../fixtures/rpc-mock.ts'
import { fakeGlobal, fakeShort, peernameOf } from '../fixtures/status.ts'
import type { GlobalPinInfoJson, PinInfoShortJson, TrackerStatus } from '../../src/api/types.ts'
import type { CtlRun, CtlRunOptions } from '../fixtures/ctl-runner.ts'

/**
 * The statuses Cluster.Status answers, one per call, the last one repeated:
 * every poll of --wait sees the next step, so the test drives the wait
 * without depending on timing.
 */
function script (steps: GlobalPinInfoJson[]): { status: (cid: string) => Promise<GlobalPinInfoJson>, calls: () => number } {
  let calls = 0
  return {
    status: async () => steps[Math.min(calls++, steps.length - 1)] as GlobalPinInfoJson,
    calls: () => calls
  }
}

describe('cluster-ctl pin add/rm --wait', function () {
  let mock: ClusterRpcMock
  let api: RestApi
  let host: string
  let a: string
  let b: string
  let c: string

  before(async function () {
    mock = await ClusterRpcMock.create(3)
    ;[a, b, c] = mock.otherPeers.map(String).sort() as [string, string, string]
    api = new RestApi({ rpc: mock.rpc, config: restConfig() })
    await api.start()
    host = api.listenMultiaddrs()[0] as string
  })

  after(async function () {
    await api.stop()
  })

  afterEach(function () {
    mock.reset()
  })

  // a short poll interval keeps the tests quick; what they see depends only on the order of the answers
  const ctl = async (argv: string[], options: CtlRunOptions = {}): Promise<CtlRun> =>
    runCtl(['--host', host, ...argv], { waitPollInterval: 1, ...options })
  /** The status of `cid` on the allocated peers a and b (c holds no part of it). */
  const on = (cid: string, sa: TrackerStatus | PinInfoShortJson, sb: TrackerStatus | PinInfoShortJson): GlobalPinInfoJson =>
    fakeGlobal(cid, { [a]: sa, [b]: sb, [c]: 'remote' }, { allocations: [b, a] })
  const pinAllocated = (): void => {
    mock.usePinset()
    const pin = mock.cluster.Pin
    mock.cluster.Pin = async (request, context) => ({ ...await pin(request, context), replication_factor_min: 2, replication_factor_max: 2, allocations: [b, a] })
  }

  it('waits until every allocated peer reports pinned, printing progress on stderr and the status on stdout', async function () {
    pinAllocated()
    const final = on(CIDS.v1, 'pinned', 'pinned')
    const steps = script([
      on(CIDS.v1, 'pin_queued', 'pin_queued'),
      on(CIDS.v1, 'pin_queued', 'pin_queued'),
      on(CIDS.v1, 'pinning', 'pin_queued'),
      on(CIDS.v1, 'pinned', 'pinning'),
      final
    ])
    mock.cluster.Status = steps.status
    const run = await ctl(['pin', 'add', CIDS.v1, '--wait'])
    assert.equal(run.code, 0, run.stderr)
    const [na, nb] = [peernameOf(a), peernameOf(b)]
    assert.equal(run.stderr,
      `${na} : PIN_QUEUED (0/2 pinned)\n` +
      `${nb} : PIN_QUEUED (0/2 pinned)\n` +
      `${na} : PINNING (0/2 pinned)\n` +
      `${na} : PINNED (1/2 pinned)\n` +
      `${nb} : PINNING (1/2 pinned)\n` +
      `${nb} : PINNED (2/2 pinned)\n`)
    assert.equal(run.stdout, formatGlobalPinInfo(final))
    // the last status polled is the one printed: no request after it
    assert.equal(steps.calls(), 5)
  })

  it('waits for every peer of a pin without allocations (everywhere), and prints the pin with --no-status', async function () {
    mock.usePinset()
    const everywhere = (s: TrackerStatus): GlobalPinInfoJson => fakeGlobal(CIDS.v0, { [a]: 'pinned', [b]: 'pinned', [c]: s })
    const steps = script([everywhere('pinning'), everywhere('pinned')])
    mock.cluster.Status = steps.status
    const run = await ctl(['pin', 'add', CIDS.v0, '--wait', '--no-status'])
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stderr, new RegExp(`^${peernameOf(c)} : PINNED \\(3/3 pinned\\)$`, 'm'))
    assert.equal(run.stdout, formatPin(fakePin(CIDS.v0)))
    assert.equal(steps.calls(), 2)
  })

  it('waits for the CID a pinned path resolved to', async function () {
    const paths: string[] = []
    mock.cluster.PinPath = async (request) => {
      paths.push(request.path)
      return fakePin(CIDS.raw)
    }
    const asked: string[] = []
    mock.cluster.Status = async (cid) => {
      asked.push(cid)
      return fakeGlobal(cid, { [a]: 'pinned' })
    }
    const run = await ctl(['--enc', 'json', 'pin', 'add', `/ipfs/${CIDS.v1}/sub dir/file`, '--wait'])
    assert.equal(run.code, 0, run.stderr)
    assert.deepEqual(paths, [`/ipfs/${CIDS.v1}/sub dir/file`])
    assert.deepEqual(asked, [CIDS.raw])
    assert.deepEqual(JSON.parse(run.stdout), fakeGlobal(CIDS.raw, { [a]: 'pinned' }))
  })

  it('exits 1 with one line when an allocated peer reports pin_error, printing no status', async function () {
    pinAllocated()
    mock.cluster.Status = script([
      on(CIDS.v1, 'pinning', 'pinning'),
      on(CIDS.v1, 'pinned', fakeShort(b, 'pin_error', { error: 'context deadline exceeded' }))
    ]).status
    const run = await ctl(['pin', 'add', CIDS.v1, '--wait'])
    assert.equal(run.code, 1)
    assert.equal(run.stdout, '')
    const lines = run.stderr.trimEnd().split('\n')
    assert.equal(lines.at(-1), `An error occurred: ${peernameOf(b)} reports PIN_ERROR for ${CIDS.v1}: context deadline exceeded`)
    assert.equal(lines.at(-2), `${peernameOf(b)} : PIN_ERROR: context deadline exceeded (1/2 pinned)`)
  })

  it('keeps waiting through errors of peers that do not hold the pin, and through cluster_error', async function () {
    pinAllocated()
    const steps = script([
      fakeGlobal(CIDS.v1, { [a]: 'pinning', [b]: 'cluster_error', [c]: 'pin_error' }, { allocations: [a, b] }),
      on(CIDS.v1, 'pinned', 'pinned')
    ])
    mock.cluster.Status = steps.status
    const run = await ctl(['pin', 'add', CIDS.v1, '--wait'])
    assert.equal(run.code, 0, run.stderr)
    assert.doesNotMatch(run.stderr, new RegExp(peernameOf(c)))
    assert.match(run.stderr, new RegExp(`${peernameOf(b)} : CLUSTER_ERROR \\(0/2 pinned\\)`))
  })

  it('exits 62 when --wait-timeout expires (which implies --wait), aborting the status request in flight', async function () {
    pinAllocated()
    // a status that never comes: the timeout must end the request
    const aborted = Promise.withResolvers<void>()
    mock.cluster.Status = async (_cid, { signal }) => new Promise<never>((_resolve, reject) => {
      signal.addEventListener('abort', () => {
        aborted.resolve()
        reject(signal.reason)
      }, { once: true })
    })
    const run = await ctl(['pin', 'add', CIDS.v1, '--wait-timeout', '20ms'])
    assert.equal(run.code, 62, run.stderr)
    assert.equal(run.stdout, '')
    assert.equal(run.stderr, `An error occurred: timed out after 20ms waiting for ${CIDS.v1} to be pinned (no status received yet)\n`)
    await aborted.promise
  })

  it('exits 62 when the global --timeout expires while waiting, 125 when cancelled', async function () {
    pinAllocated()
    mock.cluster.Status = async () => on(CIDS.v1, 'pinning', 'pinning')
    const timedOut = await ctl(['--timeout', '0.02', 'pin', 'add', CIDS.v1, '--wait'])
    assert.equal(timedOut.code, 62)
    assert.match(timedOut.stderr, /An error occurred: timed out after 0\.02s\n$/)
    // cancelled once the first progress line is out
    const cancel = new AbortController()
    const cancelled = await ctl(['pin', 'add', CIDS.v1, '--wait'], {
      cancel: cancel.signal,
      onStderr: () => { cancel.abort(new Error('cancelled')) }
    })
    assert.equal(cancelled.code, 125)
    assert.match(cancelled.stderr, /An error occurred: cancelled\n$/)
  })

  it('pin rm --wait waits until every peer reports unpinned; unpin_error exits 1', async function () {
    mock.usePinset([fakePin(CIDS.v0), fakePin(CIDS.v1)])
    const gone = (sa: TrackerStatus | PinInfoShortJson, sb: TrackerStatus): GlobalPinInfoJson => fakeGlobal(CIDS.v0, { [a]: sa, [b]: sb })
    const steps = script([gone('unpinning', 'unpin_queued'), gone('unpinned', 'unpinning'), gone('unpinned', 'unpinned')])
    mock.cluster.Status = steps.status
    const run = await ctl(['pin', 'rm', CIDS.v0, '--wait'])
    assert.equal(run.code, 0, run.stderr)
    assert.equal(run.stderr.trimEnd().split('\n').at(-1), `${peernameOf(b)} : UNPINNED (2/2 unpinned)`)
    assert.equal(run.stdout, formatGlobalPinInfo(gone('unpinned', 'unpinned')))

    mock.cluster.Status = script([gone(fakeShort(a, 'unpin_error', { error: 'ipfs refused' }), 'unpinned')]).status
    const failed = await ctl(['pin', 'rm', CIDS.v1, '-w'])
    assert.equal(failed.code, 1)
    assert.match(failed.stderr, new RegExp(`An error occurred: ${peernameOf(a)} reports UNPIN_ERROR for ${CIDS.v1}: ipfs refused\n$`))
  })
})
