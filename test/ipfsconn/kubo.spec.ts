/**
 * The kubo connector against real Kubo-RPC daemons (js-ipfs 0.66.1, see
 * test/fixtures/ipfs-daemon.ts): the shared behaviours, and what only it
 * does (a daemon that does not answer, the API probe of `init`).
 */
import { strict as assert } from 'node:assert'
import { chooseIpfsConnector } from '../../src/cli/service/ipfs-choice.ts'
import { defaultServiceConfig } from '../../src/config/defaults.ts'
import { freePorts } from '../../src/config/free-ports.ts'
import { KuboConnector, createIpfsConnector, ipfsApiAnswers } from '../../src/ipfsconn/index.ts'
import { startIpfsDaemons, stopIpfsDaemons } from '../fixtures/ipfs-daemon.ts'
import { ClusterRpcMock } from '../fixtures/rpc-mock.ts'
import { describeConnectorBehaviours } from './behaviours.ts'
import { ctx } from './harness.ts'
import type { ConnectorPeer } from './harness.ts'
import type { IpfsHttpSection } from '../../src/config/types.ts'
import type { IpfsDaemon } from '../fixtures/ipfs-daemon.ts'

function kuboConfig (overrides: Partial<IpfsHttpSection> = {}): IpfsHttpSection {
  return {
    ...defaultServiceConfig().ipfs_connector.ipfshttp,
    // the tests run ConnectSwarms themselves
    connect_swarms_delay: 3_600_000,
    pin_timeout: 30_000,
    ipfs_request_timeout: 30_000,
    ...overrides
  }
}

async function startKubo (overrides: Partial<IpfsHttpSection>): Promise<ConnectorPeer> {
  const mock = await ClusterRpcMock.create(1)
  const connector = createIpfsConnector({
    rpc: mock.rpc,
    config: { ...defaultServiceConfig().ipfs_connector, type: 'kubo', ipfshttp: kuboConfig(overrides) },
    folder: '/nonexistent'
  })
  assert.ok(connector instanceof KuboConnector)
  await connector.start()
  return { connector, svc: connector.service(), mock }
}

describe('kubo IPFS connector', function () {
  let daemons: IpfsDaemon[] = []
  const connectors: ConnectorPeer[] = []

  // two daemons for the whole file: starting one takes seconds
  before(async function () {
    daemons = await startIpfsDaemons(2)
  })

  after(async function () {
    await stopIpfsDaemons(daemons)
  })

  describeConnectorBehaviours({
    name: 'kubo (js-ipfs daemons)',
    start: async () => {
      const [a, b] = daemons as [IpfsDaemon, IpfsDaemon]
      const peers = {
        a: await startKubo({ node_multiaddress: a.apiMultiaddr }),
        b: await startKubo({ node_multiaddress: b.apiMultiaddr }),
        // a second connector on A's daemon
        impatient: await startKubo({ node_multiaddress: a.apiMultiaddr, pin_timeout: 1000 })
      }
      connectors.push(peers.a, peers.b, peers.impatient)
      return peers
    },
    stop: async () => {
      await Promise.all(connectors.splice(0).map(async (c) => { await c.connector.stop() }))
    }
  })

  it('init chooses kubo when an IPFS API answers at node_multiaddress', async function () {
    const address = daemons[0]?.apiMultiaddr ?? ''
    assert.equal(await ipfsApiAnswers(address, { timeoutMs: 5000 }), true)
    const choice = await chooseIpfsConnector(undefined, { CLUSTER_IPFSHTTP_NODEMULTIADDRESS: address })
    assert.equal(choice.type, 'kubo')
  })

  describe('with no daemon answering', function () {
    let down: ConnectorPeer
    let address: string

    before(async function () {
      const [port] = await freePorts(1)
      address = `/ip4/127.0.0.1/tcp/${port ?? 1}`
      down = await startKubo({ node_multiaddress: address })
    })

    after(async function () {
      await down.connector.stop()
    })

    it('answers ID with a non-empty error instead of throwing', async function () {
      const id = await down.svc.ID(undefined, ctx())
      assert.equal(id.id, '')
      assert.deepEqual(id.addresses, [])
      assert.match(id.error, /does not answer/)
    })

    it('fails Pin, Unpin, PinLsCid, RepoStat and BlockPut with IpfsUnavailableError', async function () {
      const cid = 'bafkreigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi'
      const unavailable = { name: 'IpfsUnavailableError' }
      await assert.rejects(down.svc.Pin({ cid, mode: 'recursive' }, ctx()), unavailable)
      await assert.rejects(down.svc.Unpin(cid, ctx()), unavailable)
      await assert.rejects(down.svc.PinLsCid(cid, ctx()), unavailable)
      await assert.rejects(down.svc.RepoStat(undefined, ctx()), unavailable)
      await assert.rejects(down.svc.BlockPut({ data: new Uint8Array([1]), codec: 'raw' }, ctx()), unavailable)
    })

    it('the init probe finds no IPFS API there', async function () {
      assert.equal(await ipfsApiAnswers(address, { timeoutMs: 2000 }), false)
    })
  })
})
