import { strict as assert } from 'node:assert'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { eventually, metricsReady, startCluster, stopCluster } from '../fixtures/cluster.ts'
import { randomSecret } from '../fixtures/hosts.ts'
import { startIpfsDaemons, stopIpfsDaemons } from '../fixtures/ipfs-daemon.ts'
import type { Cluster } from '../../src/cluster/cluster.ts'
import type { IpfsDaemon } from '../fixtures/ipfs-daemon.ts'

const idOf = (p: Cluster): string => p.libp2p.peerId.toString()

describe('pinning: 3 peers in front of Kubo-RPC daemons (js-ipfs 0.66.1)', function () {
  this.timeout(180_000)
  let daemons: IpfsDaemon[]
  let peers: Cluster[]

  before(async function () {
    daemons = await startIpfsDaemons(3)
    peers = await startCluster(3, randomSecret(), (config, i) => {
      config.ipfs_connector.type = 'kubo'
      config.ipfs_connector.ipfshttp.node_multiaddress = daemons[i]!.apiMultiaddr
      config.ipfs_connector.ipfshttp.connect_swarms_delay = 200
    })
    await metricsReady(peers)
  })

  after(async function () {
    await stopCluster(peers ?? [])
    await stopIpfsDaemons(daemons ?? [])
  })

  it('each peer shows its own daemon as its IPFS node', async function () {
    for (const [i, p] of peers.entries()) {
      const id = await p.rpc.call(undefined, 'Cluster', 'ID', undefined)
      assert.equal(id.ipfs.error, '')
      assert.equal(id.ipfs.id, daemons[i]!.peerId)
    }
  })

  it('content on one daemon pinned with replication 2 is fetched and pinned by the 2 allocated daemons', async function () {
    const [a, b, c] = peers as [Cluster, Cluster, Cluster]
    const put = async (data: Uint8Array, codec: string): Promise<string> => a.rpc.call(undefined, 'IPFSConnector', 'BlockPut', { data, codec })
    const leaf = await put(new TextEncoder().encode(`kubo leaf ${Math.random()}`), 'raw')
    const root = await put(dagCbor.encode({ leaf: CID.parse(leaf) }), 'dag-cbor')
    await c.rpc.call(undefined, 'Cluster', 'Pin', { cid: root, options: { replication_factor_min: 2, replication_factor_max: 2, user_allocations: [idOf(b), idOf(c)] } })
    await eventually(async () => {
      const g = await a.rpc.call(undefined, 'Cluster', 'Status', root)
      return g.peer_map[idOf(b)]?.status === 'pinned' && g.peer_map[idOf(c)]?.status === 'pinned' && g.peer_map[idOf(a)]?.status === 'remote'
    }, 'pinned on the two allocated daemons', 60_000)
    for (const p of [b, c]) assert.equal(await p.rpc.call(undefined, 'IPFSConnector', 'PinLsCid', root), 'recursive')
    assert.equal(await a.rpc.call(undefined, 'IPFSConnector', 'PinLsCid', root), 'unpinned')
  })

  it('unpinning through the cluster unpins the daemons', async function () {
    const [a] = peers as [Cluster]
    const cid = await a.rpc.call(undefined, 'IPFSConnector', 'BlockPut', { data: new TextEncoder().encode(`kubo everywhere ${Math.random()}`), codec: 'raw' })
    await a.rpc.call(undefined, 'Cluster', 'Pin', { cid, options: {} })
    for (const p of peers) await eventually(async () => await p.rpc.call(undefined, 'IPFSConnector', 'PinLsCid', cid) === 'recursive', 'pinned on every daemon', 60_000)
    await a.rpc.call(undefined, 'Cluster', 'Unpin', cid)
    for (const p of peers) await eventually(async () => await p.rpc.call(undefined, 'IPFSConnector', 'PinLsCid', cid) === 'unpinned', 'unpinned on every daemon', 60_000)
  })
})
