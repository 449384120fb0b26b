import { strict as assert } from 'node:assert'
import { eventually, metricsReady, startCluster, stopCluster } from '../fixtures/cluster.ts'
import { addContent, clientOf, missingCid } from './client.ts'
import type { Cluster } from '../../src/cluster/cluster.ts'
import type { PinStatusJson } from '../../src/api/pinsvc/types.ts'
import type { PinSvcClient } from './client.ts'

const ALL = 'queued,pinning,pinned,failed'
const PAGING = JSON.stringify({ suite: 'paging' })

describe('Pinning Service API: GET /pins on a 3-peer cluster', function () {
  this.timeout(180_000)
  let peers: Cluster[]
  let api: PinSvcClient
  /** The paging suite's requests, oldest first. */
  const made: PinStatusJson[] = []

  before(async function () {
    peers = await startCluster(3)
    await metricsReady(peers)
    api = clientOf(peers[0] as Cluster)
    for (let i = 0; i < 25; i++) {
      const cid = await addContent(peers[i % 3] as Cluster, `paging ${i}`)
      made.push(await api.add({ cid, name: `File-${String(i).padStart(2, '0')}.txt`, meta: { suite: 'paging', parity: i % 2 === 0 ? 'even' : 'odd', index: String(i) } }))
    }
  })

  after(async function () {
    await stopCluster(peers)
  })

  const ids = (results: PinStatusJson[]): string[] => results.map((r) => r.requestid)
  const newestFirst = (): string[] => ids([...made].reverse())

  it('walks every page with `before`, newest first: no duplicates, no gaps, count = what is left', async function () {
    const seen: string[] = []
    let before: string | undefined
    let pages = 0
    while (true) {
      const page = await api.list({ meta: PAGING, status: ALL, limit: '7', ...(before != null ? { before } : {}) })
      assert.equal(page.count, made.length - seen.length, `page ${pages}`)
      if (page.results.length === 0) break
      assert.ok(page.results.length <= 7)
      seen.push(...ids(page.results))
      before = page.results.at(-1)?.created
      pages++
    }
    assert.equal(pages, 4)
    assert.deepEqual(seen, newestFirst())
  })

  it('`after` and `before` bound the creation dates, both exclusive', async function () {
    const from = made[5] as PinStatusJson
    const to = made[15] as PinStatusJson
    const window = await api.list({ meta: PAGING, status: ALL, after: from.created, before: to.created, limit: '1000' })
    assert.equal(window.count, 9)
    assert.deepEqual(ids(window.results), ids(made.slice(6, 15).reverse()))

    const newer = await api.list({ meta: PAGING, status: ALL, after: (made[19] as PinStatusJson).created })
    assert.equal(newer.count, 5)
    assert.deepEqual(ids(newer.results), ids(made.slice(20).reverse()))

    // a date with an offset and a fraction below the millisecond names the same instants
    const created = Date.parse(to.created)
    const offset = new Date(created + 2 * 3600_000).toISOString().replace('Z', '').replace(/\.(\d{3})$/, '.$10001+02:00')
    const upTo = await api.list({ meta: PAGING, status: ALL, before: offset, limit: '1000' })
    assert.deepEqual(ids(upTo.results), ids(made.slice(0, 16).reverse()))
  })

  it('limit defaults to 10 and goes up to 1000', async function () {
    const first = await api.list({ meta: PAGING, status: ALL })
    assert.equal(first.count, 25)
    assert.deepEqual(ids(first.results), newestFirst().slice(0, 10))
    const all = await api.list({ meta: PAGING, status: ALL, limit: '1000' })
    assert.deepEqual(ids(all.results), newestFirst())
  })

  it('filters by CIDs, given comma-separated or repeated', async function () {
    const picked = [made[3], made[17], made[8]] as PinStatusJson[]
    const expected = ids([...picked].sort((a, b) => b.created.localeCompare(a.created)))
    for (const cid of [picked.map((p) => p.pin.cid).join(','), picked.map((p) => p.pin.cid)]) {
      const list = await api.list({ cid, status: ALL })
      assert.equal(list.count, 3)
      assert.deepEqual(ids(list.results), expected)
    }
    const paged = await api.list({ cid: picked.map((p) => p.pin.cid), status: ALL, limit: '2', before: (made[17] as PinStatusJson).created })
    assert.deepEqual(ids(paged.results), ids([made[8], made[3]] as PinStatusJson[]))
    assert.equal(paged.count, 2)
  })

  it('filters by name: exact by default, iexact, partial, ipartial', async function () {
    const name = async (text: string, match?: string): Promise<string[]> => ids((await api.list({ meta: PAGING, status: ALL, limit: '1000', name: text, ...(match != null ? { match } : {}) })).results)
    assert.deepEqual(await name('File-07.txt'), ids([made[7] as PinStatusJson]))
    assert.deepEqual(await name('file-07.txt'), [])
    assert.deepEqual(await name('file-07.TXT', 'iexact'), ids([made[7] as PinStatusJson]))
    assert.deepEqual(await name('File-1', 'partial'), ids(made.slice(10, 20).reverse()))
    assert.deepEqual(await name('file-1', 'partial'), [])
    assert.deepEqual(await name('FILE-2', 'ipartial'), ids(made.slice(20).reverse()))
  })

  it('filters by meta: every key and value given must match', async function () {
    const odd = await api.list({ meta: JSON.stringify({ suite: 'paging', parity: 'odd' }), status: ALL, limit: '1000' })
    assert.equal(odd.count, 12)
    assert.deepEqual(ids(odd.results), ids(made.filter((_, i) => i % 2 === 1).reverse()))
    const one = await api.list({ meta: JSON.stringify({ parity: 'even', index: '4' }), status: ALL })
    assert.deepEqual(ids(one.results), ids([made[4] as PinStatusJson]))
    assert.equal((await api.list({ meta: JSON.stringify({ parity: 'even', index: '5' }), status: ALL })).count, 0)
  })

  it('filters by status, `pinned` alone when none is given', async function () {
    const meta = { suite: 'status' }
    const pinned = await api.add({ cid: await addContent(peers[1] as Cluster, 'status pinned'), meta })
    // nobody has this content: it stays pinning (or queued) for pin_timeout (2 minutes)
    const pending = await api.add({ cid: await missingCid(), meta })
    const failed = await api.add({ cid: await addContent(peers[2] as Cluster, 'status failed'), meta })
    await (peers[2] as Cluster).rpc.call(undefined, 'Cluster', 'Unpin', failed.pin.cid)

    const listed = async (status?: string): Promise<string[]> => ids((await api.list({ meta: JSON.stringify(meta), ...(status != null ? { status } : {}) })).results)
    await eventually(async () => (await listed()).join() === pinned.requestid, 'only the pinned request is listed by default')
    assert.deepEqual(await listed('pinned'), [pinned.requestid])
    await eventually(async () => (await listed('failed')).join() === failed.requestid, 'the unpinned one is listed as failed')
    assert.deepEqual(await listed('queued,pinning'), [pending.requestid])
    assert.deepEqual(await listed('pinned,failed'), [failed.requestid, pinned.requestid])
    const all = await api.list({ meta: JSON.stringify(meta), status: ALL })
    assert.equal(all.count, 3)
    assert.deepEqual(all.results.map((r) => r.status), ['failed', all.results[1]?.status, 'pinned'])
    assert.ok(['queued', 'pinning'].includes(all.results[1]?.status ?? ''))
  })
})
