import { strict as assert } from 'node:assert'
import { RestApi } from '../../src/api/rest/index.ts'
import { fetchRaw } from '../fixtures/http-client.ts'
import { ClusterRpcMock, randomPeerId, startRestOnMock } from '../fixtures/rpc-mock.ts'
import type { ConnectGraphJson } from '../../src/api/types.ts'

/** A named application error, as it arrives from an RPC call. */
function named (name: string, message: string): Error {
  const err = new Error(message)
  err.name = name
  return err
}

describe('REST API POST /peers, GET /health/graph, GET /health/bandwidth (on a partial RPC mock)', function () {
  let mock: ClusterRpcMock
  let api: RestApi
  let url: string

  before(async function () {
    ;({ mock, api, url } = await startRestOnMock({ otherPeers: 2 }))
  })

  after(async function () {
    await api.stop()
  })

  afterEach(function () {
    mock.reset()
  })

  describe('POST /peers', function () {
    it('adds the peer of {"peer_id"} through Cluster.PeerAdd and answers its ID, whatever the Content-Type', async function () {
      const peer = await randomPeerId()
      const asked: string[] = []
      mock.cluster.PeerAdd = async (id) => {
        asked.push(id)
        return mock.idOf(peer)
      }
      const body = JSON.stringify({ peer_id: peer.toString(), ignored: 1 })
      const variants: Array<Record<string, string>> = [{ 'content-type': 'application/json' }, {}, { 'content-type': 'text/plain' }]
      for (const headers of variants) {
        const res = await fetchRaw(`${url}/peers`, { method: 'POST', headers, body })
        assert.equal(res.status, 200, res.body)
        assert.deepEqual(JSON.parse(res.body), mock.idOf(peer))
      }
      assert.deepEqual(asked, [peer.toString(), peer.toString(), peer.toString()])
    })

    it('answers 400 naming the problem for a body that is not {"peer_id": <peer id>}, without calling RPC', async function () {
      mock.cluster.PeerAdd = async () => { throw new Error('must not be called') }
      const cases: Array<[string, RegExp]> = [
        ['', /not JSON/],
        ['{"peer_id": ', /not JSON/],
        ['[]', /must be a JSON object/],
        ['null', /must be a JSON object/],
        ['"12D3KooW"', /must be a JSON object/],
        ['{}', /no "peer_id"/],
        ['{"peer_id": 12}', /no "peer_id"/],
        ['{"peer_id": "not-a-peer"}', /invalid peer id: "not-a-peer"/],
        ['{"peer_id": ""}', /invalid peer id: ""/]
      ]
      for (const [body, message] of cases) {
        const res = await fetchRaw(`${url}/peers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        assert.equal(res.status, 400, body)
        const error = JSON.parse(res.body) as { code: number, message: string }
        assert.equal(error.code, 400)
        assert.match(error.message, message, body)
      }
    })

    it('answers 413 for a body over 1 MiB', async function () {
      const res = await fetchRaw(`${url}/peers`, { method: 'POST', body: JSON.stringify({ peer_id: 'x'.repeat(1024 * 1024) }) })
      assert.equal(res.status, 413)
      assert.equal(JSON.parse(res.body).code, 413)
    })

    it('answers 422 when the peer does not answer, 503 without a leader', async function () {
      const peer = (await randomPeerId()).toString()
      mock.cluster.PeerAdd = async (id) => { throw named('PeerUnreachableError', `cannot add ${id}: it does not answer (no addresses)`) }
      let res = await fetchRaw(`${url}/peers`, { method: 'POST', body: JSON.stringify({ peer_id: peer }) })
      assert.equal(res.status, 422)
      assert.deepEqual(JSON.parse(res.body), { code: 422, message: `cannot add ${peer}: it does not answer (no addresses)` })
      mock.cluster.PeerAdd = async () => { throw named('NoLeaderError', 'no leader') }
      res = await fetchRaw(`${url}/peers`, { method: 'POST', body: JSON.stringify({ peer_id: peer }) })
      assert.equal(res.status, 503)
    })
  })

  describe('GET /health/graph', function () {
    it('answers Cluster.ConnectGraph with IPFS Cluster field names, in its order', async function () {
      const [a, b] = mock.otherPeers.map(String) as [string, string]
      const self = mock.peerId.toString()
      const graph: ConnectGraphJson = {
        cluster_to_ipfs: { [self]: 'ipfs-self' },
        cluster_trust_links: { [self]: true, [a]: true, [b]: false },
        cluster_links: { [self]: [a, b], [a]: [self], [b]: [] },
        ipfs_links: { 'ipfs-self': [] },
        id_to_peername: { [self]: 'peer-0', [a]: 'peer-1' },
        cluster_id: self
      }
      mock.cluster.ConnectGraph = async () => graph
      const res = await fetchRaw(`${url}/health/graph`)
      assert.equal(res.status, 200)
      const body = JSON.parse(res.body) as ConnectGraphJson
      assert.deepEqual(Object.keys(body), ['cluster_id', 'id_to_peername', 'ipfs_links', 'cluster_links', 'cluster_trust_links', 'cluster_to_ipfs'])
      assert.deepEqual(body, graph)
    })
  })

  describe('GET /health/bandwidth', function () {
    it('answers Cluster.BandwidthByProtocol: {protocol: {total_in, total_out, rate_in, rate_out}}', async function () {
      mock.cluster.BandwidthByProtocol = async () => ({
        '/pincluster/rpc/1': { rate_out: 2.5, rate_in: 1, total_out: 20, total_in: 10 },
        '/ipfs/ping/1.0.0': { total_in: 32, total_out: 32, rate_in: 0, rate_out: 0 }
      })
      const res = await fetchRaw(`${url}/health/bandwidth`)
      assert.equal(res.status, 200)
      const body = JSON.parse(res.body) as Record<string, object>
      assert.deepEqual(body, {
        '/pincluster/rpc/1': { total_in: 10, total_out: 20, rate_in: 1, rate_out: 2.5 },
        '/ipfs/ping/1.0.0': { total_in: 32, total_out: 32, rate_in: 0, rate_out: 0 }
      })
      assert.deepEqual(Object.keys(body['/pincluster/rpc/1'] ?? {}), ['total_in', 'total_out', 'rate_in', 'rate_out'])
    })

    it('answers {} before any traffic', async function () {
      mock.cluster.BandwidthByProtocol = async () => ({})
      const res = await fetchRaw(`${url}/health/bandwidth`)
      assert.equal(res.status, 200)
      assert.deepEqual(JSON.parse(res.body), {})
    })
  })
})
