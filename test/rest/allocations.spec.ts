import { strict as assert } from 'node:assert'
import { RestApi } from '../../src/api/rest/index.ts'
import { aborted, fetchRaw, firstChunk, open } from '../fixtures/http-client.ts'
import { CIDS, ClusterRpcMock, PIN_FIELDS, fakePin, startRestOnMock } from '../fixtures/rpc-mock.ts'
import type { PinJson } from '../../src/api/types.ts'
import type { RawResponse } from '../fixtures/http-client.ts'

function errorMessage (res: RawResponse, status: number): string {
  assert.equal(res.status, status, res.body)
  const body = JSON.parse(res.body)
  assert.deepEqual(Object.keys(body), ['code', 'message'])
  assert.equal(body.code, status)
  return body.message
}

function ndjson (res: RawResponse): unknown[] {
  assert.equal(res.status, 200, res.body)
  assert.equal(res.headers['content-type'], 'application/x-ndjson')
  assert.ok(res.body.endsWith('\n'))
  return res.body.slice(0, -1).split('\n').map((line) => JSON.parse(line))
}

describe('REST API GET /allocations and /allocations/{cid}', function () {
  let mock: ClusterRpcMock
  let api: RestApi
  let url: string
  /** One pin of each type, in CID order as Cluster.Pins lists them. */
  let pins: PinJson[]

  before(async function () {
    ;({ mock, api, url } = await startRestOnMock())
    pins = [
      fakePin(CIDS.v0, { name: 'data' }),
      fakePin(CIDS.raw, { type: 'shard-pin', reference: CIDS.v1 }),
      fakePin(CIDS.v1, { type: 'meta-pin' }),
      fakePin('bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku', { type: 'clusterdag-pin' })
    ]
  })

  after(async function () {
    await api.stop()
  })

  afterEach(function () {
    mock.reset()
  })

  describe('GET /allocations', function () {
    it('streams every Pin, one per line, IPFS Cluster field names in order, with an empty X-Stream-Error', async function () {
      // keys in reverse order from the RPC: the API writes IPFS Cluster's order
      mock.usePinset(pins.map((p) => Object.fromEntries(Object.entries(p).reverse()) as unknown as PinJson))
      const res = await fetchRaw(`${url}/allocations`)
      const items = ndjson(res)
      for (const item of items) assert.deepEqual(Object.keys(item as object), PIN_FIELDS)
      assert.deepEqual(items, [...pins].sort((a, b) => a.cid < b.cid ? -1 : 1))
      assert.equal(res.headers.trailer?.toLowerCase(), 'x-stream-error')
      assert.equal(res.trailers['x-stream-error'], '')
    })

    it('lists every type with no filter, an empty one or all', async function () {
      mock.usePinset(pins)
      for (const query of ['', '?filter=', '?filter=all', '?filter=pin,all']) {
        assert.equal(ndjson(await fetchRaw(`${url}/allocations${query}`)).length, 4, query)
      }
    })

    it('lists only the types the filter names', async function () {
      mock.usePinset(pins)
      const typesOf = async (filter: string): Promise<string[]> =>
        ndjson(await fetchRaw(`${url}/allocations?filter=${filter}`)).map((p) => (p as PinJson).type).sort()
      assert.deepEqual(await typesOf('pin'), ['pin'])
      assert.deepEqual(await typesOf('meta-pin'), ['meta-pin'])
      assert.deepEqual(await typesOf('shard-pin,clusterdag-pin'), ['clusterdag-pin', 'shard-pin'])
      assert.deepEqual(await typesOf('pin%2Cmeta-pin'), ['meta-pin', 'pin'])
    })

    it('answers 204 with an empty body when nothing is pinned, or nothing of the types asked', async function () {
      mock.usePinset()
      const empty = await fetchRaw(`${url}/allocations`)
      assert.equal(empty.status, 204)
      assert.equal(empty.body, '')
      mock.usePinset([pins[0]!])
      const none = await fetchRaw(`${url}/allocations?filter=shard-pin`)
      assert.equal(none.status, 204)
      assert.equal(none.body, '')
    })

    it('answers 400 naming a filter value that is not a pin type, without calling RPC', async function () {
      mock.cluster.Pins = () => { throw new Error('Cluster.Pins must not be called') }
      for (const filter of ['pins', 'pin,bogus', 'pin,', 'PIN']) {
        const message = errorMessage(await fetchRaw(`${url}/allocations?filter=${filter}`), 400)
        const bad = filter.split(',').find((f) => !['pin', 'all'].includes(f)) as string
        assert.ok(message.startsWith(`invalid query parameter "filter": "${bad}" is not one of`), message)
      }
    })

    it('reports a failure midway in the X-Stream-Error trailer', async function () {
      mock.cluster.Pins = () => (async function * () {
        yield pins[0]!
        throw new Error('state unreadable')
      })()
      const res = await fetchRaw(`${url}/allocations`)
      assert.deepEqual(ndjson(res), [pins[0]])
      assert.equal(res.trailers['x-stream-error'], 'state unreadable')
    })

    it('stops the listing when the client goes away, even while skipping filtered-out pins', async function () {
      const started = Promise.withResolvers<AbortSignal>()
      const released = Promise.withResolvers<void>()
      mock.cluster.Pins = (_arg, { signal }) => (async function * () {
        started.resolve(signal)
        try {
          yield pins[0]!
          // a pin the filter drops, then nothing until the client is gone
          yield pins[1]!
          await aborted(signal)
          throw signal.reason
        } finally {
          released.resolve()
        }
      })()
      const res = await open(`${url}/allocations?filter=pin`)
      assert.match(await firstChunk(res), new RegExp(CIDS.v0))
      const signal = await started.promise
      res.destroy()
      await aborted(signal)
      await released.promise
    })
  })

  describe('GET /allocations/{cid}', function () {
    it('answers the Pin from Cluster.PinGet, asked with the canonical CID', async function () {
      let asked: string | undefined
      mock.cluster.PinGet = async (cid) => { asked = cid; return pins[2]! }
      const res = await fetchRaw(`${url}/allocations/${CIDS.v1base58}`)
      assert.equal(res.status, 200, res.body)
      assert.match(res.headers['content-type'] ?? '', /^application\/json/)
      const body = JSON.parse(res.body)
      assert.deepEqual(Object.keys(body), PIN_FIELDS)
      assert.deepEqual(body, pins[2])
      assert.equal(asked, CIDS.v1)
    })

    it('answers 404 {code, message} for a CID that is not pinned', async function () {
      mock.usePinset([pins[0]!])
      assert.match(errorMessage(await fetchRaw(`${url}/allocations/${CIDS.v1}`), 404), /is not in the pinset/)
    })

    it('answers 400 naming a malformed CID, without calling RPC', async function () {
      mock.cluster.PinGet = async () => { throw new Error('Cluster.PinGet must not be called') }
      assert.match(errorMessage(await fetchRaw(`${url}/allocations/bafyfoo`), 400), /^invalid CID "bafyfoo": /)
    })
  })
})
