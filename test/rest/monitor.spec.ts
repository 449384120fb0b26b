import { strict as assert } from 'node:assert'
import { RestApi } from '../../src/api/rest/index.ts'
import { fetchRaw } from '../fixtures/http-client.ts'
import { CIDS, ClusterRpcMock, startRestOnMock } from '../fixtures/rpc-mock.ts'
import { METRIC_FIELDS, fakeAlert, fakeGlobalRepoGC, fakeMetric, fakeRepoGC, reversed } from '../fixtures/status.ts'
import type { RawResponse } from '../fixtures/http-client.ts'

function errorMessage (res: RawResponse, status: number): string {
  assert.equal(res.status, status, res.body)
  const body = JSON.parse(res.body)
  assert.deepEqual(Object.keys(body), ['code', 'message'])
  assert.equal(body.code, status)
  return body.message
}

function json (res: RawResponse): unknown {
  assert.equal(res.status, 200, res.body)
  assert.match(res.headers['content-type'] ?? '', /^application\/json/)
  return JSON.parse(res.body)
}

describe('REST API monitor, alerts and IPFS repo GC', function () {
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
    mock.mockService('PeerMonitor', {})
  })

  const get = async (path: string): Promise<RawResponse> => fetchRaw(`${url}${path}`)
  const post = async (path: string): Promise<RawResponse> => fetchRaw(`${url}${path}`, { method: 'POST' })

  describe('GET /monitor/metrics', function () {
    it('answers the metric names of PeerMonitor.MetricNames as a JSON array', async function () {
      mock.mockService('PeerMonitor', { MetricNames: async () => ['freespace', 'ping', 'tag:group'] })
      assert.deepEqual(json(await get('/monitor/metrics')), ['freespace', 'ping', 'tag:group'])
      mock.mockService('PeerMonitor', { MetricNames: async () => [] })
      assert.deepEqual(json(await get('/monitor/metrics')), [])
    })

    it('answers 501 when this peer has no monitor', async function () {
      mock.server.unregister('PeerMonitor')
      assert.equal((await get('/monitor/metrics')).status, 501)
    })
  })

  describe('GET /monitor/metrics/{name}', function () {
    it('answers PeerMonitor.LatestMetrics for the name, each Metric with IPFS Cluster field names in order', async function () {
      const metrics = [fakeMetric('freespace', self, { value: '5000', weight: 5000 }), fakeMetric('freespace', other, { partitionable: false })]
      const asked: string[] = []
      mock.mockService('PeerMonitor', {
        LatestMetrics: async (name) => {
          asked.push(name)
          return metrics.map(reversed)
        }
      })
      const body = json(await get('/monitor/metrics/freespace')) as unknown[]
      assert.deepEqual(body, metrics)
      for (const item of body) assert.deepEqual(Object.keys(item as object), METRIC_FIELDS)
      // names are taken as given, escaped characters included
      assert.deepEqual(json(await get('/monitor/metrics/tag%3Agroup')), metrics)
      assert.deepEqual(asked, ['freespace', 'tag:group'])
    })
  })

  describe('GET /health/alerts', function () {
    it('answers Cluster.Alerts as a JSON array of Alert (Metric fields, then triggered_at)', async function () {
      const alerts = [fakeAlert('ping', other), fakeAlert('freespace', self, { triggered_at: '2024-05-02T00:00:00Z' })]
      mock.cluster.Alerts = async () => alerts.map(reversed)
      const body = json(await get('/health/alerts')) as unknown[]
      assert.deepEqual(body, alerts)
      for (const item of body) assert.deepEqual(Object.keys(item as object), [...METRIC_FIELDS, 'triggered_at'])
      mock.cluster.Alerts = async () => []
      assert.deepEqual(json(await get('/health/alerts')), [])
    })

    it('answers {code, message} when Cluster.Alerts fails', async function () {
      mock.cluster.Alerts = async () => { throw new Error('monitor stopped') }
      assert.equal(errorMessage(await get('/health/alerts'), 500), 'monitor stopped')
    })
  })

  describe('POST /ipfs/gc', function () {
    it('answers Cluster.RepoGC: every peer\'s GlobalRepoGC, fields in order', async function () {
      const gc = fakeGlobalRepoGC(fakeRepoGC(self, [CIDS.v0, CIDS.raw]), fakeRepoGC(other, [], 'ipfs daemon is down'))
      mock.cluster.RepoGC = async () => reversed(gc)
      mock.cluster.RepoGCLocal = async () => { throw new Error('Cluster.RepoGCLocal must not be called') }
      const body = json(await fetchRaw(`${url}/ipfs/gc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'not json' })) as typeof gc
      assert.deepEqual(body, gc)
      assert.deepEqual(Object.keys(body.peer_map[self]!), ['peer', 'peername', 'keys', 'error'])
      assert.deepEqual(Object.keys(body.peer_map[self]!.keys[0]!), ['key', 'error'])
    })

    it('collects on this peer only with local=true: Cluster.RepoGCLocal as a GlobalRepoGC of one peer', async function () {
      const local = fakeRepoGC(self, [CIDS.v1])
      mock.cluster.RepoGC = async () => { throw new Error('Cluster.RepoGC must not be called') }
      mock.cluster.RepoGCLocal = async () => local
      assert.deepEqual(json(await post('/ipfs/gc?local=true')), { peer_map: { [self]: local } })
    })

    it('answers 400 for a bad local value and 405 for GET, without calling RPC', async function () {
      mock.cluster.RepoGC = async () => { throw new Error('Cluster.RepoGC must not be called') }
      assert.match(errorMessage(await post('/ipfs/gc?local=please'), 400), /^invalid query parameter "local": "please"/)
      assert.equal((await get('/ipfs/gc')).status, 405)
    })
  })
})
