import { strict as assert } from 'node:assert'
import { applyEnvOverrides, defaultServiceConfig, envVariables, resolveServiceConfig, serializeServiceConfig } from '../../src/config/index.ts'
import { KNOWN_SECRET_HEX, throwsConfigError } from './helpers.ts'

const OTHER_SECRET_HEX = 'ab'.repeat(32)

describe('config: environment overrides', () => {
  const fileText = serializeServiceConfig(defaultServiceConfig({ secret: Uint8Array.from(Buffer.from(KNOWN_SECRET_HEX, 'hex')), peername: 'from-file' }))

  it('changes nothing without variables', () => {
    const base = defaultServiceConfig()
    const { config, overrides } = applyEnvOverrides(base, { HOME: '/root', CLUSTER_UNKNOWN: 'x' })
    assert.deepEqual(config, base)
    assert.deepEqual(overrides, [])
  })

  it('overrides cluster keys: a string, the secret, a boolean, an array and a duration', () => {
    const config = resolveServiceConfig(fileText, 'service.json', {
      CLUSTER_PEERNAME: 'from-env',
      CLUSTER_SECRET: OTHER_SECRET_HEX,
      CLUSTER_LEAVEONSHUTDOWN: 'true',
      CLUSTER_LISTENMULTIADDRESS: '["/ip4/0.0.0.0/tcp/1111","/ip6/::/tcp/1111"]',
      CLUSTER_STATESYNCINTERVAL: '1h2m3.5s',
      CLUSTER_CONNECTIONMANAGER_HIGHWATER: '800'
    })
    assert.equal(config.cluster.peername, 'from-env')
    assert.equal(Buffer.from(config.cluster.secret).toString('hex'), OTHER_SECRET_HEX)
    assert.equal(config.cluster.leave_on_shutdown, true)
    assert.deepEqual(config.cluster.listen_multiaddress, ['/ip4/0.0.0.0/tcp/1111', '/ip6/::/tcp/1111'])
    assert.equal(config.cluster.state_sync_interval, 3_723_500)
    assert.equal(config.cluster.connection_manager.high_water, 800)
  })

  it('overrides restapi and rpc keys, including credentials as JSON', () => {
    const config = resolveServiceConfig(fileText, 'service.json', {
      CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/2222',
      CLUSTER_RESTAPI_BASICAUTHCREDENTIALS: '{"alice":"pw:1","bob":"pw2"}',
      CLUSTER_RESTAPI_CORSALLOWCREDENTIALS: 'false',
      CLUSTER_RESTAPI_IDLETIMEOUT: '30s',
      CLUSTER_RPC_MAXFRAMESIZE: '1048576'
    })
    assert.deepEqual(config.api.restapi.http_listen_multiaddress, ['/ip4/127.0.0.1/tcp/2222'])
    assert.deepEqual(config.api.restapi.basic_auth_credentials, { alice: 'pw:1', bob: 'pw2' })
    assert.equal(config.api.restapi.cors_allow_credentials, false)
    assert.equal(config.api.restapi.idle_timeout, 30_000)
    assert.equal(config.rpc.max_frame_size, 1_048_576)
  })

  it("accepts envconfig's forms: comma-separated lists, user:password pairs, Go booleans", () => {
    const config = resolveServiceConfig(fileText, 'service.json', {
      CLUSTER_RESTAPI_CORSALLOWEDMETHODS: 'GET,POST',
      CLUSTER_RESTAPI_BASICAUTHCREDENTIALS: 'alice:pw1,bob:pw2',
      CLUSTER_DISABLEREPINNING: 'F'
    })
    assert.deepEqual(config.api.restapi.cors_allowed_methods, ['GET', 'POST'])
    assert.deepEqual(config.api.restapi.basic_auth_credentials, { alice: 'pw1', bob: 'pw2' })
    assert.equal(config.cluster.disable_repinning, false)
  })

  it('accepts the underscored names', () => {
    const config = resolveServiceConfig(fileText, 'service.json', {
      CLUSTER_LISTEN_MULTIADDRESS: '/ip4/0.0.0.0/tcp/3333',
      CLUSTER_RESTAPI_HTTP_LISTEN_MULTIADDRESS: '/ip4/127.0.0.1/tcp/4444',
      CLUSTER_CONNECTION_MANAGER_GRACE_PERIOD: '1m'
    })
    assert.deepEqual(config.cluster.listen_multiaddress, ['/ip4/0.0.0.0/tcp/3333'])
    assert.deepEqual(config.api.restapi.http_listen_multiaddress, ['/ip4/127.0.0.1/tcp/4444'])
    assert.equal(config.cluster.connection_manager.grace_period, 60_000)
  })

  it('ignores empty variables', () => {
    const config = resolveServiceConfig(fileText, 'service.json', { CLUSTER_SECRET: '', CLUSTER_PEERNAME: '' })
    assert.equal(config.cluster.peername, 'from-file')
    assert.equal(Buffer.from(config.cluster.secret).toString('hex'), KNOWN_SECRET_HEX)
  })

  it('supplies a secret the file lacks', () => {
    const config = resolveServiceConfig('{}', 'service.json', { CLUSTER_SECRET: OTHER_SECRET_HEX })
    assert.equal(Buffer.from(config.cluster.secret).toString('hex'), OTHER_SECRET_HEX)
  })

  it('does not change the config it is given', () => {
    const base = defaultServiceConfig({ peername: 'before' })
    const { config, overrides } = applyEnvOverrides(base, { CLUSTER_PEERNAME: 'after' })
    assert.equal(base.cluster.peername, 'before')
    assert.equal(config.cluster.peername, 'after')
    assert.deepEqual(overrides, [{ variable: 'CLUSTER_PEERNAME', key: 'cluster.peername' }])
  })

  it('names the variable and the key of a bad value', () => {
    const bad: Array<[string, string, string, string]> = [
      ['CLUSTER_LEAVEONSHUTDOWN', 'yes', 'cluster.leave_on_shutdown', 'true or false'],
      ['CLUSTER_REPLICATIONFACTORMIN', 'two', 'cluster.replication_factor_min', 'expected an integer'],
      ['CLUSTER_MONITORPINGINTERVAL', '15', 'cluster.monitor_ping_interval', 'missing unit'],
      ['CLUSTER_LISTEN_MULTIADDRESS', '/ip4/0.0.0.0/tcp/99999', 'cluster.listen_multiaddress', 'not a valid multiaddr'],
      ['CLUSTER_RESTAPI_HEADERS', '{"X-A": "b"}', 'api.restapi.headers', 'expected an array of strings'],
      ['CLUSTER_RESTAPI_CORSALLOWEDORIGINS', '["a", 1]', 'api.restapi.cors_allowed_origins', 'item 1']
    ]
    for (const [variable, value, key, problem] of bad) {
      throwsConfigError(() => resolveServiceConfig(fileText, 'service.json', { [variable]: value }), {
        key, includes: [`environment variable ${variable}`, problem]
      })
    }
  })

  it('never quotes a bad secret or password from the environment', () => {
    const shortSecret = OTHER_SECRET_HEX.slice(4)
    throwsConfigError(() => resolveServiceConfig(fileText, 'service.json', { CLUSTER_SECRET: shortSecret }), {
      key: 'cluster.secret', includes: ['environment variable CLUSTER_SECRET', 'must be 64 hexadecimal characters'], excludes: [shortSecret, shortSecret.slice(0, 8)]
    })
    throwsConfigError(() => resolveServiceConfig(fileText, 'service.json', { CLUSTER_RESTAPI_BASICAUTHCREDENTIALS: '{"alice": hunter2}' }), {
      key: 'api.restapi.basic_auth_credentials', includes: ['CLUSTER_RESTAPI_BASICAUTHCREDENTIALS', 'not valid JSON'], excludes: ['hunter2']
    })
  })

  it('blames the variable for a rule between keys it broke, and the file otherwise', () => {
    throwsConfigError(() => resolveServiceConfig(fileText, 'service.json', { CLUSTER_REPLICATIONFACTORMAX: '3' }), {
      key: 'cluster.replication_factor_min', includes: ['environment variable CLUSTER_REPLICATIONFACTORMAX']
    })
    const badFile = JSON.stringify({ cluster: { secret: KNOWN_SECRET_HEX, replication_factor_min: 2 } })
    const err = throwsConfigError(() => resolveServiceConfig(badFile, 'service.json', { CLUSTER_PEERNAME: 'x' }), { key: 'cluster.replication_factor_min' })
    assert.match(err.message, /^service\.json: /)
  })

  it('refuses both names of a key set to different values', () => {
    throwsConfigError(() => resolveServiceConfig(fileText, 'service.json', { CLUSTER_LISTENMULTIADDRESS: '/ip4/0.0.0.0/tcp/1', CLUSTER_LISTEN_MULTIADDRESS: '/ip4/0.0.0.0/tcp/2' }), {
      key: 'cluster.listen_multiaddress', includes: ['CLUSTER_LISTENMULTIADDRESS', 'CLUSTER_LISTEN_MULTIADDRESS']
    })
  })

  it('lists a variable for every key, in both forms', () => {
    const variables = new Map(envVariables().map(v => [v.key, v.names]))
    assert.deepEqual(variables.get('cluster.secret'), ['CLUSTER_SECRET'])
    assert.deepEqual(variables.get('cluster.listen_multiaddress'), ['CLUSTER_LISTENMULTIADDRESS', 'CLUSTER_LISTEN_MULTIADDRESS'])
    assert.deepEqual(variables.get('api.restapi.basic_auth_credentials'), ['CLUSTER_RESTAPI_BASICAUTHCREDENTIALS', 'CLUSTER_RESTAPI_BASIC_AUTH_CREDENTIALS'])
    assert.deepEqual(variables.get('rpc.max_frame_size'), ['CLUSTER_RPC_MAXFRAMESIZE', 'CLUSTER_RPC_MAX_FRAME_SIZE'])
    assert.deepEqual(variables.get('consensus.raft.init_peerset'), ['CLUSTER_RAFT_INITPEERSET', 'CLUSTER_RAFT_INIT_PEERSET'])
    assert.deepEqual(variables.get('ipfs_connector.ipfshttp.node_multiaddress'), ['CLUSTER_IPFSHTTP_NODEMULTIADDRESS', 'CLUSTER_IPFSHTTP_NODE_MULTIADDRESS'])
    assert.deepEqual(variables.get('ipfs_connector.type'), ['CLUSTER_IPFSCONNECTOR_TYPE'])
    assert.deepEqual(variables.get('pin_tracker.stateless.concurrent_pins'), ['CLUSTER_STATELESS_CONCURRENTPINS', 'CLUSTER_STATELESS_CONCURRENT_PINS'])
    assert.deepEqual(variables.get('api.ipfsproxy.listen_multiaddress'), ['CLUSTER_IPFSPROXY_LISTENMULTIADDRESS', 'CLUSTER_IPFSPROXY_LISTEN_MULTIADDRESS'])
    assert.deepEqual(variables.get('api.pinsvcapi.jwt_expiry'), ['CLUSTER_PINSVCAPI_JWTEXPIRY', 'CLUSTER_PINSVCAPI_JWT_EXPIRY'])
    assert.equal(variables.size, 94)
  })
})
