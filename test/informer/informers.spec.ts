import { strict as assert } from 'node:assert'
import { defaultServiceConfig } from '../../src/config/index.ts'
import {
  DiskInformer, NumPinInformer, PinQueueInformer, PingInformer, TagsInformer, createInformers, pinQueueWeight
} from '../../src/informer/index.ts'
import { ClusterRpcMock } from '../fixtures/rpc-mock.ts'
import type { IpfsPinLsItem } from '../../src/rpc-api.ts'

const NOW = 1_700_000_000_000
const now = (): number => NOW
const signal = new AbortController().signal

describe('informers', function () {
  let mock: ClusterRpcMock
  let self: string

  before(async function () {
    mock = await ClusterRpcMock.create(0)
    self = mock.peerId.toString()
  })

  afterEach(function () {
    mock.reset()
  })

  describe('disk', function () {
    it('freespace: storage_max - repo_size, weighing the free bytes, expiring after the TTL', async function () {
      mock.mockService('IPFSConnector', { RepoStat: async () => ({ repo_size: 400, storage_max: 1000 }) })
      const informer = new DiskInformer({ rpc: mock.rpc, config: { metric_ttl: 30_000, metric_type: 'freespace' }, now })
      assert.equal(informer.name, 'freespace')
      assert.equal(informer.ttl, 30_000)
      assert.deepEqual(await informer.getMetrics({ signal }), [{
        name: 'freespace',
        peer: self,
        value: '600',
        expire: (NOW + 30_000) * 1_000_000,
        valid: true,
        weight: 600,
        partitionable: false,
        received_at: 0
      }])
    })

    it('freespace of a full repo is invalid, so the peer takes no more pins', async function () {
      mock.mockService('IPFSConnector', { RepoStat: async () => ({ repo_size: 1000, storage_max: 1000 }) })
      const [metric] = await new DiskInformer({ rpc: mock.rpc, config: { metric_ttl: 30_000, metric_type: 'freespace' }, now }).getMetrics({ signal })
      assert.equal(metric?.valid, false)
      assert.equal(metric?.weight, 0)
    })

    it('reposize: the repo size, smaller weighing more', async function () {
      mock.mockService('IPFSConnector', { RepoStat: async () => ({ repo_size: 400, storage_max: 1000 }) })
      const informer = new DiskInformer({ rpc: mock.rpc, config: { metric_ttl: 30_000, metric_type: 'reposize' }, now })
      assert.equal(informer.name, 'reposize')
      const [metric] = await informer.getMetrics({ signal })
      assert.equal(metric?.name, 'reposize')
      assert.equal(metric?.value, '400')
      assert.equal(metric?.weight, -400)
      assert.equal(metric?.valid, true)
    })

    it('an IPFS node that does not answer gives an invalid metric, not an error', async function () {
      mock.mockService('IPFSConnector', { RepoStat: async () => { throw new Error('connection refused') } })
      const [metric] = await new DiskInformer({ rpc: mock.rpc, config: { metric_ttl: 30_000, metric_type: 'freespace' }, now }).getMetrics({ signal })
      assert.equal(metric?.name, 'freespace')
      assert.equal(metric?.valid, false)
    })

    it('rejects when aborted', async function () {
      mock.mockService('IPFSConnector', {
        RepoStat: async (_arg, ctx) => new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => { reject(new Error('aborted')) })
        })
      })
      const controller = new AbortController()
      const pending = new DiskInformer({ rpc: mock.rpc, config: { metric_ttl: 30_000, metric_type: 'freespace' }, now }).getMetrics({ signal: controller.signal })
      controller.abort()
      await assert.rejects(pending)
    })
  })

  describe('tags', function () {
    it('one partitionable metric tag:<key> per tag, valued by the tag, in key order', async function () {
      const informer = new TagsInformer({ rpc: mock.rpc, config: { metric_ttl: 10_000, tags: { region: 'eu', group: 'a' } }, now })
      assert.equal(informer.name, 'tags')
      assert.deepEqual(await informer.getMetrics({ signal }), [
        { name: 'tag:group', peer: self, value: 'a', expire: (NOW + 10_000) * 1_000_000, valid: true, weight: 0, partitionable: true, received_at: 0 },
        { name: 'tag:region', peer: self, value: 'eu', expire: (NOW + 10_000) * 1_000_000, valid: true, weight: 0, partitionable: true, received_at: 0 }
      ])
    })

    it('no tags, no metrics', async function () {
      assert.deepEqual(await new TagsInformer({ rpc: mock.rpc, config: { metric_ttl: 10_000, tags: {} }, now }).getMetrics({ signal }), [])
    })
  })

  describe('pinqueue', function () {
    it('the queue size, shorter queues weighing more, by buckets of weight_bucket_size', async function () {
      let queued = 250
      mock.mockService('PinTracker', { PinQueueSize: async () => queued })
      const informer = new PinQueueInformer({ rpc: mock.rpc, config: { metric_ttl: 30_000, weight_bucket_size: 100 }, now })
      assert.equal(informer.name, 'pinqueue')
      const [metric] = await informer.getMetrics({ signal })
      assert.deepEqual(metric, {
        name: 'pinqueue', peer: self, value: '250', expire: (NOW + 30_000) * 1_000_000, valid: true, weight: -2, partitionable: false, received_at: 0
      })
      queued = 99
      const [same] = await informer.getMetrics({ signal })
      assert.ok(Object.is(same?.weight, 0), 'within the first bucket: weight 0 (not -0)')
    })

    it('weights as IPFS Cluster computes them', function () {
      assert.equal(pinQueueWeight(0, 100_000), 0)
      assert.equal(pinQueueWeight(99_999, 100_000), 0)
      assert.equal(pinQueueWeight(100_000, 100_000), -1)
      assert.equal(pinQueueWeight(250_000, 100_000), -2)
    })

    it('a tracker that does not answer gives an invalid metric', async function () {
      mock.mockService('PinTracker', { PinQueueSize: async () => { throw new Error('stopped') } })
      const [metric] = await new PinQueueInformer({ rpc: mock.rpc, config: { metric_ttl: 30_000, weight_bucket_size: 100 }, now }).getMetrics({ signal })
      assert.equal(metric?.valid, false)
    })
  })

  describe('numpin', function () {
    it('counts the recursive pins as PinLs streams them, fewer weighing more', async function () {
      const asked: string[] = []
      mock.mockService('IPFSConnector', {
        PinLs: ({ type }) => (async function * (): AsyncGenerator<IpfsPinLsItem> {
          asked.push(type)
          for (let i = 0; i < 1000; i++) yield { cid: `cid${i}`, type: 'recursive' }
        })()
      })
      const informer = new NumPinInformer({ rpc: mock.rpc, config: { metric_ttl: 10_000 }, now })
      assert.equal(informer.name, 'numpin')
      assert.deepEqual(await informer.getMetrics({ signal }), [{
        name: 'numpin', peer: self, value: '1000', expire: (NOW + 10_000) * 1_000_000, valid: true, weight: -1000, partitionable: false, received_at: 0
      }])
      assert.deepEqual(asked, ['recursive'])
    })

    it('a stream failing midway gives an invalid metric', async function () {
      mock.mockService('IPFSConnector', {
        PinLs: () => (async function * (): AsyncGenerator<IpfsPinLsItem> {
          yield { cid: 'a', type: 'recursive' }
          throw new Error('broken pipe')
        })()
      })
      const [metric] = await new NumPinInformer({ rpc: mock.rpc, config: { metric_ttl: 10_000 }, now }).getMetrics({ signal })
      assert.equal(metric?.valid, false)
    })
  })

  describe('ping', function () {
    it('lives twice the ping interval; its value is IPFS Cluster\'s ping value from Cluster.ID', async function () {
      const informer = new PingInformer({ rpc: mock.rpc, interval: 15_000, now })
      assert.equal(informer.name, 'ping')
      assert.equal(informer.ttl, 30_000)
      const [metric] = await informer.getMetrics({ signal })
      const id = mock.idOf(mock.peerId)
      assert.deepEqual(metric, {
        name: 'ping',
        peer: self,
        value: JSON.stringify({ peer_name: id.peername, ipfs_id: id.ipfs.id, ipfs_addresses: id.ipfs.addresses }),
        expire: (NOW + 30_000) * 1_000_000,
        valid: true,
        weight: 0,
        partitionable: false,
        received_at: 0
      })
    })

    it('is still valid when Cluster.ID fails, with the last value', async function () {
      const informer = new PingInformer({ rpc: mock.rpc, interval: 15_000, now })
      const [first] = await informer.getMetrics({ signal })
      mock.cluster.ID = async () => { throw new Error('busy') }
      const [second] = await informer.getMetrics({ signal })
      assert.equal(second?.valid, true)
      assert.equal(second?.value, first?.value)
    })

    it('leaves out the IPFS fields when the IPFS node is in error', async function () {
      mock.cluster.ID = async () => ({ ...mock.idOf(mock.peerId), ipfs: { id: '', addresses: [], error: 'down' } })
      const [metric] = await new PingInformer({ rpc: mock.rpc, interval: 15_000, now }).getMetrics({ signal })
      assert.deepEqual(JSON.parse(metric?.value ?? ''), { peer_name: mock.idOf(mock.peerId).peername })
    })
  })

  it('createInformers builds disk, tags, pinqueue and numpin from the informer section', function () {
    const informers = createInformers({ rpc: mock.rpc, config: defaultServiceConfig().informer })
    assert.deepEqual(informers.map((i) => [i.name, i.ttl]), [['freespace', 30_000], ['tags', 30_000], ['pinqueue', 30_000], ['numpin', 10_000]])
  })
})
