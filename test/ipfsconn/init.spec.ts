/**
 * `cluster-service init` and the IPFS connector: which type it writes, and
 * the embedded node's port with --randomports. (That an answering IPFS API
 * makes it choose kubo is in kubo.spec.ts, where the daemons are.)
 */
import { strict as assert } from 'node:assert'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { chooseIpfsConnector } from '../../src/cli/service/ipfs-choice.ts'
import { initConfig, loadConfig } from '../../src/config/index.ts'
import { freePorts } from '../../src/config/free-ports.ts'
import { SERVICE_BIN, run } from '../fixtures/processes.ts'

describe('cluster-service init: the IPFS connector', function () {
  let root: string

  before(async function () {
    root = await mkdtemp(join(tmpdir(), 'pincluster-ipfsinit-'))
  })

  after(async function () {
    await rm(root, { recursive: true, force: true })
  })

  async function closedApiAddress (): Promise<string> {
    const [port] = await freePorts(1)
    return `/ip4/127.0.0.1/tcp/${port ?? 1}`
  }

  it('chooses embedded when no IPFS API answers at node_multiaddress', async function () {
    const address = await closedApiAddress()
    const choice = await chooseIpfsConnector(undefined, { CLUSTER_IPFSHTTP_NODEMULTIADDRESS: address })
    assert.equal(choice.type, 'embedded')
    assert.ok(choice.reason.includes(address))
  })

  it('takes --ipfs as given, without probing', async function () {
    assert.equal((await chooseIpfsConnector('kubo', { CLUSTER_IPFSHTTP_NODEMULTIADDRESS: await closedApiAddress() })).type, 'kubo')
    assert.equal((await chooseIpfsConnector('embedded')).type, 'embedded')
  })

  it('writes ipfs_connector.type, and with randomPorts a free port for the embedded node, keeping its host', async function () {
    const folder = join(root, 'random')
    await initConfig(folder, { randomPorts: true, ipfsConnector: 'kubo' })
    const { service } = await loadConfig(folder, {})
    assert.equal(service.ipfs_connector.type, 'kubo')
    const [listen] = service.ipfs_connector.embedded.listen_multiaddress
    const components = multiaddr(listen ?? '').getComponents()
    assert.equal(components[0]?.value, '0.0.0.0')
    const port = Number(components[1]?.value)
    assert.notEqual(port, 4001)
    const others = [...service.cluster.listen_multiaddress, ...service.api.restapi.http_listen_multiaddress]
      .map((a) => Number(multiaddr(a).getComponents()[1]?.value))
    assert.ok(!others.includes(port), 'the three ports differ')
  })

  it('the CLI writes the connector --ipfs names and refuses an unknown one', async function () {
    const folder = join(root, 'cli')
    const made = await run(SERVICE_BIN, ['--config', folder, 'init', '--ipfs', 'kubo'])
    assert.equal(made.code, 0, made.stderr)
    assert.match(made.stdout, /IPFS connector: kubo/)
    const written = JSON.parse(await readFile(join(folder, 'service.json'), 'utf8'))
    assert.equal(written.ipfs_connector.type, 'kubo')

    const refused = await run(SERVICE_BIN, ['--config', join(root, 'bad'), 'init', '--ipfs', 'go-ipfs'])
    assert.notEqual(refused.code, 0)
    assert.match(refused.stderr, /--ipfs must be one of kubo, embedded/)
  })
})
