import { strict as assert } from 'node:assert'
import { RestApi } from '../../src/api/rest/index.ts'
import { PinValidationError, defaultPinOptions } from '../../src/api/pin.ts'
import { ZERO_TIME } from '../../src/api/types.ts'
import { formatPin } from '../../src/cli/ctl/format/pin.ts'
import { formatGlobalPinInfo } from '../../src/cli/ctl/format/status.ts'
import { jsonLines, runCtl } from '../fixtures/ctl-runner.ts'
import { restConfig } from '../fixtures/rest-config.ts'
import { CIDS, ClusterRpcMock, fakePin } from '../fixtures/rpc-mock.ts'
import { fakeGlobal } from '../fixtures/status.ts'
import type { PinJson } from '../../src/api/types.ts'
import type { CtlRun } from '../fixtures/ctl-runner.ts'

/** One line on stderr, and no stack trace. */
function assertOneLineError (run: CtlRun, pattern: RegExp): void {
  assert.equal(run.code, 1, run.stderr)
  const lines = run.stderr.split('\n').filter((l) => l !== '')
  assert.equal(lines.length, 1, run.stderr)
  assert.match(lines[0] as string, pattern)
  assert.doesNotMatch(run.stderr, /\n\s+at /)
}

/** What ipfs-cluster-ctl prints for a pin made with no options (the mock's timestamp). */
function defaultLine (cid: string): string {
  return `${cid} |  | PIN | Repl. Factor: -1 | Allocations: [everywhere] | Recursive | Metadata: no | Exp: ∞ | Added: 2022-12-07 16:12:39\n`
}

describe('cluster-ctl pin', function () {
  let mock: ClusterRpcMock
  let api: RestApi
  let host: string
  let peers: string[]

  before(async function () {
    mock = await ClusterRpcMock.create(3)
    peers = mock.otherPeers.map(String)
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

  const ctl = async (...argv: string[]): Promise<CtlRun> => runCtl(['--host', host, ...argv])
  const noRpc = (): void => {
    for (const method of ['Pin', 'Unpin', 'PinGet', 'PinPath', 'UnpinPath', 'Status'] as const) {
      mock.cluster[method] = async () => { throw new Error(`Cluster.${method} must not be called`) }
    }
    mock.cluster.Pins = () => { throw new Error('Cluster.Pins must not be called') }
  }

  describe('pin add', function () {
    it('pins with the default options and prints the pin like ipfs-cluster-ctl with --no-status', async function () {
      const pinset = mock.usePinset()
      const run = await ctl('pin', 'add', CIDS.v1base58, '--no-status')
      assert.deepEqual(run, { code: 0, stdout: defaultLine(CIDS.v1), stderr: '' })
      assert.deepEqual(pinset.requests, [{ cid: CIDS.v1, options: defaultPinOptions() }])
    })

    it('prints the status of the pinned CID on every peer by default, as ipfs-cluster-ctl', async function () {
      mock.usePinset()
      const status = fakeGlobal(CIDS.v1, { [peers[0] as string]: 'pin_queued', [peers[1] as string]: 'pinning' })
      const asked: string[] = []
      mock.cluster.Status = async (cid) => {
        asked.push(cid)
        return status
      }
      const run = await ctl('pin', 'add', CIDS.v1base58)
      assert.deepEqual(run, { code: 0, stdout: formatGlobalPinInfo(status), stderr: '' })
      // the status of the pin as answered (canonical CID)
      assert.deepEqual(asked, [CIDS.v1])
      const json = await ctl('--enc', 'json', 'pin', 'add', CIDS.v1)
      assert.equal(json.stdout, JSON.stringify(status, null, 4) + '\n')
    })

    it('prints the Pin JSON, pretty, with --enc json and --no-status', async function () {
      const pinset = mock.usePinset()
      const run = await ctl('--enc', 'json', 'pin', 'add', CIDS.v0, '--name', 'json', '--no-status')
      assert.equal(run.code, 0, run.stderr)
      assert.deepEqual(JSON.parse(run.stdout), pinset.pins.get(CIDS.v0))
      assert.equal(run.stdout, JSON.stringify(pinset.pins.get(CIDS.v0), null, 4) + '\n')
    })

    it('sends every option, which reaches Cluster.Pin as its PinOptions field', async function () {
      const pinset = mock.usePinset()
      const before = Date.now()
      const run = await ctl('pin', 'add', CIDS.v1, '--rmin', '2', '--rmax', '3', '-n', 'a name & more', '--mode', 'direct',
        '--allocations', `${peers[0]},${peers[1]}`, '--allocations', peers[2] as string, '--expire-in', '2h',
        '--metadata', 'color=blue', '--metadata', 'formula=a=b', '--no-status')
      const after = Date.now()
      assert.equal(run.code, 0, run.stderr)
      const options = pinset.requests[0]?.options
      assert.ok(options != null)
      const expireAt = Date.parse(options.expire_at ?? '')
      assert.ok(expireAt >= before + 2 * 3600_000 && expireAt <= after + 2 * 3600_000, options.expire_at)
      assert.deepEqual(options, {
        ...defaultPinOptions(),
        replication_factor_min: 2,
        replication_factor_max: 3,
        name: 'a name & more',
        mode: 'direct',
        user_allocations: peers,
        expire_at: options.expire_at,
        metadata: { color: 'blue', formula: 'a=b' }
      })
      assert.match(run.stdout, /^\S+ \| a name & more \| PIN-DIRECT \| Repl\. Factor: 2--3 \| Allocations: \[\] \| Direct \| Metadata: yes \| Exp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \| Added: /)
    })

    it('lets --replication set both factors, over --rmin and --rmax unless it is 0', async function () {
      const pinset = mock.usePinset()
      const cases = [
        ['-r', '-1'],
        ['--replication', '4', '--rmin', '1', '--rmax', '9'],
        ['-r', '0', '--rmin', '1', '--rmax', '2'],
        ['--replication-min', '2', '--replication-max', '5']
      ]
      for (const args of cases) assert.equal((await ctl('pin', 'add', CIDS.v1, '--no-status', ...args)).code, 0, args.join(' '))
      assert.deepEqual(pinset.requests.map((r) => [r.options.replication_factor_min, r.options.replication_factor_max]),
        [[-1, -1], [4, 4], [1, 2], [2, 5]])
    })

    it("takes ipfs-cluster-ctl's other name for --allocations", async function () {
      const pinset = mock.usePinset()
      assert.equal((await ctl('pin', 'add', CIDS.v1, '--allocs', peers[0] as string, '--no-status')).code, 0)
      assert.deepEqual(pinset.requests[0]?.options.user_allocations, [peers[0]])
    })

    it('refuses a bad CID or option value in one line, without calling the API', async function () {
      noRpc()
      const cases: Array<[string[], RegExp]> = [
        [['not-a-cid'], /'not-a-cid' is invalid for argument 'cid\|path'\. not a CID .* nor an IPFS path/],
        [['/ipfs/not-a-cid'], /is invalid for argument 'cid\|path'\. invalid IPFS path "\/ipfs\/not-a-cid": "not-a-cid" is not a CID/],
        [['/dns/example.com'], /invalid IPFS path "\/dns\/example.com": must start with \/ipfs\/, \/ipns\/, \/ipld\//],
        [[CIDS.v1, '-r', 'two'], /--replication .* 'two' is invalid/],
        [[CIDS.v1, '--rmin', '1.5'], /--rmin .* '1\.5' is invalid/],
        [[CIDS.v1, '--mode', 'shallow'], /--mode .* 'shallow' is invalid/],
        [[CIDS.v1, '--metadata', 'novalue'], /--metadata .* 'novalue' is invalid\. expected key=value/],
        [[CIDS.v1, '--metadata', '=value'], /--metadata .* '=value' is invalid/],
        [[CIDS.v1, '--expire-in', '1y'], /--expire-in .* '1y' is invalid/],
        [[CIDS.v1, '--expire-in', '100ms'], /--expire-in .* '100ms' is invalid\. must be at least 1s/],
        [[CIDS.v1, '--allocations', `${peers[0]},nope`], /--allocations .* is invalid\. "nope" is not a peer id/],
        [[CIDS.v1, '--rmin', '1', '--replication-min', '2'], /cannot be used with/],
        [[CIDS.v1, '--wait-timeout', '1fortnight'], /--wait-timeout .* '1fortnight' is invalid/],
        [[CIDS.v1, '--wait-timeout', '-1s'], /--wait-timeout .* '-1s' is invalid\. must not be negative/],
        [[CIDS.v1, '--wait', 'now'], /too many arguments/]
      ]
      for (const [args, pattern] of cases) {
        const run = await ctl('pin', 'add', ...args)
        assert.equal(run.stdout, '', args.join(' '))
        assertOneLineError(run, pattern)
      }
    })

    it('reports the API refusing the pin in one line', async function () {
      mock.cluster.Pin = async () => { throw new PinValidationError('replication_factor_min', '3 is more than replication_factor_max 2') }
      const run = await ctl('pin', 'add', CIDS.v1, '--rmin', '3', '--rmax', '2')
      assert.equal(run.stdout, '')
      assertOneLineError(run, /^An error occurred: invalid pin: replication_factor_min: 3 is more than replication_factor_max 2 \(code 400\)$/)
    })
  })

  describe('pin rm', function () {
    it('unpins and prints the pin as it was with --no-status, in text or json', async function () {
      const pin = fakePin(CIDS.v1, { name: 'old', metadata: { k: 'v' } })
      const pinset = mock.usePinset([pin, fakePin(CIDS.v0)])
      const text = await ctl('pin', 'rm', CIDS.v1base58, '--no-status')
      assert.equal(text.code, 0, text.stderr)
      assert.equal(text.stdout, `${CIDS.v1} | old | PIN | Repl. Factor: -1 | Allocations: [everywhere] | Recursive | Metadata: yes | Exp: ∞ | Added: 2022-12-07 16:12:39\n`)
      assert.deepEqual([...pinset.pins.keys()], [CIDS.v0])
      const json = await ctl('--enc', 'json', 'pin', 'rm', CIDS.v0, '--no-status')
      assert.equal(json.code, 0, json.stderr)
      assert.deepEqual(JSON.parse(json.stdout), fakePin(CIDS.v0))
      assert.equal(pinset.pins.size, 0)
    })

    it('prints the status of the unpinned CID on every peer by default', async function () {
      mock.usePinset([fakePin(CIDS.v0)])
      const status = fakeGlobal(CIDS.v0, { [peers[0] as string]: 'unpinning', [peers[1] as string]: 'unpinned' })
      mock.cluster.Status = async () => status
      assert.deepEqual(await ctl('pin', 'rm', CIDS.v0), { code: 0, stdout: formatGlobalPinInfo(status), stderr: '' })
    })

    it('unpins what an IPFS path resolves to', async function () {
      const paths: string[] = []
      mock.cluster.UnpinPath = async (path) => {
        paths.push(path)
        return fakePin(CIDS.raw)
      }
      const run = await ctl('pin', 'rm', '/ipns/example.com/a/', '--no-status')
      assert.deepEqual(run, { code: 0, stdout: formatPin(fakePin(CIDS.raw)), stderr: '' })
      assert.deepEqual(paths, ['/ipns/example.com/a'])
    })

    it('exits 1 with one line when the CID is not pinned', async function () {
      mock.usePinset([fakePin(CIDS.v0)])
      const run = await ctl('pin', 'rm', CIDS.v1)
      assert.equal(run.stdout, '')
      assertOneLineError(run, new RegExp(`^An error occurred: ${CIDS.v1} is not in the pinset \\(code 404\\)$`))
    })

    it('refuses a bad CID without calling the API', async function () {
      noRpc()
      assertOneLineError(await ctl('pin', 'rm', 'Qmnope'), /'Qmnope' is invalid for argument 'cid\|path'/)
    })
  })

  describe('pin ls', function () {
    let pins: PinJson[]

    before(function () {
      pins = [
        fakePin(CIDS.v0, { name: 'first' }),
        fakePin(CIDS.raw, { type: 'shard-pin', reference: CIDS.v1 }),
        fakePin(CIDS.v1, { name: 'second', replication_factor_min: 1, replication_factor_max: 2, allocations: [peers[1] as string, peers[0] as string] }),
        fakePin('bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku', { type: 'meta-pin' })
      ]
    })

    it('lists the pins of type pin with --filter pin, one line each, as they arrive', async function () {
      mock.usePinset(pins)
      const run = await ctl('pin', 'ls', '--filter', 'pin')
      assert.equal(run.code, 0, run.stderr)
      const sorted = [...peers.slice(0, 2)].sort()
      assert.equal(run.stdout, defaultLine(CIDS.v0).replace(' |  | ', ' | first | ') +
        `${CIDS.v1} | second | PIN | Repl. Factor: 1--2 | Allocations: [${sorted.join(' ')}] | Recursive | Metadata: no | Exp: ∞ | Added: 2022-12-07 16:12:39\n`)
    })

    it('lists the types --filter names', async function () {
      mock.usePinset(pins)
      const types = async (...args: string[]): Promise<string[]> => {
        const run = await ctl('--enc', 'json', 'pin', 'ls', ...args)
        assert.equal(run.code, 0, run.stderr)
        return jsonLines(run.stdout).map((p) => (p as PinJson).type)
      }
      // in CID order, as Cluster.Pins lists them
      assert.deepEqual(await types('--filter', 'all'), ['pin', 'shard-pin', 'pin', 'meta-pin'])
      // every type by default, as ipfs-cluster-ctl 1.x
      assert.deepEqual(await types(), ['pin', 'shard-pin', 'pin', 'meta-pin'])
      assert.deepEqual(await types('--filter', 'meta-pin,shard-pin'), ['shard-pin', 'meta-pin'])
      const run = await ctl('pin', 'ls', '--filter', 'meta-pin')
      assert.match(run.stdout, /^bafybeihd\S+ \| {2}\| META-PIN \| /)
    })

    it('prints one compact Pin JSON per line with --enc json', async function () {
      mock.usePinset(pins)
      const run = await ctl('--enc', 'json', 'pin', 'ls')
      assert.equal(run.code, 0, run.stderr)
      assert.deepEqual(jsonLines(run.stdout), pins)
    })

    it('prints nothing and exits 0 for an empty pinset', async function () {
      mock.usePinset()
      assert.deepEqual(await ctl('pin', 'ls'), { code: 0, stdout: '', stderr: '' })
    })

    it('prints the pins received, then the stream error, and exits 1', async function () {
      mock.cluster.Pins = () => (async function * () {
        yield pins[0]!
        throw new Error('pinset unreadable')
      })()
      const run = await ctl('pin', 'ls')
      assert.equal(run.stdout, formatPin(pins[0]!))
      assertOneLineError(run, /^An error occurred: pinset unreadable$/)
    })

    it('shows one pin given its CID, in text or json', async function () {
      mock.usePinset(pins)
      const text = await ctl('pin', 'ls', CIDS.v1base58)
      assert.deepEqual(text, { code: 0, stdout: formatPin(pins[2]!), stderr: '' })
      const json = await ctl('--enc', 'json', 'pin', 'ls', CIDS.raw)
      assert.equal(json.code, 0, json.stderr)
      assert.deepEqual(JSON.parse(json.stdout), pins[1])
    })

    it('exits 1 with one line for a CID that is not pinned, a bad CID or a bad filter', async function () {
      mock.usePinset([pins[0]!])
      assertOneLineError(await ctl('pin', 'ls', CIDS.v1), /^An error occurred: .* is not in the pinset \(code 404\)$/)
      noRpc()
      assertOneLineError(await ctl('pin', 'ls', 'bafyxx'), /'bafyxx' is invalid for argument 'cid'/)
      assertOneLineError(await ctl('pin', 'ls', '--filter', 'pin,pins'), /--filter .* is invalid\. "pins" is not one of/)
    })
  })
})

describe('cluster-ctl pin text', function () {
  const base = fakePin(CIDS.v1)

  it('marks direct pins and shows the depth', function () {
    assert.match(formatPin({ ...base, mode: 'direct', max_depth: 0 }), / \| PIN-DIRECT \| .* \| Direct \| /)
    assert.match(formatPin({ ...base, max_depth: 5 }), / \| PIN \| .* \| Recursive-5 \| /)
    assert.match(formatPin({ ...base, type: 'clusterdag-pin' }), / \| CLUSTERDAG-PIN \| /)
  })

  it('shows replication factors and sorted allocations unless the pin is everywhere', function () {
    assert.match(formatPin({ ...base, replication_factor_min: 2, replication_factor_max: 3, allocations: ['b', 'c', 'a'] }),
      / \| Repl\. Factor: 2--3 \| Allocations: \[a b c\] \| /)
    assert.match(formatPin({ ...base, replication_factor_min: 0, replication_factor_max: 0 }), / \| Repl\. Factor: 0--0 \| Allocations: \[\] \| /)
  })

  it('shows dates as their wall clock, ∞ for no expiry and unknown for no timestamp', function () {
    const line = formatPin({ ...base, expire_at: '2030-01-02T03:04:05.123+02:00', timestamp: ZERO_TIME, metadata: {} })
    assert.match(line, / \| Metadata: no \| Exp: 2030-01-02 03:04:05 \| Added: unknown\n$/)
    assert.match(formatPin({ ...base, expire_at: '0001-01-01T00:00:00+00:00' }), / \| Exp: ∞ \| /)
  })
})
