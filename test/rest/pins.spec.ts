import { strict as assert } from 'node:assert'
import { RestApi } from '../../src/api/rest/index.ts'
import { PinValidationError, defaultPinOptions } from '../../src/api/pin.ts'
import { fetchRaw } from '../fixtures/http-client.ts'
import { CIDS, ClusterRpcMock, PIN_FIELDS, fakePin, startRestOnMock } from '../fixtures/rpc-mock.ts'
import type { PinJson } from '../../src/api/types.ts'
import type { RawResponse } from '../fixtures/http-client.ts'

/** Asserts a `{code, message}` answer with this status, and returns the message. */
function errorMessage (res: RawResponse, status: number): string {
  assert.equal(res.status, status, res.body)
  const body = JSON.parse(res.body)
  assert.deepEqual(Object.keys(body), ['code', 'message'])
  assert.equal(body.code, status)
  return body.message
}

/** The pin with its keys in reverse order: what the API answers must not depend on the RPC's order. */
function shuffled (pin: PinJson): PinJson {
  return Object.fromEntries(Object.entries(pin).reverse()) as unknown as PinJson
}

describe('REST API POST and DELETE /pins/{cid}', function () {
  let mock: ClusterRpcMock
  let api: RestApi
  let url: string

  before(async function () {
    ;({ mock, api, url } = await startRestOnMock())
  })

  after(async function () {
    await api.stop()
  })

  afterEach(function () {
    mock.reset()
  })

  const post = async (path: string): Promise<RawResponse> => fetchRaw(`${url}${path}`, { method: 'POST' })

  describe('POST /pins/{cid}', function () {
    it('answers the Pin Cluster.Pin commits, with IPFS Cluster field names in order', async function () {
      const pin = fakePin(CIDS.v1, { name: 'answered', allocations: [mock.otherPeers[0]!.toString()] })
      mock.cluster.Pin = async () => shuffled(pin)
      const res = await post(`/pins/${CIDS.v1}`)
      assert.equal(res.status, 200, res.body)
      assert.match(res.headers['content-type'] ?? '', /^application\/json/)
      const body = JSON.parse(res.body)
      assert.deepEqual(Object.keys(body), PIN_FIELDS)
      assert.deepEqual(body, pin)
    })

    it('sends the canonical CID and the default options when the query has none', async function () {
      const pinset = mock.usePinset()
      const res = await post(`/pins/${CIDS.v1base58}`)
      assert.equal(res.status, 200, res.body)
      assert.deepEqual(pinset.requests, [{ cid: CIDS.v1, options: defaultPinOptions() }])
      assert.equal(JSON.parse(res.body).cid, CIDS.v1)
      // v0 stays v0: a different pin in IPFS Cluster
      await post(`/pins/${CIDS.v0}`)
      assert.equal(pinset.requests[1]?.cid, CIDS.v0)
    })

    it('turns every query parameter into its PinOptions field', async function () {
      const pinset = mock.usePinset()
      const [p1, p2] = mock.otherPeers.map(String) as [string, string]
      const origins = [`/ip4/10.0.0.1/tcp/4001/p2p/${p1}`, `/dns4/ipfs.example.com/tcp/4001/p2p/${p2}`]
      const query = new URLSearchParams({
        name: 'my pin, ünïcode & all',
        mode: 'direct',
        'replication-min': '2',
        'replication-max': '3',
        'shard-size': '1048576',
        'user-allocations': `${p1},${p2}`,
        'expire-at': '2030-01-02T03:04:05+02:00',
        'meta-color': 'blue',
        'meta-empty': '',
        'meta-': 'ignored, as IPFS Cluster does',
        'pin-update': CIDS.v1base58,
        origins: origins.join(',')
      })
      const res = await post(`/pins/${CIDS.raw}?${query}`)
      assert.equal(res.status, 200, res.body)
      assert.deepEqual(pinset.requests, [{
        cid: CIDS.raw,
        options: {
          replication_factor_min: 2,
          replication_factor_max: 3,
          name: 'my pin, ünïcode & all',
          mode: 'direct',
          shard_size: 1048576,
          user_allocations: [p1, p2],
          expire_at: '2030-01-02T03:04:05+02:00',
          metadata: { color: 'blue', empty: '' },
          pin_update: CIDS.v1,
          origins
        }
      }])
      // the Pin answered carries them
      const body = JSON.parse(res.body) as PinJson
      assert.equal(body.name, 'my pin, ünïcode & all')
      assert.equal(body.max_depth, 0)
      assert.deepEqual(body.metadata, { color: 'blue', empty: '' })
    })

    it('lets replication set both factors, over replication-min and replication-max', async function () {
      const pinset = mock.usePinset()
      for (const query of ['replication=-1', 'replication=4&replication-min=1&replication-max=9', 'replication-min=1', 'replication-max=%2B5']) {
        assert.equal((await post(`/pins/${CIDS.v1}?${query}`)).status, 200, query)
      }
      assert.deepEqual(pinset.requests.map((r) => [r.options.replication_factor_min, r.options.replication_factor_max]),
        [[-1, -1], [4, 4], [1, 0], [0, 5]])
    })

    it('counts expire-in from now, and lets expire-at win when both are given', async function () {
      const pinset = mock.usePinset()
      const before = Date.now()
      assert.equal((await post(`/pins/${CIDS.v1}?expire-in=1h30m`)).status, 200)
      const after = Date.now()
      const expireAt = Date.parse(pinset.requests[0]?.options.expire_at ?? '')
      const ms = 90 * 60_000
      assert.ok(expireAt >= before + ms && expireAt <= after + ms, `${pinset.requests[0]?.options.expire_at} is not 1h30m from now`)
      assert.equal((await post(`/pins/${CIDS.v1}?expire-in=1h&expire-at=2030-01-01T00:00:00Z`)).status, 200)
      assert.equal(pinset.requests[1]?.options.expire_at, '2030-01-01T00:00:00Z')
    })

    it('reads a repeated parameter by its first value and an empty one as absent', async function () {
      const pinset = mock.usePinset()
      assert.equal((await post(`/pins/${CIDS.v1}?name=first&name=second&mode=&replication=&user-allocations=&origins=&pin-update=`)).status, 200)
      assert.deepEqual(pinset.requests[0]?.options, { ...defaultPinOptions(), name: 'first' })
    })

    it('answers 400 naming the parameter for each bad value, without calling Cluster.Pin', async function () {
      mock.cluster.Pin = async () => { throw new Error('Cluster.Pin must not be called') }
      const peer = mock.otherPeers[0]!.toString()
      const cases: Array<[string, string]> = [
        ['mode', 'mode=pinned'],
        ['replication', 'replication=two'],
        ['replication', 'replication=1.5'],
        ['replication-min', 'replication-min=1e3'],
        ['replication-max', 'replication-max=99999999999999999999'],
        ['shard-size', 'shard-size=-1'],
        ['shard-size', 'shard-size=big'],
        ['user-allocations', `user-allocations=${peer},not-a-peer`],
        ['expire-at', 'expire-at=2030-02-30T00:00:00Z'],
        ['expire-at', 'expire-at=tomorrow'],
        ['expire-in', 'expire-in=1fortnight'],
        ['expire-in', 'expire-in=500ms'],
        ['expire-in', 'expire-in=-2h'],
        ['pin-update', 'pin-update=not-a-cid'],
        ['origins', 'origins=/ip4/10.0.0.1/tcp/4001'],
        ['origins', `origins=/ip4/10.0.0.1/tcp/4001/p2p/${peer},garbage`]
      ]
      for (const [param, query] of cases) {
        const message = errorMessage(await post(`/pins/${CIDS.v1}?${query}`), 400)
        assert.ok(message.startsWith(`invalid query parameter "${param}": `), `${query}: ${message}`)
        const value = decodeURIComponent(query.slice(query.lastIndexOf('=') + 1)).split(',').at(-1) as string
        assert.ok(message.includes(value), `${query}: ${message} does not name ${value}`)
      }
    })

    it('answers 400 naming a malformed CID, without calling RPC', async function () {
      mock.cluster.Pin = async () => { throw new Error('Cluster.Pin must not be called') }
      mock.cluster.Unpin = async () => { throw new Error('Cluster.Unpin must not be called') }
      for (const bad of ['not-a-cid', 'Qm1234', 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbz', 'ipfs']) {
        for (const method of ['POST', 'DELETE']) {
          const message = errorMessage(await fetchRaw(`${url}/pins/${bad}`, { method }), 400)
          assert.ok(message.startsWith(`invalid CID "${bad}": `), `${method} ${bad}: ${message}`)
        }
      }
    })

    it('takes long CIDs (sha2-512) in the path', async function () {
      const pinset = mock.usePinset()
      assert.equal((await post(`/pins/${CIDS.long}`)).status, 200)
      assert.equal(pinset.requests[0]?.cid, CIDS.long)
      assert.equal((await fetchRaw(`${url}/pins/${CIDS.long}`, { method: 'DELETE' })).status, 200)
    })

    it('answers 400 when Cluster.Pin refuses the pin', async function () {
      mock.cluster.Pin = async () => { throw new PinValidationError('replication_factor_min', '3 is more than replication_factor_max 2') }
      const message = errorMessage(await post(`/pins/${CIDS.v1}?replication-min=3&replication-max=2`), 400)
      assert.equal(message, 'invalid pin: replication_factor_min: 3 is more than replication_factor_max 2')
    })

    it('answers 503 when the cluster has no leader to commit through', async function () {
      mock.cluster.Pin = async () => { throw Object.assign(new Error('no leader after 15s'), { name: 'NoLeaderError' }) }
      assert.equal(errorMessage(await post(`/pins/${CIDS.v1}`), 503), 'no leader after 15s')
    })

    it('ignores a request body, whatever its Content-Type, as IPFS Cluster does', async function () {
      mock.usePinset()
      const bodies: Array<[Record<string, string>, string]> = [
        [{ 'content-type': 'application/json' }, ''],
        [{ 'content-type': 'application/json' }, '{not json'],
        [{ 'content-type': 'application/x-www-form-urlencoded' }, 'a=b'],
        [{}, 'some bytes']
      ]
      for (const [headers, body] of bodies) {
        const res = await fetchRaw(`${url}/pins/${CIDS.v1}?name=x`, { method: 'POST', headers, body })
        assert.equal(res.status, 200, `${JSON.stringify(headers)} ${body}: ${res.body}`)
        assert.equal(JSON.parse(res.body).name, 'x')
      }
    })
  })

  describe('DELETE /pins/{cid}', function () {
    it('answers the Pin as it was stored, from Cluster.Unpin with the canonical CID', async function () {
      const pin = fakePin(CIDS.v1, { name: 'to remove', metadata: { a: 'b' } })
      const pinset = mock.usePinset([shuffled(pin)])
      const res = await fetchRaw(`${url}/pins/${CIDS.v1base58}`, { method: 'DELETE' })
      assert.equal(res.status, 200, res.body)
      const body = JSON.parse(res.body)
      assert.deepEqual(Object.keys(body), PIN_FIELDS)
      assert.deepEqual(body, pin)
      assert.equal(pinset.pins.size, 0)
    })

    it('answers 404 {code, message} for a CID that is not pinned', async function () {
      mock.usePinset([fakePin(CIDS.v0)])
      const message = errorMessage(await fetchRaw(`${url}/pins/${CIDS.v1}`, { method: 'DELETE' }), 404)
      assert.match(message, new RegExp(`${CIDS.v1} is not in the pinset`))
    })
  })
})
