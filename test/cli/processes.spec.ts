import { strict as assert } from 'node:assert'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { CTL_BIN, SERVICE_BIN, run, startDaemon, stopDaemon } from '../fixtures/processes.ts'
import type { Daemon } from '../fixtures/processes.ts'
import type { IDJson } from '../../src/api/types.ts'

describe('cluster-service and cluster-ctl as real processes', function () {
  this.timeout(120_000)
  let root: string
  const daemons: Daemon[] = []

  before(async function () {
    root = await mkdtemp(join(tmpdir(), 'pincluster-proc-'))
  })

  after(async function () {
    await Promise.allSettled(daemons.map(async (d) => stopDaemon(d, 'SIGKILL')))
    await rm(root, { recursive: true, force: true })
  })

  it('init, daemon, cluster-ctl id / peers ls / version, then SIGTERM exits 0', async function () {
    const folder = join(root, 'a')
    const init = await run(SERVICE_BIN, ['--config', folder, 'init', '--randomports'])
    assert.equal(init.code, 0, init.stderr)
    const peerId = /peer id: (\S+)/.exec(init.stdout)?.[1]
    assert.ok(peerId != null, init.stdout)

    const daemon = await startDaemon(folder)
    daemons.push(daemon)

    const id = await run(CTL_BIN, ['--host', daemon.restUrl, 'id'])
    assert.equal(id.code, 0, id.stderr)
    assert.match(id.stdout, new RegExp(`^${peerId}`))

    const idJson = await run(CTL_BIN, ['--host', daemon.restUrl, '--enc', 'json', 'id'])
    assert.equal((JSON.parse(idJson.stdout) as IDJson).id, peerId)

    const peers = await run(CTL_BIN, ['--host', daemon.restUrl, 'peers', 'ls'])
    assert.equal(peers.code, 0, peers.stderr)
    assert.ok(peers.stdout.includes(peerId))

    const version = await run(CTL_BIN, ['--host', daemon.restUrl, 'version'])
    assert.equal(version.code, 0, version.stderr)
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    assert.equal(version.stdout.trim(), pkg.version)

    assert.equal(await stopDaemon(daemon, 'SIGTERM'), 0)
  })

  it('a second daemon started with --bootstrap joins the first', async function () {
    const first = join(root, 'b1')
    const second = join(root, 'b2')
    assert.equal((await run(SERVICE_BIN, ['--config', first, 'init', '--randomports'])).code, 0)
    const secret = (JSON.parse(await readFile(join(first, 'service.json'), 'utf8')) as { cluster: { secret: string } }).cluster.secret
    assert.equal((await run(SERVICE_BIN, ['--config', second, 'init', '--randomports', '--custom-secret', secret])).code, 0)

    const a = await startDaemon(first)
    daemons.push(a)
    const b = await startDaemon(second, ['--bootstrap', a.swarm])
    daemons.push(b)

    const peers = await run(CTL_BIN, ['--host', a.restUrl, '--enc', 'json', 'peers', 'ls'])
    assert.equal(peers.code, 0, peers.stderr)
    const ids = peers.stdout.trim().split('\n').map((l) => (JSON.parse(l) as IDJson).id)
    assert.equal(ids.length, 2)
    assert.equal(await stopDaemon(b, 'SIGINT'), 0)
    assert.equal(await stopDaemon(a, 'SIGTERM'), 0)
  })

  it('init refuses to overwrite without --force', async function () {
    const folder = join(root, 'c')
    assert.equal((await run(SERVICE_BIN, ['--config', folder, 'init'])).code, 0)
    const before = await readFile(join(folder, 'identity.json'), 'utf8')
    const again = await run(SERVICE_BIN, ['--config', folder, 'init'])
    assert.notEqual(again.code, 0)
    assert.match(again.stderr, /--force/)
    assert.equal(await readFile(join(folder, 'identity.json'), 'utf8'), before)
    assert.equal((await run(SERVICE_BIN, ['--config', folder, 'init', '--force'])).code, 0)
    assert.notEqual(await readFile(join(folder, 'identity.json'), 'utf8'), before)
  })

  it('a broken service.json stops the daemon with a message naming the problem', async function () {
    const folder = join(root, 'd')
    assert.equal((await run(SERVICE_BIN, ['--config', folder, 'init', '--randomports'])).code, 0)
    const path = join(folder, 'service.json')
    const good = JSON.parse(await readFile(path, 'utf8')) as { cluster: Record<string, unknown> }
    const secret = good.cluster.secret as string

    const cases: Array<[string, RegExp]> = [
      ['{ "cluster": ', /service\.json.*JSON/i],
      [JSON.stringify({ ...good, cluster: { ...good.cluster, secret: secret.slice(0, 10) } }), /cluster\.secret/],
      [JSON.stringify({ ...good, cluster: { ...good.cluster, listen_multiaddress: ['not-a-multiaddr'] } }), /cluster\.listen_multiaddress/],
      [JSON.stringify({ ...good, cluster: { ...good.cluster, leave_on_shutdown: 'yes please' } }), /cluster\.leave_on_shutdown/]
    ]
    for (const [text, message] of cases) {
      await writeFile(path, text)
      const result = await run(SERVICE_BIN, ['--config', folder, 'daemon'])
      assert.notEqual(result.code, 0)
      assert.match(result.stderr, message)
      assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`)
      assert.ok(!result.stderr.includes(secret.slice(0, 10)), 'the secret is not shown')
    }
  })
})

describe('cluster-service with a damaged Raft log', function () {
  this.timeout(120_000)
  let root: string

  before(async function () {
    root = await mkdtemp(join(tmpdir(), 'pincluster-corrupt-'))
  })

  after(async function () {
    await rm(root, { recursive: true, force: true })
  })

  it('refuses to start, naming the bad entry, and applies nothing', async function () {
    const folder = join(root, 'p')
    assert.equal((await run(SERVICE_BIN, ['--config', folder, 'init', '--randomports'])).code, 0)
    const daemon = await startDaemon(folder)
    const pin = await fetch(`${daemon.restUrl}/pins/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy`, { method: 'POST' })
    assert.equal(pin.status, 200)
    assert.equal(await stopDaemon(daemon), 0)

    // flip one byte in the last log entry, as a torn write or a bad disk would
    const db = new ClassicLevel<Uint8Array, Uint8Array>(join(folder, 'raft', 'log'), { keyEncoding: 'view', valueEncoding: 'view' })
    await db.open()
    let last: [Uint8Array, Uint8Array] | undefined
    for await (const entry of db.iterator({ gte: Uint8Array.of(0x65), lt: Uint8Array.of(0x66) })) last = entry
    assert.ok(last != null, 'the log has entries')
    const damaged = Uint8Array.from(last[1])
    damaged[damaged.length - 1] = (damaged[damaged.length - 1] ?? 0) ^ 0xff
    await db.put(last[0], damaged)
    await db.close()

    const result = await run(SERVICE_BIN, ['--config', folder, 'daemon'])
    assert.notEqual(result.code, 0)
    assert.match(result.stderr, /raft log/i)
    assert.match(result.stderr, /entry \d+ is corrupt/)
  })
})
