import { strict as assert } from 'node:assert'
import { eventually, metricsReady, restartPeer, startCluster, stopCluster } from '../fixtures/cluster.ts'
import { PinSvcClient, addContent, clientOf, inPinset, missingCid } from './client.ts'
import type { Cluster } from '../../src/cluster/cluster.ts'
import type { FailureJson, PinStatusJson } from '../../src/api/pinsvc/types.ts'

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/

describe('Pinning Service API: requests on a 3-peer cluster', function () {
  this.timeout(180_000)
  let peers: Cluster[]
  let api: PinSvcClient

  before(async function () {
    peers = await startCluster(3, undefined, (config) => {
      // content nobody has fails soon
      config.ipfs_connector.embedded.pin_timeout = 1500
    })
    await metricsReady(peers)
    api = clientOf(peers[0] as Cluster)
  })

  after(async function () {
    await stopCluster(peers)
  })

  it('POST /pins answers 202 with a PinStatus whose request id is not the CID, and pins the CID in the cluster', async function () {
    const cid = await addContent(peers[1] as Cluster, 'create')
    const res = await api.request<PinStatusJson>('POST', '/pins', { cid, name: 'precious.pdf', origins: [], meta: { app_id: 'create' } })
    assert.equal(res.status, 202)
    const status = res.body
    assert.deepEqual(Object.keys(status), ['requestid', 'status', 'created', 'pin', 'delegates', 'info'])
    assert.match(status.requestid, ULID)
    assert.notEqual(status.requestid, cid)
    assert.ok(['queued', 'pinning', 'pinned'].includes(status.status), status.status)
    assert.ok(Math.abs(Date.parse(status.created) - Date.now()) < 60_000, status.created)
    assert.deepEqual(status.pin, { cid, name: 'precious.pdf', origins: [], meta: { app_id: 'create' } })
    assert.ok(status.delegates.length >= 1)
    for (const addr of status.delegates) assert.match(addr, /\/p2p\/\w+$/)

    const pin = await (peers[2] as Cluster).rpc.call(undefined, 'Cluster', 'PinGet', cid)
    assert.equal(pin.name, 'precious.pdf')
    assert.deepEqual(pin.metadata, { app_id: 'create' })
    assert.deepEqual(await api.get(status.requestid).then((s) => ({ ...s, status: '', delegates: [] })), { ...status, status: '', delegates: [] })
  })

  it('the status moves to pinned, with the allocated peers\' IPFS nodes as delegates', async function () {
    const cid = await addContent(peers[2] as Cluster, 'pinned')
    const created = await api.add({ cid })
    let last: PinStatusJson | undefined
    await eventually(async () => (last = await api.get(created.requestid)).status === 'pinned', 'the request is pinned')
    const ipfsAddresses = await Promise.all(peers.map(async (p) => (await p.rpc.call(undefined, 'IPFSConnector', 'ID', undefined)).addresses))
    // replication -1: every peer's node holds it
    assert.deepEqual(new Set(last?.delegates), new Set(ipfsAddresses.flat()))
    assert.deepEqual(last?.info, {})
  })

  it('the recorded status follows the cluster without anyone asking: listing by status finds the request once pinned', async function () {
    const cid = await addContent(peers[1] as Cluster, 'sync')
    const created = await api.add({ cid, meta: { test: 'sync' } })
    await eventually(async () => (await api.list({ meta: '{"test":"sync"}' })).results.some((r) => r.requestid === created.requestid), 'the request is listed as pinned')
  })

  it('content nobody has ends failed, saying why', async function () {
    const created = await api.add({ cid: await missingCid() })
    let last: PinStatusJson | undefined
    await eventually(async () => (last = await api.get(created.requestid)).status === 'failed', 'the request failed')
    assert.match(last?.info.status_details ?? '', /pin_error/)
  })

  it('two requests for one CID get their own ids; the cluster pin stays until the last one is deleted', async function () {
    const cid = await addContent(peers[0] as Cluster, 'shared')
    const first = await api.add({ cid, name: 'first' })
    const second = await clientOf(peers[0] as Cluster).add({ cid, name: 'second' })
    assert.notEqual(first.requestid, second.requestid)
    assert.notEqual(first.created, second.created)
    const both = await api.list({ cid, status: 'queued,pinning,pinned,failed' })
    assert.deepEqual(both.results.map((r) => [r.requestid, r.pin.name]), [[second.requestid, 'second'], [first.requestid, 'first']])

    await api.remove(first.requestid)
    assert.equal(await inPinset(peers[0] as Cluster, cid), true, 'the other request keeps the cluster pin')
    await eventually(async () => await inPinset(peers[1] as Cluster, cid), 'another peer sees the pin')
    await eventually(async () => (await api.get(second.requestid)).status === 'pinned', 'the remaining request is pinned')
    const gone = await api.request<FailureJson>('GET', `/pins/${first.requestid}`)
    assert.equal(gone.status, 404)
    assert.equal(gone.body.error.reason, 'NOT_FOUND')

    await api.remove(second.requestid)
    assert.equal(await inPinset(peers[0] as Cluster, cid), false)
    assert.equal((await api.request('DELETE', `/pins/${second.requestid}`)).status, 404)
    assert.equal((await api.list({ cid, status: 'queued,pinning,pinned,failed' })).count, 0)
  })

  it('a request whose CID was unpinned by other means shows failed', async function () {
    const cid = await addContent(peers[0] as Cluster, 'unpinned-elsewhere')
    const created = await api.add({ cid })
    await (peers[1] as Cluster).rpc.call(undefined, 'Cluster', 'Unpin', cid)
    let status: PinStatusJson | undefined
    await eventually(async () => (status = await api.get(created.requestid)).status === 'failed', 'the request failed')
    assert.match(status?.info.status_details ?? '', /not in the cluster pinset/)
  })

  describe('replace (POST /pins/{requestid})', function () {
    it('gives a new request id, removes the old request and unpins the old CID', async function () {
      const oldCid = await addContent(peers[0] as Cluster, 'replace-old')
      const newCid = await addContent(peers[0] as Cluster, 'replace-new')
      const old = await api.add({ cid: oldCid, name: 'v1' })
      const res = await api.request<PinStatusJson>('POST', `/pins/${old.requestid}`, { cid: newCid, name: 'v2', meta: { v: '2' } })
      assert.equal(res.status, 202)
      assert.notEqual(res.body.requestid, old.requestid)
      assert.ok(res.body.created > old.created)
      assert.deepEqual(res.body.pin, { cid: newCid, name: 'v2', origins: [], meta: { v: '2' } })
      assert.equal((await api.request('GET', `/pins/${old.requestid}`)).status, 404)
      // committed through the leader; another peer applies it soon after
      await eventually(async () => !(await inPinset(peers[1] as Cluster, oldCid)) && await inPinset(peers[1] as Cluster, newCid), 'another peer sees the new CID pinned and the old one not')
      await eventually(async () => (await api.get(res.body.requestid)).status === 'pinned', 'the new pin is pinned')
    })

    it('keeps the cluster pin of a CID another request still wants, and of a CID replaced by itself', async function () {
      const cid = await addContent(peers[0] as Cluster, 'replace-shared')
      const other = await addContent(peers[0] as Cluster, 'replace-other')
      const keeper = await api.add({ cid })
      const moving = await api.add({ cid, name: 'moving' })
      const renamed = await api.replace(moving.requestid, { cid, name: 'renamed' })
      assert.equal(renamed.pin.name, 'renamed')
      assert.equal(await inPinset(peers[0] as Cluster, cid), true)
      const moved = await api.replace(renamed.requestid, { cid: other })
      assert.equal(await inPinset(peers[0] as Cluster, cid), true)
      assert.equal(await inPinset(peers[0] as Cluster, other), true)
      await api.remove(keeper.requestid)
      assert.equal(await inPinset(peers[0] as Cluster, cid), false)
      await api.remove(moved.requestid)
      assert.equal(await inPinset(peers[0] as Cluster, other), false)
    })

    it('of an unknown request is a 404 and pins nothing', async function () {
      const cid = await addContent(peers[0] as Cluster, 'replace-unknown')
      const res = await api.request<FailureJson>('POST', '/pins/01ARZ3NDEKTSV4RRFFQ69G5FAV', { cid })
      assert.equal(res.status, 404)
      assert.equal(res.body.error.reason, 'NOT_FOUND')
      assert.equal(await inPinset(peers[0] as Cluster, cid), false)
    })
  })

  describe('malformed input: 400 with the spec\'s Failure, and nothing changes', function () {
    const long = 'x'.repeat(256)
    const manyMeta = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, 'v']))
    const origins21 = Array.from({ length: 21 }, (_, i) => `/ip4/10.0.0.${i}/tcp/4001`)
    const bodies: Array<[string, unknown]> = [
      ['no cid', { name: 'x' }],
      ['a cid that is not one', { cid: 'not-a-cid' }],
      ['a cid that is a number', { cid: 42 }],
      ['a name of 256 characters', { cid: 'CID', name: long }],
      ['a name that is not a string', { cid: 'CID', name: 7 }],
      ['origins that are not an array', { cid: 'CID', origins: '/ip4/1.2.3.4/tcp/1' }],
      ['21 origins', { cid: 'CID', origins: origins21 }],
      ['an origin that is not a multiaddr', { cid: 'CID', origins: ['nope'] }],
      ['meta that is not an object', { cid: 'CID', meta: ['a'] }],
      ['a meta value that is not a string', { cid: 'CID', meta: { a: 1 } }],
      ['meta with 1,001 entries', { cid: 'CID', meta: manyMeta }],
      ['a body that is an array', ['CID']],
      ['a body that is not JSON', '{"cid": '],
      ['no body', undefined]
    ]
    for (const [what, template] of bodies) {
      it(`POST /pins with ${what}`, async function () {
        const cid = await addContent(peers[0] as Cluster, what)
        const body = JSON.parse(JSON.stringify(template ?? null)?.replaceAll('"CID"', JSON.stringify(cid)) ?? 'null') as unknown
        const before = await api.list({ status: 'queued,pinning,pinned,failed', limit: '1000' })
        const res = await api.request<FailureJson>('POST', '/pins', typeof template === 'string' ? template : template === undefined ? undefined : body, template === undefined ? { 'content-type': 'application/json' } : {})
        assert.equal(res.status, 400, res.text)
        assert.equal(res.body.error.reason, 'BAD_REQUEST')
        assert.ok((res.body.error.details ?? '').length > 0)
        assert.equal(await inPinset(peers[0] as Cluster, cid), false)
        assert.deepEqual(await api.list({ status: 'queued,pinning,pinned,failed', limit: '1000' }).then((l) => l.count), before.count)
      })
    }

    const queries: Array<[string, Record<string, string | string[]>]> = [
      ['limit 0', { limit: '0' }],
      ['limit 1001', { limit: '1001' }],
      ['limit abc', { limit: 'abc' }],
      ['an unknown status', { status: 'pinned,done' }],
      ['an unknown match', { name: 'x', match: 'regex' }],
      ['a before that is not a date', { before: 'yesterday' }],
      ['an after with month 13', { after: '2020-13-01T00:00:00Z' }],
      ['a cid that is not one', { cid: 'bafy-not' }],
      ['11 cids', { cid: Array.from({ length: 11 }, () => 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy') }],
      ['meta that is not JSON', { meta: '{app_id' }],
      ['meta that is an array', { meta: '["a"]' }],
      ['a name of 256 characters', { name: long }]
    ]
    for (const [what, query] of queries) {
      it(`GET /pins with ${what}`, async function () {
        const res = await api.request<FailureJson>('GET', '/pins?' + new URLSearchParams(Object.entries(query).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => [k, x]))).toString())
        assert.equal(res.status, 400, res.text)
        assert.deepEqual(Object.keys(res.body.error), ['reason', 'details'])
        assert.equal(res.body.error.reason, 'BAD_REQUEST')
      })
    }

    it('a request id that is not one of ours: 400 on GET, POST and DELETE, and a well-formed unknown one: 404', async function () {
      const cid = await addContent(peers[0] as Cluster, 'bad-id')
      for (const method of ['GET', 'POST', 'DELETE']) {
        const res = await api.request<FailureJson>(method, `/pins/${cid}`, method === 'POST' ? { cid } : undefined)
        assert.equal(res.status, 400, `${method}: ${res.text}`)
        assert.equal(res.body.error.reason, 'BAD_REQUEST')
        const unknown = await api.request<FailureJson>(method, '/pins/01ARZ3NDEKTSV4RRFFQ69G5FAV', method === 'POST' ? { cid } : undefined)
        assert.equal(unknown.status, 404, `${method}: ${unknown.text}`)
      }
      assert.equal(await inPinset(peers[0] as Cluster, cid), false)
    })

    it('an unknown path and a method the spec does not have keep the Failure shape', async function () {
      const missing = await api.request<FailureJson>('GET', '/nothing')
      assert.equal(missing.status, 404)
      assert.equal(missing.body.error.reason, 'NOT_FOUND')
      const put = await api.request<FailureJson>('PUT', '/pins', {})
      assert.equal(put.status, 405)
      assert.equal(put.headers.get('allow'), 'GET, POST')
      assert.equal(put.body.error.reason, 'METHOD_NOT_ALLOWED')
    })
  })

  it('requests survive a restart of the peer, with their ids, dates and order', async function () {
    const peer = peers[1] as Cluster
    const client = clientOf(peer)
    const made: PinStatusJson[] = []
    for (let i = 0; i < 3; i++) made.push(await client.add({ cid: await addContent(peer, `restart ${i}`), name: `restart ${i}`, meta: { test: 'restart' } }))
    const query = { meta: '{"test":"restart"}', status: 'queued,pinning,pinned,failed' }
    const before = await client.list(query)

    const again = await restartPeer(peer)
    peers[1] = again
    const after = await clientOf(again).list(query)
    const view = (l: typeof before): unknown => l.results.map((r) => [r.requestid, r.created, r.pin])
    assert.equal(after.count, 3)
    assert.deepEqual(view(after), view(before))
    assert.deepEqual(after.results.map((r) => r.requestid), made.map((m) => m.requestid).reverse())
    const newer = await clientOf(again).add({ cid: await addContent(again, 'after restart') })
    assert.ok(newer.created > (made[2] as PinStatusJson).created)
    assert.ok(newer.requestid > (made[2] as PinStatusJson).requestid)
  })
})
