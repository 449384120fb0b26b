import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { create } from 'kubo-rpc-client'
import { CID } from 'multiformats/cid'
import { IpfsProxy } from '../../src/api/ipfsproxy/index.ts'
import { defaultServiceConfig } from '../../src/config/index.ts'
import { firstChunk, open } from '../fixtures/http-client.ts'
import { ClusterRpcMock } from '../fixtures/rpc-mock.ts'
import { concat } from 'uint8arrays/concat'
import { eventually, metricsReady, startCluster, stopCluster } from '../fixtures/cluster.ts'
import { randomSecret } from '../fixtures/hosts.ts'
import { startIpfsDaemons, stopIpfsDaemons } from '../fixtures/ipfs-daemon.ts'
import { collect, proxyClient, rawCall } from './helpers.ts'
import type { Cluster } from '../../src/cluster/cluster.ts'
import type { IpfsDaemon } from '../fixtures/ipfs-daemon.ts'
import type { KuboRPCClient } from 'kubo-rpc-client'

function apiUrl (daemon: IpfsDaemon): string {
  const [, , host, , port] = daemon.apiMultiaddr.split('/')
  return `http://${host}:${port}/api/v0`
}

describe('IPFS proxy in front of a Kubo-RPC daemon (js-ipfs 0.66.1)', function () {
  this.timeout(180_000)
  let daemons: IpfsDaemon[]
  let peers: Cluster[]
  let proxy: KuboRPCClient
  let direct: KuboRPCClient

  /** How the daemon holds a CID (js-ipfs' pin/ls fails for a CID it has not pinned). */
  async function daemonPin (cid: string): Promise<string> {
    try {
      return (await collect(direct.pin.ls({ paths: [CID.parse(cid)] })))[0]?.type ?? 'unpinned'
    } catch {
      return 'unpinned'
    }
  }

  before(async function () {
    daemons = await startIpfsDaemons(1)
    peers = await startCluster(1, randomSecret(), (config) => {
      config.ipfs_connector.type = 'kubo'
      config.ipfs_connector.ipfshttp.node_multiaddress = daemons[0]!.apiMultiaddr
      // a header js-ipfs puts on its answers, for the proxy to copy onto its own
      config.api.ipfsproxy.extract_headers_extra = ['Cache-Control']
    })
    await metricsReady(peers)
    proxy = proxyClient(peers[0]!)
    direct = create({ url: apiUrl(daemons[0]!) })
  })

  after(async function () {
    await stopCluster(peers ?? [])
    await stopIpfsDaemons(daemons ?? [])
  })

  it('forwards calls it does not intercept to the daemon: version, id, config, swarm/peers', async function () {
    assert.deepEqual(await proxy.version(), await direct.version())
    assert.equal((await proxy.id()).id.toString(), daemons[0]!.peerId)
    assert.deepEqual(await proxy.config.get('Addresses'), await direct.config.get('Addresses'))
    assert.deepEqual((await proxy.swarm.peers()).map((p) => p.peer.toString()), (await direct.swarm.peers()).map((p) => p.peer.toString()))
  })

  it('the kubo connector\'s NodeInfo and SwarmConnections say what the daemon says', async function () {
    const info = await peers[0]!.rpc.call(undefined, 'IPFSConnector', 'NodeInfo', undefined)
    const [id, version] = await Promise.all([direct.id(), direct.version()])
    assert.equal(info.id, id.id.toString())
    assert.equal(info.public_key, id.publicKey)
    assert.equal(info.agent_version, id.agentVersion)
    assert.equal(info.version, version.version)
    const connections = await peers[0]!.rpc.call(undefined, 'IPFSConnector', 'SwarmConnections', undefined)
    assert.deepEqual(connections.map((c) => c.peer).sort(), (await direct.swarm.peers()).map((p) => p.peer.toString()).sort())
  })

  it('streams forwarded bodies both ways: block/put up, cat down', async function () {
    const data = randomBytes(200_000)
    const added = await direct.add(data)
    assert.deepEqual(concat(await collect(proxy.cat(added.cid))), new Uint8Array(data))
    const block = randomBytes(1000)
    const cid = await proxy.block.put(block, { format: 'raw' })
    assert.deepEqual(await direct.block.get(cid), new Uint8Array(block))
    // not pinned: block/put without pin is the daemon's business alone
    await assert.rejects(peers[0]!.rpc.call(undefined, 'Cluster', 'PinGet', cid.toString()), { name: 'PinNotFoundError' })
  })

  it('pin/add goes through the cluster, which has the daemon pin it', async function () {
    const { cid } = await direct.add(randomBytes(5000))
    await proxy.pin.add(cid)
    const pin = await peers[0]!.rpc.call(undefined, 'Cluster', 'PinGet', cid.toString())
    assert.equal(pin.replication_factor_min, -1)
    await eventually(async () => await daemonPin(cid.toString()) === 'recursive', 'the daemon pinned it', 60_000)
    const listed = await collect(proxy.pin.ls({ paths: [cid] }))
    assert.deepEqual(listed.map((p) => p.cid.toString()), [cid.toString()])
  })

  it('block/put and dag/put with pin=true: the daemon stores, the cluster pins', async function () {
    const cid = await proxy.block.put(randomBytes(1000), { format: 'raw', pin: true })
    const pin = await peers[0]!.rpc.call(undefined, 'Cluster', 'PinGet', cid.toString())
    assert.equal(pin.cid, cid.toString())
    await eventually(async () => await daemonPin(cid.toString()) === 'recursive', 'the daemon pinned it through the cluster', 60_000)
    const node = await proxy.dag.put({ through: 'the proxy', link: cid }, { storeCodec: 'dag-cbor', pin: true })
    assert.equal((await peers[0]!.rpc.call(undefined, 'Cluster', 'PinGet', node.toString())).cid, node.toString())
    assert.deepEqual((await direct.dag.get(node)).value, { through: 'the proxy', link: cid })
  })

  it('add goes through the cluster: the blocks reach the daemon and the cluster has it pin the root', async function () {
    const content = randomBytes(400_000)
    const added = await proxy.add(content)
    assert.equal((await peers[0]!.rpc.call(undefined, 'Cluster', 'PinGet', added.cid.toString())).replication_factor_min, -1)
    await eventually(async () => await daemonPin(added.cid.toString()) === 'recursive', 'the daemon pinned it through the cluster', 60_000)
    assert.deepEqual(concat(await collect(direct.cat(added.cid))), new Uint8Array(content))
  })

  it('answers it gives itself carry its Server header and the daemon\'s extracted headers; errors are in Kubo\'s shape', async function () {
    const listed = await rawCall(peers[0]!, 'pin/ls')
    assert.equal(listed.status, 200)
    assert.match(listed.headers.get('server') ?? '', /^pincluster\/ipfsproxy\//)
    assert.equal(listed.headers.get('cache-control'), 'no-cache')
    const answer = await rawCall(peers[0]!, 'pin/ls', [['arg', 'nonsense']])
    assert.equal(answer.status, 400)
    assert.deepEqual(Object.keys(answer.json() as object), ['Message', 'Code', 'Type'])
  })

  it('stopping the proxy cuts a forwarded call the daemon is still answering', async function () {
    const mock = await ClusterRpcMock.create()
    const stopped = new IpfsProxy({
      rpc: mock.rpc,
      config: { ...defaultServiceConfig().api.ipfsproxy, listen_multiaddress: ['/ip4/127.0.0.1/tcp/0'] },
      kuboMultiaddress: daemons[0]!.apiMultiaddr
    })
    await stopped.start()
    // bandwidth stats polled: the daemon answers until the caller goes away
    const res = await open(`${stopped.listenUrls()[0]}/api/v0/stats/bw?poll=true&interval=100ms`, { method: 'POST' })
    assert.equal(res.statusCode, 200)
    assert.ok('TotalIn' in JSON.parse(await firstChunk(res)))
    const ended = new Promise<void>((resolve) => { res.once('close', resolve) })
    res.resume()
    await stopped.stop()
    await ended
  })

  it('a daemon that does not answer gives a 502 in Kubo\'s shape', async function () {
    await stopIpfsDaemons(daemons)
    const answer = await rawCall(peers[0]!, 'version')
    assert.equal(answer.status, 502)
    const body = answer.json() as { Message: string, Code: number, Type: string }
    assert.equal(body.Type, 'error')
    assert.match(body.Message, /cannot reach the IPFS daemon/)
  })
})
