import { strict as assert } from 'node:assert'
import { RestApi } from '../../src/api/rest/index.ts'
import { fetchRaw, firstChunk, open } from '../fixtures/http-client.ts'
import { CIDS, ClusterRpcMock, startRestOnMock } from '../fixtures/rpc-mock.ts'
import {
  GLOBAL_PIN_INFO_FIELDS, PIN_INFO_SHORT_FIELDS, fakeGlobal, fakePinInfo, fakeShort, reversed
} from '../fixtures/status.ts'
import type { GlobalPinInfoJson, PinInfoJson } from '../../src/api/types.ts'
import type { StatusAllRequest } from '../../src/rpc-api.ts'
import type { RawResponse } from '../fixtures/http-client.ts'

/** Asserts a `{code, message}` answer with this status, and returns the message. */
function errorMessage (res: RawResponse, status: number): string {
  assert.equal(res.status, status, res.body)
  const body = JSON.parse(res.body)
  assert.deepEqual(Object.keys(body), ['code', 'message'])
  assert.equal(body.code, status)
  return body.message
}

/** NDJSON lines, checking the framing: one object per line, every line ended, no blank line. */
function ndjson (res: RawResponse): unknown[] {
  assert.equal(res.status, 200, res.body)
  assert.equal(res.headers['content-type'], 'application/x-ndjson')
  assert.equal(res.headers.trailer?.toLowerCase(), 'x-stream-error')
  assert.ok(res.body.endsWith('\n'), res.body)
  const lines = res.body.slice(0, -1).split('\n')
  for (const line of lines) assert.notEqual(line.trim(), '')
  return lines.map((line) => JSON.parse(line))
}

/** The status of one peer as it is written: fields in IPFS Cluster's order. */
function assertFieldOrder (info: GlobalPinInfoJson): void {
  assert.deepEqual(Object.keys(info), GLOBAL_PIN_INFO_FIELDS)
  for (const short of Object.values(info.peer_map)) {
    assert.deepEqual(Object.keys(short), PIN_INFO_SHORT_FIELDS.filter((f) => Object.hasOwn(short, f)))
  }
}

/** What `?local=true` answers for a PinInfo: IPFS Cluster's PinInfo.ToGlobal. */
function toGlobal (info: PinInfoJson): GlobalPinInfoJson {
  const { cid, name, peer, allocations, origins, created, metadata, ...short } = info
  return { cid, name, allocations, origins, created, metadata, peer_map: { [peer]: short } }
}

function streamOf<T> (items: T[], failAfter?: string): () => AsyncGenerator<T> {
  return async function * () {
    for (const item of items) yield item
    if (failAfter !== undefined) throw new Error(failAfter)
  }
}

describe('REST API pin status and recover', function () {
  let mock: ClusterRpcMock
  let api: RestApi
  let url: string
  let self: string
  let other: string

  before(async function () {
    ;({ mock, api, url } = await startRestOnMock({ otherPeers: 1 }))
    self = mock.peerId.toString()
    other = mock.otherPeers[0]!.toString()
  })

  after(async function () {
    await api.stop()
  })

  afterEach(function () {
    mock.reset()
  })

  const get = async (path: string): Promise<RawResponse> => fetchRaw(`${url}${path}`)
  const post = async (path: string): Promise<RawResponse> => fetchRaw(`${url}${path}`, { method: 'POST' })
  /** Every RPC method behind these routes fails the test if called. */
  const noRpc = (): void => {
    for (const method of ['Status', 'StatusLocal', 'Recover', 'RecoverLocal'] as const) {
      mock.cluster[method] = async () => { throw new Error(`Cluster.${method} must not be called`) }
    }
    for (const method of ['StatusAll', 'StatusAllLocal', 'RecoverAll', 'RecoverAllLocal'] as const) {
      mock.cluster[method] = () => { throw new Error(`Cluster.${method} must not be called`) }
    }
  }

  describe('GET /pins', function () {
    it('streams Cluster.StatusAll as NDJSON, IPFS Cluster field names in order, with an empty trailer', async function () {
      const infos = [
        fakeGlobal(CIDS.v0, { [self]: 'pinned', [other]: 'pinning' }, { name: 'first', allocations: [self, other] }),
        fakeGlobal(CIDS.v1, { [self]: fakeShort(self, 'pin_error', { error: 'timed out', attempt_count: 2 }), [other]: 'remote' },
          { metadata: { k: 'v' } })
      ]
      const args: StatusAllRequest[] = []
      mock.cluster.StatusAll = (arg) => {
        args.push(arg)
        return streamOf(infos.map(reversed))()
      }
      const res = await get('/pins')
      const items = ndjson(res) as GlobalPinInfoJson[]
      assert.deepEqual(items, infos)
      items.forEach(assertFieldOrder)
      assert.equal(res.trailers['x-stream-error'], '')
      // no filter: every status; no cids: every pin
      assert.deepEqual(args, [{ filter: [] }])
    })

    it('leaves out ipfs_peer_id and ipfs_peer_addresses when they are empty', async function () {
      const info = fakeGlobal(CIDS.v0, { [self]: fakeShort(self, 'cluster_error', { ipfs_peer_id: '', ipfs_peer_addresses: [], error: 'no answer' }) })
      mock.cluster.StatusAll = streamOf([info])
      const [item] = ndjson(await get('/pins')) as GlobalPinInfoJson[]
      assert.deepEqual(Object.keys(item!.peer_map[self]!), ['peername', 'status', 'timestamp', 'error', 'attempt_count', 'priority_pin'])
    })

    it('answers 204 with an empty body when no pin matches', async function () {
      mock.cluster.StatusAll = streamOf([])
      const res = await get('/pins?filter=error')
      assert.equal(res.status, 204)
      assert.equal(res.body, '')
    })

    it('sets the X-Stream-Error trailer when the stream fails midway', async function () {
      mock.cluster.StatusAll = streamOf([fakeGlobal(CIDS.v0, { [self]: 'pinned' })], 'peer went away')
      const res = await get('/pins')
      assert.equal(ndjson(res).length, 1)
      assert.equal(res.trailers['x-stream-error'], 'peer went away')
    })

    it('writes each status as it is produced', async function () {
      const next = Promise.withResolvers<void>()
      mock.cluster.StatusAll = () => (async function * () {
        yield fakeGlobal(CIDS.v0, { [self]: 'pinned' })
        await next.promise
        yield fakeGlobal(CIDS.v1, { [self]: 'pinned' })
      })()
      const res = await open(`${url}/pins`)
      assert.equal(JSON.parse(await firstChunk(res)).cid, CIDS.v0)
      next.resolve()
      let rest = ''
      for await (const chunk of res) rest += String(chunk)
      assert.equal(JSON.parse(rest).cid, CIDS.v1)
    })

    it('lists this peer only with local=true: Cluster.StatusAllLocal, each PinInfo as a GlobalPinInfo of one peer', async function () {
      const infos = [fakePinInfo(CIDS.v0, self, 'pinned', { name: 'n', allocations: [self] }), fakePinInfo(CIDS.v1, self, 'unexpectedly_unpinned')]
      const args: StatusAllRequest[] = []
      mock.cluster.StatusAll = () => { throw new Error('Cluster.StatusAll must not be called') }
      mock.cluster.StatusAllLocal = (arg) => {
        args.push(arg)
        return streamOf(infos.map(reversed))()
      }
      const items = ndjson(await get('/pins?local=true&filter=pinned')) as GlobalPinInfoJson[]
      assert.deepEqual(items, infos.map(toGlobal))
      items.forEach(assertFieldOrder)
      assert.deepEqual(args, [{ filter: ['pinned'] }])
    })

    it('asks every peer with local=false, as without it', async function () {
      mock.cluster.StatusAll = streamOf([fakeGlobal(CIDS.v0, { [self]: 'pinned' })])
      mock.cluster.StatusAllLocal = () => { throw new Error('Cluster.StatusAllLocal must not be called') }
      assert.equal(ndjson(await get('/pins?local=false')).length, 1)
    })

    it('passes the statuses of filter, composites included', async function () {
      const args: StatusAllRequest[] = []
      mock.cluster.StatusAll = (arg) => {
        args.push(arg)
        return streamOf<GlobalPinInfoJson>([])()
      }
      for (const filter of ['pinned', 'error,queued', 'pin_error,unexpectedly_unpinned,pinned', '']) {
        assert.equal((await get(`/pins?filter=${filter}`)).status, 204, filter)
      }
      assert.deepEqual(args.map((a) => a.filter), [['pinned'], ['error', 'queued'], ['pin_error', 'unexpectedly_unpinned', 'pinned'], []])
    })

    it('passes the CIDs of cids in canonical form, with the filter', async function () {
      const args: StatusAllRequest[] = []
      const record = (arg: StatusAllRequest): AsyncGenerator<never> => {
        args.push(arg)
        return streamOf<never>([])()
      }
      mock.cluster.StatusAll = record
      mock.cluster.StatusAllLocal = record
      assert.equal((await get(`/pins?cids=${CIDS.v1base58},${CIDS.v0}`)).status, 204)
      assert.equal((await get(`/pins?cids=${CIDS.raw}&local=true&filter=error`)).status, 204)
      assert.deepEqual(args, [{ filter: [], cids: [CIDS.v1, CIDS.v0] }, { filter: ['error'], cids: [CIDS.raw] }])
    })

    it('answers 400 naming the bad value of filter, cids or local, without calling RPC', async function () {
      noRpc()
      const cases: Array<[string, string, string]> = [
        ['filter=pinned,pinnned', 'filter', '"pinnned"'],
        ['filter=pinned,', 'filter', '""'],
        ['filter=PINNED', 'filter', '"PINNED"'],
        [`cids=${CIDS.v0},not-a-cid`, 'cids', '"not-a-cid"'],
        [`cids=${CIDS.v0},,${CIDS.v1}`, 'cids', '""'],
        ['local=yes', 'local', '"yes"'],
        ['local=TRUE', 'local', '"TRUE"']
      ]
      for (const [query, param, value] of cases) {
        const message = errorMessage(await get(`/pins?${query}`), 400)
        assert.ok(message.startsWith(`invalid query parameter "${param}": ${value}`), `${query}: ${message}`)
      }
    })

    it('answers {code, message} when the listing fails before its first item', async function () {
      // eslint-disable-next-line require-yield
      mock.cluster.StatusAll = () => (async function * () { throw Object.assign(new Error('no leader yet'), { name: 'NoLeaderError' }) })()
      assert.equal(errorMessage(await get('/pins'), 503), 'no leader yet')
    })
  })

  describe('GET /pins/{cid}', function () {
    it('answers Cluster.Status for the canonical CID, fields in order', async function () {
      const info = fakeGlobal(CIDS.v1, { [self]: 'pinned', [other]: 'pin_queued' }, { allocations: [self, other] })
      const asked: string[] = []
      mock.cluster.Status = async (cid) => {
        asked.push(cid)
        return reversed(info)
      }
      const res = await get(`/pins/${CIDS.v1base58}`)
      assert.equal(res.status, 200, res.body)
      assert.match(res.headers['content-type'] ?? '', /^application\/json/)
      const body = JSON.parse(res.body) as GlobalPinInfoJson
      assert.deepEqual(body, info)
      assertFieldOrder(body)
      assert.deepEqual(asked, [CIDS.v1])
    })

    it('answers what the cluster says of a CID it does not pin: unpinned everywhere, not 404', async function () {
      const info = fakeGlobal(CIDS.v0, { [self]: 'unpinned', [other]: 'unpinned' })
      mock.cluster.Status = async () => info
      const res = await get(`/pins/${CIDS.v0}`)
      assert.equal(res.status, 200, res.body)
      assert.deepEqual(JSON.parse(res.body), info)
    })

    it('answers this peer only with local=true: Cluster.StatusLocal as a GlobalPinInfo of one peer', async function () {
      const info = fakePinInfo(CIDS.v1, self, 'pinning', { attempt_count: 1, priority_pin: true })
      mock.cluster.Status = async () => { throw new Error('Cluster.Status must not be called') }
      mock.cluster.StatusLocal = async () => reversed(info)
      const res = await get(`/pins/${CIDS.v1}?local=true`)
      assert.equal(res.status, 200, res.body)
      const body = JSON.parse(res.body) as GlobalPinInfoJson
      assert.deepEqual(body, toGlobal(info))
      assertFieldOrder(body)
    })

    it('answers 400 for a malformed CID or local value, without calling RPC', async function () {
      noRpc()
      assert.match(errorMessage(await get('/pins/Qmnope'), 400), /^invalid CID "Qmnope": /)
      assert.match(errorMessage(await get(`/pins/${CIDS.v0}?local=1`), 400), /^invalid query parameter "local": "1"/)
    })

    it('answers the status of the error the service throws', async function () {
      mock.cluster.Status = async () => { throw Object.assign(new Error('the IPFS node does not answer'), { name: 'IpfsUnavailableError' }) }
      assert.equal(errorMessage(await get(`/pins/${CIDS.v0}`), 502), 'the IPFS node does not answer')
    })
  })

  describe('POST /pins/{cid}/recover', function () {
    it('answers Cluster.Recover for the canonical CID, ignoring any body', async function () {
      const info = fakeGlobal(CIDS.v1, { [self]: 'pin_queued', [other]: 'remote' })
      const asked: string[] = []
      mock.cluster.Recover = async (cid) => {
        asked.push(cid)
        return reversed(info)
      }
      const res = await fetchRaw(`${url}/pins/${CIDS.v1base58}/recover`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad' })
      assert.equal(res.status, 200, res.body)
      const body = JSON.parse(res.body) as GlobalPinInfoJson
      assert.deepEqual(body, info)
      assertFieldOrder(body)
      assert.deepEqual(asked, [CIDS.v1])
    })

    it('recovers on this peer only with local=true: Cluster.RecoverLocal', async function () {
      const info = fakePinInfo(CIDS.v0, self, 'pin_queued', { attempt_count: 3 })
      mock.cluster.Recover = async () => { throw new Error('Cluster.Recover must not be called') }
      mock.cluster.RecoverLocal = async () => info
      const res = await post(`/pins/${CIDS.v0}/recover?local=true`)
      assert.equal(res.status, 200, res.body)
      assert.deepEqual(JSON.parse(res.body), toGlobal(info))
    })

    it('answers 400 for a malformed CID, 405 for GET', async function () {
      noRpc()
      assert.match(errorMessage(await post('/pins/bafynope/recover'), 400), /^invalid CID "bafynope": /)
      assert.equal((await get(`/pins/${CIDS.v0}/recover`)).status, 405)
    })
  })

  describe('POST /pins/recover', function () {
    it('streams what Cluster.RecoverAll re-queued', async function () {
      const infos = [fakeGlobal(CIDS.v0, { [self]: 'pin_queued' }), fakeGlobal(CIDS.v1, { [other]: 'unpin_queued' })]
      mock.cluster.RecoverAll = streamOf(infos.map(reversed))
      const res = await post('/pins/recover')
      const items = ndjson(res) as GlobalPinInfoJson[]
      assert.deepEqual(items, infos)
      items.forEach(assertFieldOrder)
      assert.equal(res.trailers['x-stream-error'], '')
    })

    it('recovers on this peer only with local=true: Cluster.RecoverAllLocal, as GlobalPinInfo of one peer', async function () {
      const infos = [fakePinInfo(CIDS.v0, self, 'pin_queued')]
      mock.cluster.RecoverAll = () => { throw new Error('Cluster.RecoverAll must not be called') }
      mock.cluster.RecoverAllLocal = streamOf(infos)
      assert.deepEqual(ndjson(await post('/pins/recover?local=true')), infos.map(toGlobal))
    })

    it('answers 204 when nothing needed recovering, and the trailer when it fails midway', async function () {
      mock.cluster.RecoverAll = streamOf([])
      const none = await post('/pins/recover')
      assert.equal(none.status, 204)
      assert.equal(none.body, '')
      mock.cluster.RecoverAll = streamOf([fakeGlobal(CIDS.v0, { [self]: 'pin_queued' })], 'pin queue is full')
      const res = await post('/pins/recover')
      assert.equal(ndjson(res).length, 1)
      assert.equal(res.trailers['x-stream-error'], 'pin queue is full')
    })

    it('answers 400 for a bad local value, 405 for GET', async function () {
      noRpc()
      assert.match(errorMessage(await post('/pins/recover?local=on'), 400), /^invalid query parameter "local"/)
      assert.equal((await get('/pins/recover')).status, 405)
    })
  })
})
