import { strict as assert } from 'node:assert'
import { hostname } from 'node:os'
import { defaultServiceConfig, parseServiceConfig, serializeServiceConfig } from '../../src/config/index.ts'
import { KNOWN_SECRET_HEX, throwsConfigError } from './helpers.ts'

/** service.json text with the known secret and `changes` merged into the sections. */
function serviceJson (changes: { cluster?: object, rpc?: object, restapi?: object } = {}): string {
  return JSON.stringify({
    cluster: { secret: KNOWN_SECRET_HEX, ...changes.cluster },
    rpc: { ...changes.rpc },
    api: { restapi: { ...changes.restapi } }
  })
}

describe('config: service.json', () => {
  describe('defaults', () => {
    it("are IPFS Cluster's values", () => {
      const config = defaultServiceConfig()
      assert.equal(config.cluster.peername, hostname())
      assert.equal(config.cluster.secret.byteLength, 32)
      assert.deepEqual(config.cluster.listen_multiaddress, ['/ip4/0.0.0.0/tcp/9096'])
      assert.equal(config.cluster.leave_on_shutdown, false)
      assert.equal(config.cluster.replication_factor_min, -1)
      assert.equal(config.cluster.replication_factor_max, -1)
      assert.equal(config.cluster.state_sync_interval, 5 * 60_000)
      assert.equal(config.cluster.pin_recover_interval, 12 * 60_000)
      assert.equal(config.cluster.monitor_ping_interval, 15_000)
      assert.equal(config.cluster.peer_watch_interval, 5_000)
      assert.equal(config.cluster.disable_repinning, true)
      assert.deepEqual(config.cluster.connection_manager, { high_water: 400, low_water: 100, grace_period: 120_000 })
      assert.equal(config.rpc.max_frame_size, 4 * 1024 * 1024)
      const api = config.api.restapi
      assert.deepEqual(api.http_listen_multiaddress, ['/ip4/127.0.0.1/tcp/9094'])
      assert.equal(api.read_timeout, 0)
      assert.equal(api.read_header_timeout, 5_000)
      assert.equal(api.write_timeout, 0)
      assert.equal(api.idle_timeout, 120_000)
      assert.equal(api.max_header_bytes, 4096)
      assert.equal(api.basic_auth_credentials, null)
      assert.deepEqual(api.cors_allowed_origins, ['*'])
      assert.deepEqual(api.cors_allowed_methods, ['GET'])
      assert.deepEqual(api.cors_allowed_headers, [])
      assert.deepEqual(api.cors_exposed_headers, ['Content-Type', 'X-Stream-Output', 'X-Chunked-Output', 'X-Content-Length'])
      assert.equal(api.cors_allow_credentials, true)
      assert.equal(api.cors_max_age, 0)
      assert.equal(api.ssl_cert_file, '')
      assert.equal(api.ssl_key_file, '')
    })

    it('have a fresh random secret each time', () => {
      assert.notDeepEqual(defaultServiceConfig().cluster.secret, defaultServiceConfig().cluster.secret)
    })

    it('round-trip through serialize and parse', () => {
      const config = defaultServiceConfig()
      assert.deepEqual(parseServiceConfig(serializeServiceConfig(config)), config)
    })
  })

  describe('serialize', () => {
    it('writes the secret as hex and durations as Go strings', () => {
      const config = defaultServiceConfig({ secret: Uint8Array.from(Buffer.from(KNOWN_SECRET_HEX, 'hex')) })
      config.cluster.pin_recover_interval = 3_723_500
      const json = JSON.parse(serializeServiceConfig(config))
      assert.equal(json.cluster.secret, KNOWN_SECRET_HEX)
      assert.equal(json.cluster.state_sync_interval, '5m0s')
      assert.equal(json.cluster.pin_recover_interval, '1h2m3.5s')
      assert.equal(json.cluster.connection_manager.grace_period, '2m0s')
      assert.equal(json.api.restapi.read_timeout, '0s')
      assert.equal(json.rpc.max_frame_size, 4194304)
    })

    it('round-trips changed values', () => {
      const config = defaultServiceConfig({ peername: 'peer-a' })
      config.cluster.peer_addresses = ['/ip4/10.0.0.1/tcp/9096/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA']
      config.cluster.replication_factor_min = 2
      config.cluster.replication_factor_max = 3
      config.api.restapi.basic_auth_credentials = { alice: 'pw1' }
      config.api.restapi.headers = { 'X-Test': ['a', 'b'] }
      config.api.restapi.cors_max_age = 600_000
      assert.deepEqual(parseServiceConfig(serializeServiceConfig(config)), config)
    })
  })

  describe('parse', () => {
    it('fills missing keys with the defaults and ignores unknown keys and sections', () => {
      const text = JSON.stringify({
        cluster: { secret: KNOWN_SECRET_HEX, peername: 'p1', mdns_interval: '10s', follower_mode: false },
        consensus: { crdt: {} },
        api: { ipfsproxy: { listen_multiaddress: '/ip4/127.0.0.1/tcp/9095' } }
      })
      const config = parseServiceConfig(text)
      const expected = defaultServiceConfig({ secret: Uint8Array.from(Buffer.from(KNOWN_SECRET_HEX, 'hex')), peername: 'p1' })
      assert.deepEqual(config, expected)
    })

    it('reads a listen multiaddress given as one string', () => {
      const config = parseServiceConfig(serviceJson({ cluster: { listen_multiaddress: '/ip4/0.0.0.0/tcp/1234' }, restapi: { http_listen_multiaddress: '/ip4/127.0.0.1/tcp/4321' } }))
      assert.deepEqual(config.cluster.listen_multiaddress, ['/ip4/0.0.0.0/tcp/1234'])
      assert.deepEqual(config.api.restapi.http_listen_multiaddress, ['/ip4/127.0.0.1/tcp/4321'])
    })

    it('reads durations and an upper-case secret', () => {
      const config = parseServiceConfig(JSON.stringify({ cluster: { secret: KNOWN_SECRET_HEX.toUpperCase(), state_sync_interval: '1h2m3.5s' } }))
      assert.equal(config.cluster.state_sync_interval, 3_723_500)
      assert.equal(Buffer.from(config.cluster.secret).toString('hex'), KNOWN_SECRET_HEX)
    })

    it('takes null for basic_auth_credentials as no authentication and an empty peername as the hostname', () => {
      const config = parseServiceConfig(serviceJson({ cluster: { peername: '' }, restapi: { basic_auth_credentials: null } }))
      assert.equal(config.api.restapi.basic_auth_credentials, null)
      assert.equal(config.cluster.peername, hostname())
    })

    it('names the file when the JSON is broken, with line and column', () => {
      const err = throwsConfigError(() => parseServiceConfig('{\n  "cluster": {\n    "peername": x\n  }\n}'), { key: '' })
      assert.match(err.message, /^service\.json: is not valid JSON: .*line 3 column 17/)
    })

    it('never quotes the secret from broken JSON, which V8 would', () => {
      // single quotes, a common slip
      const text = `{"cluster": {"secret": '${KNOWN_SECRET_HEX}'}}`
      const v8 = (() => { try { JSON.parse(text) } catch (err) { return (err as Error).message } })()
      assert.ok(v8?.includes(KNOWN_SECRET_HEX.slice(0, 8)), 'this input makes V8 quote the secret')
      throwsConfigError(() => parseServiceConfig(text), { key: '', includes: ['service.json', 'not valid JSON', 'line 1'], excludes: [KNOWN_SECRET_HEX.slice(0, 8)] })
    })

    it('rejects a file that is not an object', () => {
      throwsConfigError(() => parseServiceConfig('[]'), { key: '', includes: ['service.json', 'JSON object'] })
    })

    it('names the key and the expected type on a wrong type', () => {
      throwsConfigError(() => parseServiceConfig(serviceJson({ cluster: { leave_on_shutdown: 'yes' } })), {
        key: 'cluster.leave_on_shutdown', includes: ['service.json', 'expected a boolean', 'got a string']
      })
      throwsConfigError(() => parseServiceConfig(serviceJson({ rpc: { max_frame_size: '4MiB' } })), {
        key: 'rpc.max_frame_size', includes: ['expected an integer']
      })
      throwsConfigError(() => parseServiceConfig(serviceJson({ cluster: { replication_factor_min: 1.5, replication_factor_max: 2 } })), {
        key: 'cluster.replication_factor_min', includes: ['expected an integer', 'got a number']
      })
      throwsConfigError(() => parseServiceConfig(serviceJson({ restapi: { cors_allowed_methods: 'GET' } })), {
        key: 'api.restapi.cors_allowed_methods', includes: ['expected an array of strings']
      })
      throwsConfigError(() => parseServiceConfig(JSON.stringify({ cluster: { secret: KNOWN_SECRET_HEX, connection_manager: [] } })), {
        key: 'cluster.connection_manager', includes: ['expected an object', 'got an array']
      })
    })

    it('names a bad multiaddr', () => {
      throwsConfigError(() => parseServiceConfig(serviceJson({ cluster: { listen_multiaddress: ['/ip4/0.0.0.0/tcp/9096', '/ip4/300.0.0.1/tcp/1'] } })), {
        key: 'cluster.listen_multiaddress', includes: ['item 1', '/ip4/300.0.0.1/tcp/1', 'not a valid multiaddr'], excludes: [KNOWN_SECRET_HEX]
      })
      throwsConfigError(() => parseServiceConfig(serviceJson({ restapi: { http_listen_multiaddress: 'localhost:9094' } })), {
        key: 'api.restapi.http_listen_multiaddress', includes: ['not a valid multiaddr']
      })
      throwsConfigError(() => parseServiceConfig(serviceJson({ cluster: { listen_multiaddress: [] } })), {
        key: 'cluster.listen_multiaddress', includes: ['at least one']
      })
      throwsConfigError(() => parseServiceConfig(serviceJson({ cluster: { peer_addresses: ['/ip4/10.0.0.1/tcp/9096'] } })), {
        key: 'cluster.peer_addresses', includes: ['/p2p/']
      })
    })

    it('rejects a secret of the wrong length or with non-hex characters, without quoting it', () => {
      for (const secret of [KNOWN_SECRET_HEX.slice(2), KNOWN_SECRET_HEX + 'ab', 'zz' + KNOWN_SECRET_HEX.slice(2)]) {
        throwsConfigError(() => parseServiceConfig(JSON.stringify({ cluster: { secret } })), {
          key: 'cluster.secret',
          includes: ['service.json: cluster.secret: must be 64 hexadecimal characters (32 bytes)'],
          excludes: [secret, secret.slice(0, 16)]
        })
      }
    })

    it('requires the secret', () => {
      throwsConfigError(() => parseServiceConfig(JSON.stringify({ cluster: { peername: 'x' } })), { key: 'cluster.secret', includes: ['missing'] })
    })

    it('names a bad duration', () => {
      throwsConfigError(() => parseServiceConfig(serviceJson({ cluster: { state_sync_interval: '5 minutes' } })), {
        key: 'cluster.state_sync_interval', includes: ['"5 minutes" is not a valid duration']
      })
      throwsConfigError(() => parseServiceConfig(serviceJson({ cluster: { monitor_ping_interval: 15 } })), {
        key: 'cluster.monitor_ping_interval', includes: ['expected a duration string']
      })
      throwsConfigError(() => parseServiceConfig(serviceJson({ cluster: { peer_watch_interval: '0s' } })), {
        key: 'cluster.peer_watch_interval', includes: ['greater than 0']
      })
      throwsConfigError(() => parseServiceConfig(serviceJson({ restapi: { read_timeout: '-1s' } })), {
        key: 'api.restapi.read_timeout', includes: ['negative']
      })
    })

    it('checks rules between keys', () => {
      throwsConfigError(() => parseServiceConfig(serviceJson({ cluster: { replication_factor_min: 3, replication_factor_max: 2 } })), {
        key: 'cluster.replication_factor_min', includes: ['replication_factor_max']
      })
      throwsConfigError(() => parseServiceConfig(serviceJson({ cluster: { replication_factor_min: 2 } })), {
        key: 'cluster.replication_factor_min', includes: ['-1']
      })
      throwsConfigError(() => parseServiceConfig(serviceJson({ cluster: { connection_manager: { low_water: 500, high_water: 400 } } })), {
        key: 'cluster.connection_manager.low_water', includes: ['high_water']
      })
      throwsConfigError(() => parseServiceConfig(serviceJson({ restapi: { ssl_cert_file: 'cert.pem' } })), {
        key: 'api.restapi.ssl_key_file', includes: ['both']
      })
    })

    it('checks values against their own rules', () => {
      throwsConfigError(() => parseServiceConfig(serviceJson({ restapi: { max_header_bytes: 100 } })), { key: 'api.restapi.max_header_bytes', includes: ['4096'] })
      throwsConfigError(() => parseServiceConfig(serviceJson({ restapi: { basic_auth_credentials: {} } })), { key: 'api.restapi.basic_auth_credentials', includes: ['at least one'] })
      throwsConfigError(() => parseServiceConfig(serviceJson({ rpc: { max_frame_size: 10 } })), { key: 'rpc.max_frame_size', includes: ['1024'] })
      throwsConfigError(() => parseServiceConfig(serviceJson({ cluster: { connection_manager: { high_water: 0 } } })), { key: 'cluster.connection_manager.high_water' })
    })

    it('never quotes a password', () => {
      throwsConfigError(() => parseServiceConfig(serviceJson({ restapi: { basic_auth_credentials: { alice: 'hunter2', bob: 42 } } })), {
        key: 'api.restapi.basic_auth_credentials', includes: ['"bob"', 'must be a string'], excludes: ['hunter2', '42']
      })
    })
  })
})
