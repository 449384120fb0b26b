import { strict as assert } from 'node:assert'
import { MetricsPublisher, createInformers } from '../../src/informer/index.ts'
import { ClusterRpcMock } from '../fixtures/rpc-mock.ts'
import { Recorder } from '../fixtures/recorder.ts'
import type { MetricJson } from '../../src/api/types.ts'
import type { Informer } from '../../src/informer/index.ts'
import type { InformerSections } from '../../src/config/types.ts'

const HOUR = 3_600_000

/** Informer sections with one TTL for all. */
function informerConfig (ttl: number): InformerSections {
  return {
    disk: { metric_ttl: ttl, metric_type: 'freespace' },
    tags: { metric_ttl: ttl, tags: { group: 'a' } },
    pinqueue: { metric_ttl: ttl, weight_bucket_size: 10 },
    numpin: { metric_ttl: ttl }
  }
}

describe('MetricsPublisher', function () {
  let mock: ClusterRpcMock
  let published: Recorder<MetricJson>
  let publisher: MetricsPublisher | undefined

  before(async function () {
    mock = await ClusterRpcMock.create(1)
  })

  beforeEach(function () {
    published = new Recorder()
    mock.mockService('IPFSConnector', {
      RepoStat: async () => ({ repo_size: 10, storage_max: 100 }),
      PinLs: () => (async function * () { yield { cid: 'a', type: 'recursive' as const } })()
    })
    mock.mockService('PinTracker', { PinQueueSize: async () => 3 })
    mock.mockService('PeerMonitor', { PublishMetric: async (metric) => { published.push(metric) } })
  })

  afterEach(async function () {
    await publisher?.stop()
    publisher = undefined
    mock.reset()
  })

  it('publishes every informer\'s metrics and the ping at start, without delaying start', async function () {
    const { promise: released, resolve: release } = Promise.withResolvers<void>()
    mock.mockService('PeerMonitor', {
      PublishMetric: async (metric) => {
        await released
        published.push(metric)
      }
    })
    publisher = new MetricsPublisher({ rpc: mock.rpc, informers: createInformers({ rpc: mock.rpc, config: informerConfig(HOUR) }), pingInterval: HOUR })
    await publisher.start()
    assert.equal(published.items.length, 0, 'start resolved before anything was published')
    release()
    const names = (await published.count(5)).map((m) => m.name).sort()
    assert.deepEqual(names, ['freespace', 'numpin', 'ping', 'pinqueue', 'tag:group'])
    for (const metric of published.items) {
      assert.equal(metric.peer, mock.peerId.toString())
      assert.equal(metric.valid, true)
    }
  })

  it('publishes each informer again every half TTL and the ping every ping interval', async function () {
    publisher = new MetricsPublisher({ rpc: mock.rpc, informers: createInformers({ rpc: mock.rpc, config: informerConfig(20) }), pingInterval: 10 })
    await publisher.start()
    await published.count(3, (m) => m.name === 'freespace')
    await published.count(3, (m) => m.name === 'ping')
    const pings = published.items.filter((m) => m.name === 'ping')
    assert.ok(pings.every((m, i) => i === 0 || m.expire >= (pings[i - 1] as MetricJson).expire), 'each ping expires later')
  })

  it('a failing publication does not stop the others nor the loop', async function () {
    const attempts = new Recorder<string>()
    mock.mockService('PeerMonitor', {
      PublishMetric: async (metric) => {
        attempts.push(metric.name)
        if (metric.name === 'tag:group') throw new Error('no peers')
        published.push(metric)
      }
    })
    publisher = new MetricsPublisher({ rpc: mock.rpc, informers: createInformers({ rpc: mock.rpc, config: informerConfig(20) }), pingInterval: HOUR })
    await publisher.start()
    await attempts.count(3, (name) => name === 'tag:group')
    await published.count(3, (m) => m.name === 'freespace')
  })

  it('a failing informer is retried on the next round; its invalid metrics are not published', async function () {
    const calls = new Recorder<number>()
    const throwing: Informer = {
      name: 'broken',
      ttl: 20,
      getMetrics: async () => {
        calls.push(1)
        throw new Error('broken')
      }
    }
    mock.mockService('IPFSConnector', {
      RepoStat: async () => { throw new Error('IPFS is down') },
      PinLs: () => (async function * () { yield { cid: 'a', type: 'recursive' as const } })()
    })
    publisher = new MetricsPublisher({
      rpc: mock.rpc,
      informers: [throwing, ...createInformers({ rpc: mock.rpc, config: informerConfig(20) })],
      pingInterval: HOUR
    })
    await publisher.start()
    await calls.count(3)
    await published.count(3, (m) => m.name === 'numpin')
    assert.equal(published.items.filter((m) => m.name === 'freespace').length, 0)
  })

  it('stop aborts a publication in flight and clears the timers', async function () {
    const started = new Recorder<AbortSignal>()
    mock.mockService('PeerMonitor', {
      PublishMetric: async (_metric, { signal }) => {
        started.push(signal)
        await new Promise((resolve) => { signal.addEventListener('abort', resolve) })
      }
    })
    publisher = new MetricsPublisher({ rpc: mock.rpc, informers: [], pingInterval: HOUR })
    await publisher.start()
    const [signal] = await started.count(1)
    await publisher.stop()
    assert.equal(signal?.aborted, true)
    // a second stop and a restart work
    await publisher.stop()
    await publisher.start()
    await started.count(2)
  })
})
