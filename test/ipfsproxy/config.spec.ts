import { strict as assert } from 'node:assert'
import { multiaddr } from '@multiformats/multiaddr'
import { applyEnvOverrides, defaultServiceConfig, envVariables, initConfig, loadConfig, parseServiceConfig, serializeServiceConfig } from '../../src/config/index.ts'
import { KNOWN_SECRET_HEX, TempFolders, throwsConfigError } from '../config/helpers.ts'

function serviceJson (ipfsproxy: object): string {
  return JSON.stringify({ cluster: { secret: KNOWN_SECRET_HEX }, api: { ipfsproxy } })
}

describe('IPFS proxy configuration (api.ipfsproxy)', function () {
  const temp = new TempFolders()

  after(async function () {
    await temp.removeAll()
  })

  it('has IPFS Cluster\'s defaults, node_multiaddress empty (the kubo connector\'s)', function () {
    const section = parseServiceConfig(serviceJson({})).api.ipfsproxy
    assert.deepEqual(section, {
      listen_multiaddress: ['/ip4/127.0.0.1/tcp/9095'],
      node_multiaddress: '',
      read_timeout: 0,
      read_header_timeout: 5000,
      write_timeout: 0,
      idle_timeout: 60_000,
      max_header_bytes: 4096,
      extract_headers_extra: [],
      extract_headers_path: '/api/v0/version',
      extract_headers_ttl: 300_000
    })
    const written = JSON.parse(serializeServiceConfig(defaultServiceConfig())).api.ipfsproxy
    assert.equal(written.idle_timeout, '1m0s')
    assert.equal(written.node_multiaddress, '')
  })

  it('reads the file\'s keys and refuses bad values naming the key', function () {
    const section = parseServiceConfig(serviceJson({
      listen_multiaddress: '/ip4/0.0.0.0/tcp/1234',
      node_multiaddress: '/ip4/10.0.0.5/tcp/5001',
      extract_headers_extra: ['X-Custom'],
      extract_headers_ttl: '1m'
    })).api.ipfsproxy
    assert.deepEqual(section.listen_multiaddress, ['/ip4/0.0.0.0/tcp/1234'])
    assert.equal(section.node_multiaddress, '/ip4/10.0.0.5/tcp/5001')
    assert.deepEqual(section.extract_headers_extra, ['X-Custom'])
    assert.equal(section.extract_headers_ttl, 60_000)
    throwsConfigError(() => parseServiceConfig(serviceJson({ node_multiaddress: 'localhost:5001' })), { key: 'api.ipfsproxy.node_multiaddress', includes: ['not a valid multiaddr'] })
    throwsConfigError(() => parseServiceConfig(serviceJson({ listen_multiaddress: ['/ip4/127.0.0.1/tcp/x'] })), { key: 'api.ipfsproxy.listen_multiaddress' })
    assert.deepEqual(parseServiceConfig(serviceJson({ listen_multiaddress: [] })).api.ipfsproxy.listen_multiaddress, [])
    throwsConfigError(() => parseServiceConfig(serviceJson({ read_timeout: '-1s' })), { key: 'api.ipfsproxy.read_timeout', includes: ['negative'] })
    throwsConfigError(() => parseServiceConfig(serviceJson({ extract_headers_path: 'version' })), { key: 'api.ipfsproxy.extract_headers_path', includes: ['/'] })
  })

  it('takes CLUSTER_IPFSPROXY_* environment overrides', function () {
    const names = new Map(envVariables().map((v) => [v.key, v.names]))
    assert.deepEqual(names.get('api.ipfsproxy.listen_multiaddress'), ['CLUSTER_IPFSPROXY_LISTENMULTIADDRESS', 'CLUSTER_IPFSPROXY_LISTEN_MULTIADDRESS'])
    const { config } = applyEnvOverrides(defaultServiceConfig(), {
      CLUSTER_IPFSPROXY_LISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/7777',
      CLUSTER_IPFSPROXY_NODEMULTIADDRESS: '/ip4/127.0.0.1/tcp/5555',
      CLUSTER_IPFSPROXY_EXTRACTHEADERSEXTRA: 'X-A,X-B'
    })
    assert.deepEqual(config.api.ipfsproxy.listen_multiaddress, ['/ip4/127.0.0.1/tcp/7777'])
    assert.equal(config.api.ipfsproxy.node_multiaddress, '/ip4/127.0.0.1/tcp/5555')
    assert.deepEqual(config.api.ipfsproxy.extract_headers_extra, ['X-A', 'X-B'])
  })

  it('init --randomports gives the proxy a free port of its own', async function () {
    const folder = await temp.make()
    await initConfig(folder, { randomPorts: true })
    const { service } = await loadConfig(folder, {})
    const portOf = (addr: string | undefined): number => Number(multiaddr(addr ?? '').getComponents()[1]?.value)
    const proxyPort = portOf(service.api.ipfsproxy.listen_multiaddress[0])
    assert.notEqual(proxyPort, 9095)
    const others = [service.cluster.listen_multiaddress[0], service.api.restapi.http_listen_multiaddress[0], service.ipfs_connector.embedded.listen_multiaddress[0]].map(portOf)
    assert.ok(!others.includes(proxyPort))
  })
})
