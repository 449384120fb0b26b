import { strict as assert } from 'node:assert'
import { MetricSenderError, PeerMonitor } from '../../src/monitor/index.ts'
import { ClusterRpcMock, randomPeerId } from '../fixtures/rpc-mock.ts'
import { Recorder } from '../fixtures/recorder.ts'
import type { AlertJson, MetricJson } from '../../src/api/types.ts'
import type { ClusterRpcClient } from '../../src/rpc-api.ts'
import type { PeerId } from '@libp2p/interface'

const NS = 1_000_000
const HOUR = 3_600_000
const signal = new AbortController().signal

describe('PeerMonitor', function () {
  let mock: ClusterRpcMock
  let self: string
  let a: string
  let b: string
  let outsider: string
  /** The consensus peerset the mock answers. */
  let members: string[]
  let peersCalls: number
  /** The injected clock, in ms. */
  let t: number
  let monitor: PeerMonitor
  let alerts: Recorder<AlertJson>

  function metric (peer: string, name: string, fields: Partial<MetricJson> & { ttl?: number } = {}): MetricJson {
    const { ttl = 10_000, ...rest } = fields
    return { name, peer, value: '1', expire: (t + ttl) * NS, valid: true, weight: 1, partitionable: false, received_at: 0, ...rest }
  }

  async function log (m: MetricJson): Promise<void> {
    await mock.rpc.call(undefined, 'PeerMonitor', 'LogMetric', m)
  }

  async function latest (name: string): Promise<MetricJson[]> {
    return mock.rpc.call(undefined, 'PeerMonitor', 'LatestMetrics', name)
  }

  function newMonitor (options: { checkInterval?: number, peersetTtl?: number, maxAlerts?: number } = {}): PeerMonitor {
    const m = new PeerMonitor({
      rpc: mock.rpc,
      config: { check_interval: options.checkInterval ?? HOUR },
      now: () => t,
      peersetTtl: options.peersetTtl ?? 0,
      maxAlerts: options.maxAlerts
    })
    mock.mockService('PeerMonitor', m.service())
    return m
  }

  before(async function () {
    mock = await ClusterRpcMock.create(2)
    self = mock.peerId.toString()
    ;[a, b] = mock.otherPeers.map(String) as [string, string]
    outsider = (await randomPeerId()).toString()
  })

  beforeEach(function () {
    t = 1_700_000_000_000
    members = [self, a, b]
    peersCalls = 0
    mock.mockService('Consensus', {
      Peers: async () => {
        peersCalls++
        return [...members]
      }
    })
    alerts = new Recorder()
    mock.cluster.HandleAlert = async (alert) => { alerts.push(alert) }
    monitor = newMonitor()
  })

  afterEach(async function () {
    await monitor.stop()
    mock.reset()
  })

  describe('LogMetric and LatestMetrics', function () {
    it('keeps the latest metric per peer and name, stamped with received_at', async function () {
      await log(metric(a, 'freespace', { value: '10' }))
      await log(metric(a, 'freespace', { value: '20' }))
      await log(metric(a, 'numpin', { value: '5' }))
      const [m] = await latest('freespace')
      assert.equal(m?.value, '20')
      assert.equal(m?.received_at, t * NS)
      assert.deepEqual((await latest('numpin')).map((x) => x.value), ['5'])
    })

    it('answers one metric per current peer, in peer id order', async function () {
      for (const peer of [b, self, a]) await log(metric(peer, 'freespace'))
      assert.deepEqual((await latest('freespace')).map((m) => m.peer), [self, a, b].sort())
    })

    it('ignores metrics of peers outside the consensus peerset', async function () {
      await log(metric(outsider, 'freespace'))
      assert.deepEqual(await latest('freespace'), [])
      assert.deepEqual(await mock.rpc.call(undefined, 'PeerMonitor', 'MetricNames', undefined), [])
    })

    it('answers only valid, unexpired metrics', async function () {
      await log(metric(a, 'freespace', { valid: false }))
      await log(metric(b, 'freespace', { ttl: 1000 }))
      await log(metric(self, 'freespace', { ttl: 5000 }))
      assert.deepEqual((await latest('freespace')).map((m) => m.peer), [b, self].sort())
      t += 1000
      assert.deepEqual((await latest('freespace')).map((m) => m.peer), [self])
      // an invalid metric replaces a valid one
      await log(metric(self, 'freespace', { valid: false }))
      assert.deepEqual(await latest('freespace'), [])
    })

    it('lists the metric names it holds', async function () {
      await log(metric(a, 'ping'))
      await log(metric(b, 'freespace'))
      assert.deepEqual(await mock.rpc.call(undefined, 'PeerMonitor', 'MetricNames', undefined), ['freespace', 'ping'])
    })

    it('refuses a metric of another peer from a remote caller, and malformed metrics', async function () {
      const service = monitor.service()
      const bId = mock.otherPeers[1] as PeerId
      await assert.rejects(service.LogMetric(metric(a, 'freespace'), { signal, peer: bId }), (err: Error) => err.name === MetricSenderError.NAME)
      await service.LogMetric(metric(b, 'freespace'), { signal, peer: bId })
      assert.deepEqual((await latest('freespace')).map((m) => m.peer), [b])
      await assert.rejects(log({ name: 'x', peer: a } as unknown as MetricJson), TypeError)
    })

    it('asks the consensus for the peerset once per cache period, and again for an unknown peer', async function () {
      monitor = newMonitor({ peersetTtl: 1000 })
      for (let i = 0; i < 10; i++) await log(metric(a, 'freespace'))
      assert.equal(peersCalls, 1)
      // a peer that joined a moment ago: asked again (at most every 100 ms)
      const joined = (await randomPeerId()).toString()
      members.push(joined)
      t += 100
      await log(metric(joined, 'freespace'))
      assert.equal(peersCalls, 2)
      assert.ok((await latest('freespace')).some((m) => m.peer === joined))
    })
  })

  describe('PublishMetric', function () {
    it('sends the metric to every peer of the peerset, this one included', async function () {
      const rpc: ClusterRpcClient = mock.rpc
      const original = rpc.multiCall.bind(rpc)
      const targets: string[][] = []
      rpc.multiCall = (async (peers: PeerId[], ...rest: unknown[]) => {
        targets.push(peers.map(String))
        return (original as (...args: unknown[]) => unknown)(peers, ...rest)
      }) as typeof rpc.multiCall
      try {
        // the other peers are unreachable in the mock: their failures are only logged
        await mock.rpc.call(undefined, 'PeerMonitor', 'PublishMetric', metric(self, 'freespace'))
      } finally {
        rpc.multiCall = original
      }
      assert.deepEqual(targets, [[self, a, b]])
      assert.deepEqual((await latest('freespace')).map((m) => m.peer), [self])
    })

    it('does not send invalid or expired metrics', async function () {
      await mock.rpc.call(undefined, 'PeerMonitor', 'PublishMetric', metric(self, 'freespace', { valid: false }))
      await mock.rpc.call(undefined, 'PeerMonitor', 'PublishMetric', metric(self, 'numpin', { ttl: -1 }))
      assert.deepEqual(await mock.rpc.call(undefined, 'PeerMonitor', 'MetricNames', undefined), [])
    })
  })

  describe('alerts', function () {
    it('raises exactly one alert when a metric expires, and delivers it to Cluster.HandleAlert', async function () {
      await log(metric(a, 'ping', { ttl: 30_000 }))
      await log(metric(b, 'ping', { ttl: 60_000 }))
      assert.deepEqual(await monitor.check(), [])
      t += 30_001
      const raised = await monitor.check()
      assert.equal(raised.length, 1)
      const [alert] = raised as [AlertJson]
      assert.equal(alert.peer, a)
      assert.equal(alert.name, 'ping')
      assert.equal(alert.triggered_at, new Date(t).toISOString())
      const [delivered] = await alerts.count(1)
      assert.deepEqual(delivered, alert)
      assert.deepEqual(await monitor.check(), [], 'no second alert for the same expiry')
      assert.deepEqual(await mock.rpc.call(undefined, 'PeerMonitor', 'Alerts', undefined), [alert])
    })

    it('a fresh metric re-arms the alert; an invalid one does not', async function () {
      await log(metric(a, 'ping', { ttl: 1000 }))
      t += 1001
      assert.equal((await monitor.check()).length, 1)
      await log(metric(a, 'ping', { ttl: 1000, valid: false }))
      t += 1001
      assert.equal((await monitor.check()).length, 0)
      await log(metric(a, 'ping', { ttl: 1000 }))
      t += 1001
      assert.equal((await monitor.check()).length, 1)
      await alerts.count(2)
    })

    it('does not alert for peers that left the peerset, and forgets their metrics', async function () {
      await log(metric(a, 'ping', { ttl: 1000 }))
      await log(metric(a, 'numpin', { ttl: 1000 }))
      await log(metric(b, 'ping', { ttl: 60_000 }))
      members = [self, b]
      t += 1001
      assert.deepEqual(await monitor.check(), [])
      assert.deepEqual(await mock.rpc.call(undefined, 'PeerMonitor', 'MetricNames', undefined), ['ping'])
      // back in the peerset: its old metrics are gone
      members = [self, a, b]
      t -= 1001
      assert.deepEqual((await latest('ping')).map((m) => m.peer), [b])
    })

    it('keeps the last maxAlerts alerts', async function () {
      monitor = newMonitor({ maxAlerts: 2 })
      await log(metric(a, 'ping', { ttl: 1000 }))
      await log(metric(b, 'ping', { ttl: 2000 }))
      await log(metric(self, 'ping', { ttl: 3000 }))
      for (let i = 0; i < 3; i++) {
        t += 1000
        await monitor.check()
      }
      const kept = await mock.rpc.call(undefined, 'PeerMonitor', 'Alerts', undefined)
      assert.deepEqual(kept.map((x) => x.peer), [b, self])
    })

    it('a failing Cluster.HandleAlert is only logged', async function () {
      const attempts = new Recorder<AlertJson>()
      mock.cluster.HandleAlert = async (alert) => {
        attempts.push(alert)
        throw new Error('not now')
      }
      await log(metric(a, 'ping', { ttl: 1000 }))
      t += 1001
      assert.equal((await monitor.check()).length, 1)
      await attempts.count(1)
      assert.equal((await mock.rpc.call(undefined, 'PeerMonitor', 'Alerts', undefined)).length, 1)
    })

    it('checks every check_interval once started, until stopped', async function () {
      monitor = newMonitor({ checkInterval: 5 })
      await log(metric(a, 'ping', { ttl: 1000 }))
      await monitor.start()
      t += 1001
      const [alert] = await alerts.count(1)
      assert.equal(alert?.peer, a)
      await monitor.stop()
      await monitor.stop()
    })
  })
})
