import { strict as assert } from 'node:assert'
import { RpcClientError } from '../../src/rpc/errors.ts'
import { eventually, startCluster, stopCluster } from '../fixtures/cluster.ts'
import type { Cluster } from '../../src/cluster/cluster.ts'
import type { IDJson } from '../../src/api/types.ts'

async function restGet (peer: Cluster, path: string): Promise<Response> {
  const base = peer.restApiUrls[0]
  assert.ok(base != null, 'the REST API listens')
  return fetch(new URL(path, base))
}

describe('a 3-peer cluster in one process', function () {
  let peers: Cluster[]

  before(async function () {
    peers = await startCluster(3)
    // peers 1 and 2 bootstrapped to peer 0; connect 1 and 2 too
    await peers[1]!.libp2p.dial(peers[2]!.libp2p.getMultiaddrs())
  })

  after(async function () {
    await stopCluster(peers)
  })

  it('GET /peers through the REST API lists the 3 peer IDs, as NDJSON', async function () {
    const expected = peers.map((p) => p.libp2p.peerId.toString()).sort()
    for (const peer of peers) {
      const res = await restGet(peer, '/peers')
      assert.equal(res.status, 200)
      const lines = (await res.text()).split('\n').filter((l) => l !== '')
      const ids = lines.map((l) => JSON.parse(l) as IDJson)
      assert.deepEqual(ids.map((i) => i.id).sort(), expected)
      assert.ok(ids.every((i) => i.error === ''), 'every peer answered')
      assert.deepEqual(ids.map((i) => i.peername).sort(), ['peer-0', 'peer-1', 'peer-2'])
    }
  })

  it('GET /id shows the peer, its addresses and the cluster peers', async function () {
    const res = await restGet(peers[0]!, '/id')
    const id = await res.json() as IDJson
    assert.equal(id.id, peers[0]!.libp2p.peerId.toString())
    assert.equal(id.peername, 'peer-0')
    assert.equal(id.cluster_peers.length, 3)
    assert.ok(id.addresses.some((a) => a.startsWith('/ip4/127.0.0.1/tcp/')))
    assert.equal(id.error, '')
  })

  it('a peer cut off by the gate cannot be reached, and answers again once allowed', async function () {
    const [a, b] = peers as [Cluster, Cluster]
    const bId = b.libp2p.peerId
    a.gate.deny(bId)
    await a.libp2p.hangUp(bId)
    await assert.rejects(a.rpc.call(bId, 'Cluster', 'ID', undefined), { name: RpcClientError.NAME })
    a.gate.allow(bId)
    await a.libp2p.dial(b.libp2p.getMultiaddrs())
    await eventually(async () => (await a.rpc.call(bId, 'Cluster', 'ID', undefined)).id === bId.toString(), 'b answers again')
  })
})
