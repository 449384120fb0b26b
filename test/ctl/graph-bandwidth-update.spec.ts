import { strict as assert } from 'node:assert'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RestApi } from '../../src/api/rest/index.ts'
import { formatGlobalPinInfo } from '../../src/cli/ctl/format/status.ts'
import { runCtl } from '../fixtures/ctl-runner.ts'
import { restConfig } from '../fixtures/rest-config.ts'
import { CIDS, ClusterRpcMock, fakePin } from '../fixtures/rpc-mock.ts'
import { fakeGlobal } from '../fixtures/status.ts'
import type { ConnectGraphJson, GlobalPinInfoJson } from '../../src/api/types.ts'
import type { CtlRun } from '../fixtures/ctl-runner.ts'

function assertOneLineError (run: CtlRun, pattern: RegExp): void {
  assert.equal(run.code, 1, run.stderr)
  const lines = run.stderr.split('\n').filter((l) => l !== '')
  assert.equal(lines.length, 1, run.stderr)
  assert.match(lines[0] as string, pattern)
}

// peer ids chosen so that their sorted order is the order below
const SELF = '12D3KooWAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAself01'
const TRUSTED = '12D3KooWBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBtrust1'
const OTHER = '12D3KooWCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCother1'
const IPFS_SELF = 'QmIPFSselfAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAipfs01'
const IPFS_TRUSTED = 'QmIPFStrustBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBipfs02'
const OUTSIDER = 'QmOutsiderZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZipfs99'

/** SELF and TRUSTED see each other and have IPFS nodes; OTHER did not answer (no IPFS node known). */
const GRAPH: ConnectGraphJson = {
  cluster_id: SELF,
  id_to_peername: { [SELF]: 'peer-0', [TRUSTED]: 'peer-1' },
  ipfs_links: { [IPFS_SELF]: [IPFS_TRUSTED, OUTSIDER], [IPFS_TRUSTED]: [IPFS_SELF] },
  cluster_links: { [SELF]: [TRUSTED], [TRUSTED]: [SELF], [OTHER]: [] },
  cluster_trust_links: { [SELF]: true, [TRUSTED]: true, [OTHER]: false },
  cluster_to_ipfs: { [SELF]: IPFS_SELF, [TRUSTED]: IPFS_TRUSTED }
}

const ATTRS = 'style="filled" colorscheme="x11" fontcolor="black" fontname="Arial"'

/** What ipfs-cluster-ctl's `health graph` writes for GRAPH (go-dot's format), plus a final newline. */
const GRAPH_DOT = `digraph cluster {
/* The nodes of the connectivity graph */
/* The cluster-service peers */
subgraph  {
rank="min"
C0 [label=< <B> peer-0 </B> <BR/> <B> 12*self01 </B> > group="${SELF}" color="orange" ${ATTRS} shape="box3d" peripheries="2" ]
T1 [label=< <B> peer-1 </B> <BR/> <B> 12*trust1 </B> > group="${TRUSTED}" color="orange" ${ATTRS} shape="box3d" ]
C2 [label=< <B>  </B> <BR/> <B> 12*other1 </B> > group="${OTHER}" color="darkorange3" ${ATTRS} shape="box3d" ]
}

/* The ipfs peers */
subgraph  {
rank="max"
I0 [label=< <B> IPFS </B> <BR/> <B> Qm*ipfs01 </B> > group="${IPFS_SELF}" color="turquoise3" ${ATTRS} shape="cylinder" ]
I1 [label=< <B> IPFS </B> <BR/> <B> Qm*ipfs02 </B> > group="${IPFS_TRUSTED}" color="turquoise3" ${ATTRS} shape="cylinder" ]
I2 [label=< <B> IPFS </B> <BR/> <B> Errored </B> > group="${OTHER}" color="firebrick1" ${ATTRS} shape="cylinder" ]
}

/* Edges representing active connections in the cluster */
/* The connections among cluster-service peers */
C0 -> T1
T1 -> C0

/* The connections between cluster peers and their ipfs daemons */
C0 -> I0
T1 -> I1
C2 -> I2 [ style="dotted" ]

/* The swarm peer connections among ipfs daemons in the cluster */
I0 -> I1
I1 -> I0
}
`

describe('cluster-ctl health graph, health bandwidth, pin update', function () {
  let mock: ClusterRpcMock
  let api: RestApi
  let host: string

  before(async function () {
    mock = await ClusterRpcMock.create(2)
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

  describe('health graph', function () {
    it('prints the graph as ipfs-cluster-ctl does: a dot file', async function () {
      mock.cluster.ConnectGraph = async () => GRAPH
      assert.deepEqual(await ctl('health', 'graph'), { code: 0, stdout: GRAPH_DOT, stderr: '' })
    })

    it('draws the IPFS swarm peers outside the cluster with --all-ipfs-peers', async function () {
      mock.cluster.ConnectGraph = async () => GRAPH
      const run = await ctl('health', 'graph', '--all-ipfs-peers')
      assert.equal(run.code, 0, run.stderr)
      assert.match(run.stdout, new RegExp(`^I2 \\[label=< <B> IPFS </B> <BR/> <B> Qm\\*ipfs99 </B> > group="${OUTSIDER}"`, 'm'))
      // the peer without IPFS node comes after every IPFS node
      assert.match(run.stdout, /^I3 \[label=< <B> IPFS <\/B> <BR\/> <B> Errored <\/B> >/m)
      assert.match(run.stdout, /^I0 -> I1\nI0 -> I2\nI1 -> I0\n}\n$/m)
    })

    it('prints the ConnectGraph object with --enc json, and writes to --file', async function () {
      mock.cluster.ConnectGraph = async () => GRAPH
      const json = await ctl('--enc', 'json', 'health', 'graph')
      assert.equal(json.code, 0, json.stderr)
      assert.equal(json.stdout, JSON.stringify(GRAPH, null, 4) + '\n')
      const dir = await mkdtemp(join(tmpdir(), 'pincluster-ctl-graph-'))
      try {
        const file = join(dir, 'graph.dot')
        assert.deepEqual(await ctl('health', 'graph', '--file', file), { code: 0, stdout: '', stderr: '' })
        assert.equal(await readFile(file, 'utf8'), GRAPH_DOT)
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    })
  })

  describe('health bandwidth', function () {
    it('prints one line per protocol as ipfs-cluster-ctl does, or the object with --enc json', async function () {
      const bandwidth = {
        '/pincluster/rpc/1': { total_in: 2_500_000, total_out: 9, rate_in: 1234.5, rate_out: 0 },
        '/ipfs/id/1.0.0': { total_in: 1500, total_out: 1520, rate_in: 0.126, rate_out: 0.5 }
      }
      mock.cluster.BandwidthByProtocol = async () => bandwidth
      assert.deepEqual(await ctl('health', 'bandwidth'), {
        code: 0,
        stdout: '           /ipfs/id/1.0.0: In:  1.5 kB. Out:  1.5 kB. RateIn: 0.13B/s. RateOut: 0.50B/s\n' +
          '        /pincluster/rpc/1: In:  2.5 MB. Out:     9 B. RateIn: 1234.50B/s. RateOut: 0.00B/s\n',
        stderr: ''
      })
      assert.equal((await ctl('--enc', 'json', 'health', 'bandwidth')).stdout, JSON.stringify(bandwidth, null, 4) + '\n')
    })
  })

  describe('pin update', function () {
    it('pins <to> with pin-update=<from> and the options given, then prints its status', async function () {
      const pinset = mock.usePinset([fakePin(CIDS.v0)])
      const status: GlobalPinInfoJson = fakeGlobal(CIDS.v1, { [mock.peerId.toString()]: 'pinning' })
      mock.cluster.Status = async () => status
      const run = await ctl('pin', 'update', CIDS.v0, CIDS.v1, '--name', 'second', '--expire-in', '1h', '--metadata', 'a=b=c')
      assert.deepEqual(run, { code: 0, stdout: formatGlobalPinInfo(status), stderr: '' })
      assert.equal(pinset.requests.length, 1)
      const request = pinset.requests[0]!
      assert.equal(request.cid, CIDS.v1)
      assert.equal(request.options.pin_update, CIDS.v0)
      assert.equal(request.options.name, 'second')
      assert.deepEqual(request.options.metadata, { a: 'b=c' })
      assert.ok(Date.parse(request.options.expire_at ?? '') > Date.now() + 59 * 60_000)
    })

    it('prints the pin with --no-status, and takes a path as <to>', async function () {
      mock.usePinset([fakePin(CIDS.v0)])
      const asked: string[] = []
      mock.cluster.PinPath = async ({ path, options }) => {
        asked.push(path)
        return fakePin(CIDS.raw, { pin_update: options.pin_update ?? null })
      }
      const run = await ctl('--enc', 'json', 'pin', 'update', '--no-status', CIDS.v0, `/ipfs/${CIDS.v1}/a b`)
      assert.equal(run.code, 0, run.stderr)
      assert.deepEqual(asked, [`/ipfs/${CIDS.v1}/a b`])
      assert.equal(JSON.parse(run.stdout).pin_update, CIDS.v0)
    })

    it('refuses a <from> that is not a CID before any request, in one line', async function () {
      mock.cluster.Pin = async () => { throw new Error('must not be called') }
      assertOneLineError(await ctl('pin', 'update', `/ipfs/${CIDS.v0}`, CIDS.v1), /argument 'from'.*not a CID/)
      assertOneLineError(await ctl('pin', 'update', CIDS.v0), /missing required argument 'to'/)
    })

    it('reports a <from> that is not pinned as the API says, exit 1', async function () {
      mock.usePinset()
      mock.cluster.Pin = async ({ options }) => {
        const err = new Error(`${options.pin_update} is not in the pinset`)
        err.name = 'PinNotFoundError'
        throw err
      }
      assertOneLineError(await ctl('pin', 'update', CIDS.v0, CIDS.v1), new RegExp(`An error occurred: ${CIDS.v0} is not in the pinset \\(code 404\\)`))
    })
  })

  it('reports a usage error with its suggestion in one line', async function () {
    assertOneLineError(await runCtl(['pinn']), /^error: unknown command 'pinn' \(Did you mean pin\?\)$/)
  })
})
