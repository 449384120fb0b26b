import { strict as assert } from 'node:assert'
import { chmod, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { configFolder, initConfig, loadConfig, serializeServiceConfig } from '../../src/config/index.ts'
import { KNOWN_SECRET_HEX, TempFolders, checkConfigError, rejectsConfigError } from './helpers.ts'
import type { ConfigError } from '../../src/config/index.ts'

async function mode (path: string): Promise<number> {
  return (await stat(path)).mode & 0o777
}

async function canListen (port: number, host: string): Promise<boolean> {
  return new Promise(resolve => {
    const server = createServer()
    server.once('error', () => { resolve(false) })
    server.listen(port, host, () => { server.close(() => { resolve(true) }) })
  })
}

describe('config: the folder', () => {
  const temp = new TempFolders()
  after(async () => { await temp.removeAll() })

  describe('configFolder', () => {
    it('prefers the flag, then IPFS_CLUSTER_PATH, then ~/.ipfs-cluster', () => {
      assert.equal(configFolder('/from/flag', { IPFS_CLUSTER_PATH: '/from/env' }), '/from/flag')
      assert.equal(configFolder(undefined, { IPFS_CLUSTER_PATH: '/from/env' }), '/from/env')
      assert.equal(configFolder('', { IPFS_CLUSTER_PATH: '/from/env' }), '/from/env')
      assert.equal(configFolder(undefined, {}), join(homedir(), '.ipfs-cluster'))
      assert.equal(configFolder(undefined, { IPFS_CLUSTER_PATH: '' }), join(homedir(), '.ipfs-cluster'))
    })

    it('makes a relative path absolute', () => {
      assert.equal(configFolder('relative/dir', {}), resolve('relative/dir'))
    })
  })

  describe('initConfig', () => {
    it('creates the folder and both files, readable by the owner only', async () => {
      const folder = join(await temp.make(), 'nested', 'cluster')
      const result = await initConfig(folder, { peername: 'peer-one' })
      assert.equal(result.servicePath, join(folder, 'service.json'))
      assert.equal(result.identityPath, join(folder, 'identity.json'))
      assert.equal(await mode(result.servicePath), 0o600)
      assert.equal(await mode(result.identityPath), 0o600)
      const service = JSON.parse(await readFile(result.servicePath, 'utf8'))
      assert.equal(service.cluster.peername, 'peer-one')
      assert.match(service.cluster.secret, /^[0-9a-f]{64}$/)
      assert.deepEqual(service.cluster.listen_multiaddress, ['/ip4/0.0.0.0/tcp/9096'])
      assert.deepEqual(service.api.restapi.http_listen_multiaddress, ['/ip4/127.0.0.1/tcp/9094'])
      assert.equal(JSON.parse(await readFile(result.identityPath, 'utf8')).id, result.peerId)
    })

    it('makes a fresh secret and identity each time', async () => {
      const a = await initConfig(await temp.make())
      const b = await initConfig(await temp.make())
      assert.notEqual(a.peerId, b.peerId)
      const secretA = JSON.parse(await readFile(a.servicePath, 'utf8')).cluster.secret
      const secretB = JSON.parse(await readFile(b.servicePath, 'utf8')).cluster.secret
      assert.notEqual(secretA, secretB)
    })

    it('refuses to overwrite either file without force, and overwrites with it', async () => {
      const folder = await temp.make()
      const first = await initConfig(folder)
      const before = await readFile(first.servicePath, 'utf8')
      await rejectsConfigError(initConfig(folder), { key: '', includes: ['service.json', 'already exists', '--force'] })
      assert.equal(await readFile(first.servicePath, 'utf8'), before)

      const identityOnly = await temp.make()
      await writeFile(join(identityOnly, 'identity.json'), '{}')
      await rejectsConfigError(initConfig(identityOnly), { key: '', includes: ['identity.json', '--force'] })

      await chmod(first.servicePath, 0o644)
      const second = await initConfig(folder, { force: true })
      assert.notEqual(second.peerId, first.peerId)
      assert.notEqual(await readFile(first.servicePath, 'utf8'), before)
      assert.equal(await mode(second.servicePath), 0o600)
      assert.equal((await loadConfig(folder, {})).identity.id, second.peerId)
    })

    it('uses a given secret, validated like the file', async () => {
      const folder = await temp.make()
      await initConfig(folder, { secret: KNOWN_SECRET_HEX.toUpperCase() })
      assert.equal(JSON.parse(await readFile(join(folder, 'service.json'), 'utf8')).cluster.secret, KNOWN_SECRET_HEX)

      const short = KNOWN_SECRET_HEX.slice(2)
      const other = await temp.make()
      await rejectsConfigError(initConfig(other, { secret: short }), { key: 'cluster.secret', includes: ['64 hexadecimal characters'], excludes: [short] })
      await assert.rejects(stat(join(other, 'service.json')), { code: 'ENOENT' })
    })

    it('picks free ports with randomPorts, keeping the hosts', async () => {
      const folder = await temp.make()
      await initConfig(folder, { randomPorts: true })
      const { service } = await loadConfig(folder, {})
      const [clusterAddr] = service.cluster.listen_multiaddress
      const [apiAddr] = service.api.restapi.http_listen_multiaddress
      assert.ok(clusterAddr !== undefined && apiAddr !== undefined)
      const cluster = multiaddr(clusterAddr).getComponents()
      const api = multiaddr(apiAddr).getComponents()
      assert.equal(cluster[0]?.value, '0.0.0.0')
      assert.equal(api[0]?.value, '127.0.0.1')
      const clusterPort = Number(cluster[1]?.value)
      const apiPort = Number(api[1]?.value)
      assert.notEqual(clusterPort, 9096)
      assert.notEqual(apiPort, 9094)
      assert.notEqual(clusterPort, apiPort)
      assert.ok(await canListen(clusterPort, '127.0.0.1'), 'the cluster port was released')
      assert.ok(await canListen(apiPort, '127.0.0.1'), 'the API port was released')
    })

    it('stops when aborted, writing nothing', async () => {
      const folder = await temp.make()
      const controller = new AbortController()
      controller.abort()
      await assert.rejects(initConfig(folder, { signal: controller.signal }), { name: 'AbortError' })
      await assert.rejects(stat(join(folder, 'service.json')), { code: 'ENOENT' })
    })
  })

  describe('loadConfig', () => {
    let folder: string
    let secretHex: string
    let servicePath: string
    let identityPath: string
    let goodService: string
    let goodIdentity: string

    before(async () => {
      folder = await temp.make()
      const result = await initConfig(folder, { secret: KNOWN_SECRET_HEX })
      secretHex = KNOWN_SECRET_HEX
      servicePath = result.servicePath
      identityPath = result.identityPath
      goodService = await readFile(servicePath, 'utf8')
      goodIdentity = await readFile(identityPath, 'utf8')
    })

    afterEach(async () => {
      await writeFile(servicePath, goodService)
      await writeFile(identityPath, goodIdentity)
    })

    /** Writes service.json with one change to the parsed good file. */
    async function writeService (change: (json: any) => void): Promise<void> {
      const json = JSON.parse(goodService)
      change(json)
      await writeFile(servicePath, JSON.stringify(json, null, 2))
    }

    async function loadFails (key: string, includes: string[]): Promise<ConfigError> {
      return rejectsConfigError(loadConfig(folder, {}), { key, includes, excludes: [secretHex, secretHex.slice(0, 16)] })
    }

    it('loads what init wrote', async () => {
      const loaded = await loadConfig(folder, {})
      assert.equal(loaded.folder, resolve(folder))
      assert.equal(Buffer.from(loaded.service.cluster.secret).toString('hex'), secretHex)
      assert.equal(loaded.identity.id, JSON.parse(goodIdentity).id)
      assert.equal(serializeServiceConfig(loaded.service), goodService)
    })

    it('applies environment overrides without writing them to the file', async () => {
      const loaded = await loadConfig(folder, { CLUSTER_PEERNAME: 'from-env', CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS: '/ip4/127.0.0.1/tcp/7777' })
      assert.equal(loaded.service.cluster.peername, 'from-env')
      assert.deepEqual(loaded.service.api.restapi.http_listen_multiaddress, ['/ip4/127.0.0.1/tcp/7777'])
      assert.equal(await readFile(servicePath, 'utf8'), goodService)
    })

    it('names service.json when its JSON is broken', async () => {
      await writeFile(servicePath, goodService.replace('"leave_on_shutdown": false,', '"leave_on_shutdown": false'))
      const err = await loadFails('', ['service.json', 'not valid JSON', 'line 6 column 5'])
      assert.ok(err.message.startsWith(servicePath))
    })

    it('names the key of a wrong type', async () => {
      await writeService(json => { json.cluster.replication_factor_max = '3' })
      await loadFails('cluster.replication_factor_max', ['service.json', 'expected an integer, got a string'])
    })

    it('names the key of a bad multiaddr', async () => {
      await writeService(json => { json.cluster.listen_multiaddress = '/ip4/0.0.0.0/tcp/port' })
      await loadFails('cluster.listen_multiaddress', ['service.json', 'not a valid multiaddr'])
    })

    it('names the key of a secret of the wrong length', async () => {
      await writeService(json => { json.cluster.secret = secretHex + '00' })
      await loadFails('cluster.secret', ['service.json', 'must be 64 hexadecimal characters (32 bytes)'])
    })

    it('names the key of a bad duration', async () => {
      await writeService(json => { json.api.restapi.idle_timeout = '2 minutes' })
      await loadFails('api.restapi.idle_timeout', ['service.json', 'not a valid duration'])
    })

    it('names identity.json when its id does not match its key', async () => {
      const other = JSON.parse(await readFile((await initConfig(await temp.make())).identityPath, 'utf8'))
      await writeFile(identityPath, JSON.stringify({ id: other.id, private_key: JSON.parse(goodIdentity).private_key }))
      const err = await loadFails('id', ['identity.json', 'does not match private_key'])
      assert.ok(!err.message.includes(JSON.parse(goodIdentity).private_key))
    })

    it('tells to run init when a file is missing', async () => {
      for (const missing of ['service.json', 'identity.json']) {
        const empty = await temp.make()
        const result = await initConfig(empty)
        await rm(join(empty, missing))
        const err = await rejectsConfigError(loadConfig(empty, {}), { key: '', includes: [missing, 'not found', 'cluster-service init'] })
        assert.ok(err.message.startsWith(missing === 'service.json' ? result.servicePath : result.identityPath))
      }
    })

    it('names the environment variable of a bad override', async () => {
      try {
        await loadConfig(folder, { CLUSTER_RESTAPI_READTIMEOUT: 'soon' })
        assert.fail('expected a ConfigError')
      } catch (err) {
        checkConfigError(err, { key: 'api.restapi.read_timeout', includes: ['environment variable CLUSTER_RESTAPI_READTIMEOUT', 'not a valid duration'] })
      }
    })
  })
})
