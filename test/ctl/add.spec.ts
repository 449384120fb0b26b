import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryBlockstore } from 'blockstore-core/memory'
import { importer } from 'ipfs-unixfs-importer'
import { metricsReady, startCluster, stopCluster } from '../fixtures/cluster.ts'
import { jsonLines, runCtl } from '../fixtures/ctl-runner.ts'
import { main } from '../../src/cli/ctl/ctl.ts'
import type { AddressInfo, Socket } from 'node:net'
import type { CtlRun } from '../fixtures/ctl-runner.ts'
import type { PinJson } from '../../src/api/types.ts'
import type { Cluster } from '../../src/cluster/cluster.ts'

const HELLO_KUBO_V0 = 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o'

describe('cluster-ctl add (3-peer cluster)', function () {
  let peers: Cluster[]
  let host: string
  let dir: string

  before(async function () {
    peers = await startCluster(3)
    await metricsReady(peers)
    host = peers[0]!.restApiUrls[0] as string
    dir = await mkdtemp(join(tmpdir(), 'pincluster-ctl-add-'))
  })

  after(async function () {
    await stopCluster(peers)
    await rm(dir, { recursive: true, force: true })
  })

  const ctl = async (...argv: string[]): Promise<CtlRun> => runCtl(['--host', host, ...argv], { waitPollInterval: 50 })
  const pinGet = async (cid: string): Promise<PinJson> => peers[0]!.rpc.call(undefined, 'Cluster', 'PinGet', cid)
  const pinCount = async (): Promise<number> => {
    let n = 0
    for await (const _ of peers[0]!.rpc.stream(undefined, 'Cluster', 'Pins', undefined)) n++
    return n
  }

  /** A folder: tree/a.txt, tree/sub/b.bin, tree/.hidden, tree/link -> a.txt. */
  async function tree (name: string): Promise<{ path: string, a: Buffer, b: Buffer }> {
    const path = join(dir, name)
    const a = randomBytes(1500)
    const b = randomBytes(400_000)
    await mkdir(join(path, 'sub'), { recursive: true })
    await writeFile(join(path, 'a.txt'), a)
    await writeFile(join(path, 'sub', 'b.bin'), b)
    await writeFile(join(path, '.hidden'), 'secret')
    await symlink('a.txt', join(path, 'link'))
    return { path, a, b }
  }

  it('adds a file, printing `added <cid> <name>`, and pins it with the options given', async function () {
    const file = join(dir, 'hello world.txt')
    await writeFile(file, 'hello world\n')
    const run = await ctl('add', file, '--replication', '2', '--name', 'greeting', '--metadata', 'k=v')
    assert.equal(run.code, 0, run.stderr)
    assert.equal(run.stdout, `added ${HELLO_KUBO_V0} hello world.txt\n`)
    assert.equal(run.stderr, '', 'no progress bar when stderr is not a terminal')
    const pin = await pinGet(HELLO_KUBO_V0)
    assert.equal(pin.name, 'greeting')
    assert.equal(pin.replication_factor_min, 2)
    assert.deepEqual(pin.metadata, { k: 'v' })
    assert.equal(pin.allocations.length, 2)
  })

  it('adds a folder with -r, skipping hidden files unless --hidden, wrapping it with -w', async function () {
    const { path, a, b } = await tree('tree')
    const run = await ctl('add', '-r', '-w', '--cid-version', '1', path)
    assert.equal(run.code, 0, run.stderr)
    const printed = run.stdout.trim().split('\n').map((l) => l.split(' '))
    assert.deepEqual(printed.map((p) => p.slice(2).join(' ')).sort(), ['', 'tree', 'tree/a.txt', 'tree/link', 'tree/sub', 'tree/sub/b.bin'])
    assert.ok(printed.every((p) => p[0] === 'added'))
    let expected = ''
    const source = [{ path: 'tree' }, { path: 'tree/a.txt', content: a }, { path: 'tree/link', link: 'a.txt' }, { path: 'tree/sub' }, { path: 'tree/sub/b.bin', content: b }]
    for await (const e of importer(source, new MemoryBlockstore(), { cidVersion: 1, rawLeaves: true, wrapWithDirectory: true })) expected = e.cid.toString()
    assert.equal(printed.at(-1)?.[1], expected)
    assert.equal((await pinGet(expected)).name, 'tree')

    const hidden = await ctl('add', '-r', '-q', '--hidden', path)
    assert.equal(hidden.code, 0, hidden.stderr)
    assert.equal(hidden.stdout.trim().split('\n').length, 6, 'tree/.hidden is added too')
    assert.ok(hidden.stdout.split('\n').every((l) => l === '' || /^[a-zA-Z0-9]+$/.test(l)), '-q prints CIDs only')
  })

  it('prints only the root with --quieter, and AddedOutput JSON lines with --enc json', async function () {
    const { path } = await tree('tree2')
    const quieter = await ctl('add', '-r', '--quieter', path)
    assert.equal(quieter.code, 0, quieter.stderr)
    assert.equal(quieter.stdout.trim().split('\n').length, 1)
    const json = await ctl('--enc', 'json', 'add', '-r', path, '--stream-channels', 'false')
    assert.equal(json.code, 0, json.stderr)
    const items = jsonLines(json.stdout) as Array<Record<string, unknown>>
    assert.equal(items.length, 5)
    assert.deepEqual(Object.keys(items[0] ?? {}), ['name', 'cid', 'size', 'allocations'])
    assert.equal(items.at(-1)?.cid, quieter.stdout.trim())
  })

  it('waits with --wait until every allocated peer has pinned the root', async function () {
    const file = join(dir, 'wait.bin')
    await writeFile(file, randomBytes(300_000))
    const run = await ctl('add', '--wait', '--rmin', '2', '--rmax', '2', file)
    assert.equal(run.code, 0, run.stderr)
    const cid = run.stdout.trim().split(' ')[1] ?? ''
    assert.match(run.stderr, /PINNED \(2\/2 pinned\)/)
    const status = await peers[0]!.rpc.call(undefined, 'Cluster', 'Status', cid)
    const pinned = Object.values(status.peer_map).filter((p) => p.status === 'pinned')
    assert.equal(pinned.length, 2)
  })

  it('draws a progress bar on stderr when it is a terminal, cleared before each line and at the end', async function () {
    const file = join(dir, 'bar.bin')
    await writeFile(file, randomBytes(3 * 1024 * 1024))
    let stdout = ''
    let stderr = ''
    const code = await main(['--host', host, 'add', file], {
      env: {},
      stdout: { write: (chunk: string) => { stdout += chunk } },
      stderr: Object.assign({ write: (chunk: string) => { stderr += chunk } }, { isTTY: true })
    })
    assert.equal(code, 0, stderr)
    assert.match(stdout, /^added \S+ bar\.bin\n$/)
    assert.match(stderr, /\[#+\.*\] .* \/ 3\.1 MB \(\d+%\)/)
    assert.ok(stderr.endsWith('\r\x1b[K'), 'the bar is cleared at the end')
  })

  it('adds without pinning with --no-pin', async function () {
    const file = join(dir, 'nopin.bin')
    await writeFile(file, randomBytes(1000))
    const count = await pinCount()
    const run = await ctl('add', '--no-pin', file)
    assert.equal(run.code, 0, run.stderr)
    assert.equal(await pinCount(), count)
  })

  it('refuses what it cannot do before sending anything', async function () {
    const count = await pinCount()
    const { path } = await tree('tree3')
    const folder = await ctl('add', path)
    assert.equal(folder.code, 1)
    assert.match(folder.stderr, /is a folder: add it with -r/)
    const missing = await ctl('add', join(dir, 'does-not-exist'))
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /no such file or folder/)
    const nocopy = await ctl('add', '--nocopy', join(path, 'a.txt'))
    assert.equal(nocopy.code, 1)
    assert.match(nocopy.stderr, /--nocopy is not supported/)
    const chunker = await ctl('add', '--chunker', 'size-0', join(path, 'a.txt'))
    assert.equal(chunker.code, 1)
    assert.match(chunker.stderr, /--chunker/)
    const layout = await ctl('add', '--layout', 'flat', join(path, 'a.txt'))
    assert.equal(layout.code, 1)
    assert.equal(await pinCount(), count)
  })

  it('reports what the cluster refuses', async function () {
    const file = join(dir, 'notacar.bin')
    await writeFile(file, randomBytes(100))
    const run = await ctl('add', '--format', 'car', file)
    assert.equal(run.code, 1)
    assert.match(run.stderr, /An error occurred: .*CAR.* \(code 400\)/)
  })
})

describe('cluster-ctl add against a peer that refuses the upload early', function () {
  it('closes the connection it can no longer finish, so neither side holds it open', async function () {
    // answers before reading the body, as a peer refusing an upload at its first bytes does
    const server = createServer((req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ code: 400, message: 'not a CAR' }))
    })
    // no idle timeout: only the client can end the connection
    server.keepAliveTimeout = 0
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const connection = once(server, 'connection') as Promise<[Socket]>
    const dir = await mkdtemp(join(tmpdir(), 'pincluster-ctl-add-early-'))
    try {
      const file = join(dir, 'big.bin')
      await writeFile(file, randomBytes(8 * 1024 * 1024))
      const { port } = server.address() as AddressInfo
      const run = await runCtl(['--host', `/ip4/127.0.0.1/tcp/${port}`, 'add', file])
      assert.equal(run.code, 1)
      assert.match(run.stderr, /not a CAR \(code 400\)/)
      const [socket] = await connection
      // the server may also see the cut body as a parse error: only the close matters
      if (!socket.destroyed) await new Promise((resolve) => socket.once('close', resolve))
    } finally {
      server.closeAllConnections()
      server.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
