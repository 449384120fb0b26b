/**
 * The embedded connector: the shared behaviours on real Helia nodes in temp
 * folders, and what only it does (its repo and identity across restarts).
 */
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as dagPb from '@ipld/dag-pb'
import { CID } from 'multiformats/cid'
import { defaultServiceConfig } from '../../src/config/defaults.ts'
import { EmbeddedConnector, createIpfsConnector } from '../../src/ipfsconn/index.ts'
import { ClusterRpcMock } from '../fixtures/rpc-mock.ts'
import { describeConnectorBehaviours } from './behaviours.ts'
import { putDag, randomFileDag } from './dags.ts'
import { clusterPeerWithIpfsNode, ctx, eventually } from './harness.ts'
import type { ConnectorPeer } from './harness.ts'
import type { EmbeddedIpfsSection } from '../../src/config/types.ts'

function embeddedConfig (overrides: Partial<EmbeddedIpfsSection> = {}): EmbeddedIpfsSection {
  return {
    ...defaultServiceConfig().ipfs_connector.embedded,
    listen_multiaddress: ['/ip4/127.0.0.1/tcp/0'],
    // the tests run ConnectSwarms themselves
    connect_swarms_delay: 3_600_000,
    pin_timeout: 30_000,
    ...overrides
  }
}

class EmbeddedPeers {
  private readonly folders: string[] = []
  private readonly started: EmbeddedConnector[] = []

  async folder (): Promise<string> {
    const folder = await mkdtemp(join(tmpdir(), 'pincluster-embedded-'))
    this.folders.push(folder)
    return folder
  }

  async start (overrides: Partial<EmbeddedIpfsSection> = {}, folder?: string): Promise<ConnectorPeer> {
    const mock = await ClusterRpcMock.create(1)
    const connector = new EmbeddedConnector({ rpc: mock.rpc, config: embeddedConfig(overrides), folder: folder ?? await this.folder() })
    await connector.start()
    this.started.push(connector)
    return { connector, svc: connector.service(), mock }
  }

  async stopAll (): Promise<void> {
    await Promise.all(this.started.splice(0).map(async (c) => { await c.stop() }))
    await Promise.all(this.folders.splice(0).map(async (f) => { await rm(f, { recursive: true, force: true }) }))
  }
}

const shared = new EmbeddedPeers()
describeConnectorBehaviours({
  name: 'embedded (Helia)',
  start: async () => ({
    a: await shared.start(),
    b: await shared.start(),
    impatient: await shared.start({ pin_timeout: 1000 })
  }),
  stop: async () => { await shared.stopAll() }
})

describe('embedded IPFS connector', function () {
  const peers = new EmbeddedPeers()

  afterEach(async function () {
    await peers.stopAll()
  })

  it('keeps its pins, blocks and IPFS peer id across stop and start', async function () {
    const folder = await peers.folder()
    const first = await peers.start({}, folder)
    const id = await first.svc.ID(undefined, ctx())
    const dag = await randomFileDag(4096)
    await putDag(first.svc, dag, ctx().signal)
    await first.svc.Pin({ cid: dag.root.toString(), mode: 'recursive' }, ctx())
    const direct = await first.svc.BlockPut({ data: randomBytes(64), codec: 'raw' }, ctx())
    await first.svc.Pin({ cid: direct, mode: 'direct' }, ctx())
    await first.connector.stop()

    const again = await peers.start({}, folder)
    assert.equal((await again.svc.ID(undefined, ctx())).id, id.id)
    assert.equal(await again.svc.PinLsCid(dag.root.toString(), ctx()), 'recursive')
    assert.equal(await again.svc.PinLsCid(direct, ctx()), 'direct')
    for (const block of dag.blocks) assert.deepEqual(await again.svc.BlockGet(block.cid.toString(), ctx()), block.bytes)
  })

  it('lists a CIDv0 pin as the CIDv0 it was given', async function () {
    const peer = await peers.start()
    const data = dagPb.encode(dagPb.prepare({ Data: randomBytes(20), Links: [] }))
    // its CIDv0 names the same block
    const v1 = await peer.svc.BlockPut({ data, codec: 'dag-pb' }, ctx())
    const v0 = CID.parse(v1).toV0().toString()
    await peer.svc.Pin({ cid: v0, mode: 'recursive' }, ctx())
    assert.equal(await peer.svc.PinLsCid(v0, ctx()), 'recursive')
    const listed = []
    for await (const pin of peer.svc.PinLs({ type: 'recursive' }, ctx())) listed.push(pin)
    assert.deepEqual(listed, [{ cid: v0, type: 'recursive' }])
  })

  it('connects to the other peers\' IPFS nodes by itself connect_swarms_delay after start', async function () {
    const a = await peers.start()
    const aId = await a.svc.ID(undefined, ctx())
    const mock = await ClusterRpcMock.create(1)
    clusterPeerWithIpfsNode(mock, aId)
    const folder = await peers.folder()
    const b = createIpfsConnector({
      rpc: mock.rpc,
      config: { ...defaultServiceConfig().ipfs_connector, type: 'embedded', embedded: embeddedConfig({ connect_swarms_delay: 0 }) },
      folder
    })
    assert.ok(b instanceof EmbeddedConnector)
    await b.start()
    try {
      await eventually(async () => (await b.service().SwarmPeers(undefined, ctx())).includes(aId.id), 30_000, 'B connected to A')
    } finally {
      await b.stop()
    }
  })

  it('answers ID with an error and fails other calls with IpfsUnavailableError when not started', async function () {
    const mock = await ClusterRpcMock.create(1)
    const connector = new EmbeddedConnector({ rpc: mock.rpc, config: embeddedConfig(), folder: await peers.folder() })
    const svc = connector.service()
    const id = await svc.ID(undefined, ctx())
    assert.equal(id.id, '')
    assert.notEqual(id.error, '')
    await assert.rejects(svc.Pin({ cid: 'bafkreigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi', mode: 'recursive' }, ctx()), { name: 'IpfsUnavailableError' })
  })

  it('Resolve of an /ipns/ path fails with IpnsUnavailableError', async function () {
    const peer = await peers.start()
    await assert.rejects(peer.svc.Resolve('/ipns/example.com/a', ctx()), { name: 'IpnsUnavailableError' })
  })
})
