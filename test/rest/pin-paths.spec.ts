import { strict as assert } from 'node:assert'
import { RestApi } from '../../src/api/rest/index.ts'
import { defaultPinOptions } from '../../src/api/pin.ts'
import { InvalidPathError, checkIpfsPath } from '../../src/api/ipfs-path.ts'
import { fetchRaw } from '../fixtures/http-client.ts'
import { CIDS, ClusterRpcMock, PIN_FIELDS, fakePin, startRestOnMock } from '../fixtures/rpc-mock.ts'
import { reversed } from '../fixtures/status.ts'
import type { PinPathRequest } from '../../src/rpc-api.ts'
import type { RawResponse } from '../fixtures/http-client.ts'

function errorMessage (res: RawResponse, status: number): string {
  assert.equal(res.status, status, res.body)
  const body = JSON.parse(res.body)
  assert.deepEqual(Object.keys(body), ['code', 'message'])
  assert.equal(body.code, status)
  return body.message
}

describe('REST API POST and DELETE /pins/{ipfs,ipns,ipld}/{path}', function () {
  let mock: ClusterRpcMock
  let api: RestApi
  let url: string
  let pinned: PinPathRequest[]
  let unpinned: string[]

  before(async function () {
    ;({ mock, api, url } = await startRestOnMock())
  })

  after(async function () {
    await api.stop()
  })

  beforeEach(function () {
    pinned = []
    unpinned = []
    mock.cluster.PinPath = async (request) => {
      pinned.push(request)
      return reversed(fakePin(CIDS.raw, { name: request.options.name ?? '' }))
    }
    mock.cluster.UnpinPath = async (path) => {
      unpinned.push(path)
      return reversed(fakePin(CIDS.raw))
    }
  })

  afterEach(function () {
    mock.reset()
  })

  const send = async (method: string, path: string): Promise<RawResponse> => fetchRaw(`${url}${path}`, { method })

  it('pins the path through Cluster.PinPath with the query options, answering the Pin in IPFS Cluster order', async function () {
    const res = await send('POST', `/pins/ipfs/${CIDS.v1}/photos/2024/a.jpg?name=holiday&replication=2`)
    assert.equal(res.status, 200, res.body)
    const body = JSON.parse(res.body)
    assert.deepEqual(Object.keys(body), PIN_FIELDS)
    assert.deepEqual(body, fakePin(CIDS.raw, { name: 'holiday' }))
    assert.deepEqual(pinned, [{
      path: `/ipfs/${CIDS.v1}/photos/2024/a.jpg`,
      options: { ...defaultPinOptions(), name: 'holiday', replication_factor_min: 2, replication_factor_max: 2 }
    }])
  })

  it('takes the three namespaces, drops one trailing slash and decodes escaped segments', async function () {
    for (const path of [`/pins/ipns/example.com/docs/`, `/pins/ipld/${CIDS.v0}`, `/pins/ipfs/${CIDS.v0}/a%20b%2Fc`, `/pins/ipns/k51qzi5uqu5dl`]) {
      assert.equal((await send('POST', path)).status, 200, path)
    }
    assert.deepEqual(pinned.map((r) => r.path), ['/ipns/example.com/docs', `/ipld/${CIDS.v0}`, `/ipfs/${CIDS.v0}/a b/c`, '/ipns/k51qzi5uqu5dl'])
  })

  it('unpins the path through Cluster.UnpinPath, answering the Pin as it was', async function () {
    const res = await send('DELETE', `/pins/ipfs/${CIDS.v1}/dir?name=ignored`)
    assert.equal(res.status, 200, res.body)
    assert.deepEqual(Object.keys(JSON.parse(res.body)), PIN_FIELDS)
    assert.deepEqual(unpinned, [`/ipfs/${CIDS.v1}/dir`])
    assert.equal((await send('DELETE', '/pins/ipns/example.com')).status, 200)
    assert.deepEqual(unpinned.at(-1), '/ipns/example.com')
  })

  it('answers 400 naming a malformed path or a bad option, without calling RPC', async function () {
    const cases: Array<[string, string, RegExp]> = [
      ['POST', '/pins/ipfs/not-a-cid/x', /^invalid IPFS path "\/ipfs\/not-a-cid\/x": "not-a-cid" is not a CID/],
      ['DELETE', '/pins/ipld/Qmnope', /^invalid IPFS path "\/ipld\/Qmnope": "Qmnope" is not a CID/],
      ['POST', `/pins/ipfs/${CIDS.v0}//x`, /^invalid IPFS path .*: empty segment$/],
      ['POST', `/pins/ipfs/${CIDS.v0}/a%00b`, /^invalid IPFS path .*: control character$/],
      ['DELETE', '/pins/ipns/', /^invalid IPFS path "\/ipns\/": nothing after \/ipns\/$/],
      ['POST', `/pins/ipfs/${CIDS.v0}?mode=deep`, /^invalid query parameter "mode": "deep"/]
    ]
    for (const [method, path, pattern] of cases) {
      assert.match(errorMessage(await send(method, path), 400), pattern, `${method} ${path}`)
    }
    // a namespace alone is a CID position: POST /pins/{cid}
    assert.match(errorMessage(await send('POST', '/pins/ipfs'), 400), /^invalid CID "ipfs"/)
    assert.deepEqual([pinned, unpinned], [[], []])
  })

  it('refuses . and .. segments (HTTP clients resolve them before sending; the check does not rely on it)', function () {
    for (const path of [`/ipfs/${CIDS.v0}/./a`, `/ipfs/${CIDS.v0}/../a`, '/ipns/..', '/ipld/.']) {
      assert.throws(() => checkIpfsPath(path), (err: Error) => err instanceof InvalidPathError && /segment$|is not a CID/.test(err.message), path)
    }
    assert.equal(checkIpfsPath('/ipns/name/a.b/..c/'), '/ipns/name/a.b/..c')
    assert.throws(() => checkIpfsPath(`/ipfs/${CIDS.v0}//`), /empty segment/)
  })

  it('answers the status of the errors Cluster.PinPath throws', async function () {
    const fail = (name: string, message: string) => async (): Promise<never> => { throw Object.assign(new Error(message), { name }) }
    const cases: Array<[string, string, number]> = [
      ['PathResolveError', `no link named "nope" under ${CIDS.v1}`, 400],
      ['IpfsInvalidRequestError', 'invalid path', 400],
      ['IpnsUnavailableError', 'IPNS is not available on the embedded IPFS node', 501],
      // the IPFS node refusing to resolve the path: the path is wrong (IPFS Cluster answers 500)
      ['IpfsRequestError', `no link named "nope" under ${CIDS.v1}`, 400],
      ['IpfsUnavailableError', 'cannot reach the IPFS node', 502],
      ['InsufficientAllocationsError', 'not enough peers to allocate: wanted 3, have 1', 500],
      ['PinQueueFullError', 'pin queue full', 503],
      ['PinNotFoundError', `${CIDS.v1} is not in the pinset`, 404]
    ]
    for (const [name, message, status] of cases) {
      mock.cluster.PinPath = fail(name, message)
      mock.cluster.UnpinPath = fail(name, message)
      assert.equal(errorMessage(await send('POST', `/pins/ipfs/${CIDS.v1}/nope`), status), message, name)
      assert.equal(errorMessage(await send('DELETE', `/pins/ipfs/${CIDS.v1}/nope`), status), message, name)
    }
  })

  it('answers 405 for other methods on a path', async function () {
    const res = await send('GET', `/pins/ipfs/${CIDS.v1}/a`)
    assert.equal(res.status, 405)
    assert.equal(res.headers.allow, 'POST, DELETE')
  })
})
