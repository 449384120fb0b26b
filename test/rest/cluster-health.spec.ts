import { strict as assert } from 'node:assert'
import { RPC_PROTOCOL } from '../../src/rpc/protocol.ts'
import { eventually, startCluster, stopCluster } from '../fixtures/cluster.ts'
import { fetchRaw } from '../fixtures/http-client.ts'
import { randomPeerId } from '../fixtures/rpc-mock.ts'
import type { Cluster } from '../../src/cluster/cluster.ts'
import type { BandwidthByProtocolJson, ConnectGraphJson, IDJson } from '../../src/api/types.ts'

async function getJson<T> (url: string): Promise<T> {
  const res = await fetchRaw(url)
  assert.equal(res.status, 200, res.body)
  return JSON.parse(res.body) as T
}

describe('REST API on a 3-peer cluster: /health/graph, /health/bandwidth, POST /peers', function () {
  let peers: Cluster[]
  let url: string
  let ids: IDJson[]

  before(async function () {
    peers = await startCluster(3)
    url = peers[0]!.restApiUrls[0] as string
    ids = await Promise.all(peers.map(async (p) => getJson<IDJson>(`${p.restApiUrls[0]}/id`)))
  })

  after(async function () {
    await stopCluster(peers)
  })

  it('GET /health/graph links every peer to the others, to its IPFS node, and the IPFS nodes to each other', async function () {
    const clusterIds = ids.map((id) => id.id)
    const ipfsIds = ids.map((id) => id.ipfs.id)
    let graph: ConnectGraphJson | undefined
    // the embedded IPFS nodes connect to each other shortly after start
    await eventually(async () => {
      graph = await getJson<ConnectGraphJson>(`${url}/health/graph`)
      return ipfsIds.every((i) => ipfsIds.filter((o) => o !== i).every((o) => graph?.ipfs_links[i]?.includes(o) === true))
    }, 'every IPFS node sees the others')
    assert.ok(graph != null)
    assert.equal(graph.cluster_id, clusterIds[0])
    assert.deepEqual(graph.id_to_peername, Object.fromEntries(ids.map((id) => [id.id, id.peername])))
    assert.deepEqual(graph.cluster_trust_links, Object.fromEntries(clusterIds.map((id) => [id, true])))
    assert.deepEqual(graph.cluster_to_ipfs, Object.fromEntries(ids.map((id) => [id.id, id.ipfs.id])))
    for (const id of clusterIds) {
      assert.deepEqual([...(graph.cluster_links[id] ?? [])].sort(), clusterIds.filter((o) => o !== id).sort(), id)
    }
    assert.deepEqual(Object.keys(graph.ipfs_links).sort(), [...ipfsIds].sort())
  })

  it('GET /health/bandwidth counts the RPC protocol both ways on every peer', async function () {
    for (const peer of peers) {
      const bandwidth = await getJson<BandwidthByProtocolJson>(`${peer.restApiUrls[0]}/health/bandwidth`)
      const rpc = bandwidth[RPC_PROTOCOL]
      assert.ok(rpc != null, JSON.stringify(bandwidth))
      assert.ok(rpc.total_in > 0 && rpc.total_out > 0, JSON.stringify(rpc))
      for (const stats of Object.values(bandwidth)) {
        assert.deepEqual(Object.keys(stats), ['total_in', 'total_out', 'rate_in', 'rate_out'])
        for (const value of Object.values(stats)) assert.ok(Number.isFinite(value) && value >= 0)
      }
    }
    // what this peer receives grows with what it is asked
    const before = (await getJson<BandwidthByProtocolJson>(`${url}/health/bandwidth`))[RPC_PROTOCOL]?.total_in ?? 0
    await getJson(`${url}/health/graph`)
    const after = (await getJson<BandwidthByProtocolJson>(`${url}/health/bandwidth`))[RPC_PROTOCOL]?.total_in ?? 0
    assert.ok(after > before, `${after} > ${before}`)
  })

  it('POST /peers of a member answers its ID and leaves the peerset as it was', async function () {
    const res = await fetchRaw(`${url}/peers`, { method: 'POST', body: JSON.stringify({ peer_id: ids[1]!.id }) })
    assert.equal(res.status, 200, res.body)
    assert.equal((JSON.parse(res.body) as IDJson).id, ids[1]!.id)
    assert.deepEqual([...(await getJson<IDJson>(`${url}/id`)).cluster_peers].sort(), ids.map((id) => id.id).sort())
  })

  it('POST /peers of a peer that does not answer is a 422 and leaves the peerset as it was', async function () {
    const stranger = (await randomPeerId()).toString()
    const res = await fetchRaw(`${url}/peers`, { method: 'POST', body: JSON.stringify({ peer_id: stranger }) })
    assert.equal(res.status, 422, res.body)
    assert.match(JSON.parse(res.body).message, new RegExp(`cannot add ${stranger}`))
    for (const peer of peers) {
      assert.deepEqual([...(await getJson<IDJson>(`${peer.restApiUrls[0]}/id`)).cluster_peers].sort(), ids.map((id) => id.id).sort())
    }
  })

  it('GET /health/graph leaves a stopped peer without links or IPFS node', async function () {
    const gone = ids[2]!
    await peers[2]!.stop()
    const graph = await getJson<ConnectGraphJson>(`${url}/health/graph`)
    assert.deepEqual(graph.cluster_links[gone.id], [])
    assert.equal(graph.cluster_to_ipfs[gone.id], undefined)
    assert.equal(graph.id_to_peername[gone.id], undefined)
    assert.deepEqual(graph.cluster_links[ids[0]!.id], [ids[1]!.id])
    assert.equal(graph.cluster_to_ipfs[ids[1]!.id], ids[1]!.ipfs.id)
  })
})
