import { strict as assert } from 'node:assert'
import { BalancedAllocator } from '../../src/allocator/index.ts'
import { InsufficientAllocationsError, allocate } from '../../src/cluster/allocate.ts'
import { fromWireError, toWireError } from '../../src/rpc/errors.ts'
import { ClusterRpcMock, CIDS } from '../fixtures/rpc-mock.ts'
import type { AllocateOptions } from '../../src/cluster/allocate.ts'
import type { MetricJson } from '../../src/api/types.ts'
import type { AllocateRequest } from '../../src/rpc-api.ts'

const EXPIRE = 2_000_000_000_000 * 1_000_000

function metric (peer: string, name: string, value: string, weight: number, partitionable = false): MetricJson {
  return { name, peer, value, expire: EXPIRE, valid: true, weight, partitionable, received_at: 0 }
}

describe('allocate()', function () {
  let mock: ClusterRpcMock
  /** Peer ids p0..p5 (p0 is the mock's own). */
  let p: string[]
  /** What PeerMonitor.LatestMetrics answers, by name. */
  let latest: Record<string, MetricJson[]>
  let requests: AllocateRequest[]

  /** A live peer of `group` with `bytes` free. */
  function live (peer: string, group: string, bytes: number): void {
    latest.ping?.push(metric(peer, 'ping', '', 0))
    latest['tag:group']?.push(metric(peer, 'tag:group', group, 0, true))
    latest.freespace?.push(metric(peer, 'freespace', String(bytes), bytes))
  }

  function options (fields: Partial<AllocateOptions>): AllocateOptions {
    return { cid: CIDS.v1, rmin: 1, rmax: 1, current: [], userAllocations: null, peers: p, ...fields }
  }

  before(async function () {
    mock = await ClusterRpcMock.create(5)
    p = [mock.peerId, ...mock.otherPeers].map(String)
    const allocator = new BalancedAllocator({ rpc: mock.rpc, config: { allocate_by: ['tag:group', 'freespace'] } })
    const service = allocator.service()
    mock.mockService('Allocator', {
      Allocate: async (request, ctx) => {
        requests.push(request)
        return service.Allocate(request, ctx)
      },
      Metrics: service.Metrics
    })
    mock.mockService('PeerMonitor', { LatestMetrics: async (name) => [...(latest[name] ?? [])] })
  })

  beforeEach(function () {
    latest = { ping: [], 'tag:group': [], freespace: [] }
    requests = []
    // group A: p0 (500), p1 (400), p2 (300); group B: p3 (200), p4 (100); p5 is down (no metrics)
    const [p0, p1, p2, p3, p4] = p as [string, string, string, string, string]
    live(p0, 'A', 500)
    live(p1, 'A', 400)
    live(p2, 'A', 300)
    live(p3, 'B', 200)
    live(p4, 'B', 100)
  })

  it('-1/-1 means every peer: no allocations, nothing asked', async function () {
    mock.mockService('PeerMonitor', {})
    try {
      assert.deepEqual(await allocate(mock.rpc, options({ rmin: -1, rmax: -1 })), [])
    } finally {
      mock.mockService('PeerMonitor', { LatestMetrics: async (name) => [...(latest[name] ?? [])] })
    }
  })

  it('refuses invalid replication factors', async function () {
    for (const [rmin, rmax] of [[0, 1], [2, 1], [-1, 2], [1, -1], [-2, -2]] as const) {
      await assert.rejects(allocate(mock.rpc, options({ rmin, rmax })), RangeError, `${rmin}/${rmax}`)
    }
  })

  it('takes rmax peers when available, spread across groups, most free space first', async function () {
    assert.deepEqual(await allocate(mock.rpc, options({ rmin: 2, rmax: 3 })), [p[0], p[3], p[1]])
    assert.deepEqual(await allocate(mock.rpc, options({ rmin: 1, rmax: 1 })), [p[0]])
  })

  it('takes fewer than rmax but at least rmin when that is all there is', async function () {
    assert.deepEqual((await allocate(mock.rpc, options({ rmin: 2, rmax: 10 }))).length, 5)
  })

  it('peers without a valid ping are no candidates', async function () {
    latest.ping = latest.ping!.filter((m) => m.peer !== p[0] && m.peer !== p[3])
    assert.deepEqual(await allocate(mock.rpc, options({ rmin: 2, rmax: 2 })), [p[1], p[4]])
    const offered = Object.keys(requests[0]?.candidates ?? {}).sort()
    assert.deepEqual(offered, [p[1], p[2], p[4]].sort())
  })

  it('peers outside the peerset are no candidates, even with metrics', async function () {
    assert.deepEqual(await allocate(mock.rpc, options({ rmin: 1, rmax: 2, peers: [p[2] as string, p[4] as string] })), [p[2], p[4]])
  })

  it('honours the user allocations first', async function () {
    const answer = await allocate(mock.rpc, options({ rmin: 2, rmax: 3, userAllocations: [p[4] as string, p[2] as string] }))
    assert.deepEqual(answer, [p[2], p[4], p[0]])
  })

  it('skips user allocations that cannot take the pin (down, or not a peer)', async function () {
    const answer = await allocate(mock.rpc, options({ rmin: 2, rmax: 2, userAllocations: [p[5] as string, 'nobody', p[4] as string] }))
    assert.deepEqual(answer, [p[4], p[0]])
  })

  it('keeps the current allocations on re-allocation and adds from the other groups', async function () {
    // p5 (down) is replaced; p1 is kept and the new peer comes from group B
    const answer = await allocate(mock.rpc, options({ rmin: 2, rmax: 2, current: [p[1] as string, p[5] as string] }))
    assert.deepEqual(answer, [p[1], p[3]])
    assert.deepEqual(Object.keys(requests[0]?.current ?? {}), [p[1]])
  })

  it('answers the current allocations unchanged when there are at least rmin of them', async function () {
    const current = [p[4] as string, p[2] as string]
    assert.deepEqual(await allocate(mock.rpc, options({ rmin: 2, rmax: 3, current })), current)
    assert.equal(requests.length, 0, 'the allocator was not asked')
  })

  it('drops current allocations above rmax', async function () {
    assert.deepEqual(await allocate(mock.rpc, options({ rmin: 1, rmax: 2, current: [p[4] as string, p[2] as string, p[0] as string] })), [p[4], p[2]])
  })

  it('fails with InsufficientAllocationsError saying how many were needed and available', async function () {
    latest.ping = latest.ping!.filter((m) => m.peer === p[1] || m.peer === p[3])
    latest.freespace = latest.freespace!.filter((m) => m.peer !== p[3])
    const err = await allocate(mock.rpc, options({ rmin: 3, rmax: 4 })).then(() => undefined, (e: Error) => e)
    assert.ok(err instanceof InsufficientAllocationsError)
    assert.equal(err.name, 'InsufficientAllocationsError')
    assert.equal(err.needed, 3)
    assert.equal(err.wanted, 4)
    assert.deepEqual(err.available, [p[1]])
    assert.equal(err.message,
      'not enough peers to allocate CID. Needed at least: 3. Wanted at most: 4. Available candidates: 1. ' +
      'Cluster peers: 6. Current allocations kept: 0. Peers without a valid metric: 5 (ping: 4, tag:group: 1, freespace: 2).')
    assert.equal(requests.length, 0)
  })

  it('counts the kept allocations out of what is needed', async function () {
    const err = await allocate(mock.rpc, options({ rmin: 6, rmax: 6, current: [p[0] as string] })).then(() => undefined, (e: Error) => e)
    assert.ok(err instanceof InsufficientAllocationsError)
    assert.match(err.message, /^not enough peers to allocate CID\. Needed at least: 5\. Wanted at most: 5\. Available candidates: 4\. .*Current allocations kept: 1\./)
  })

  it('keeps the error name across the RPC wire', function () {
    const err = new InsufficientAllocationsError(CIDS.v1, 2, 3, ['x'])
    const received = fromWireError(toWireError(err))
    assert.equal(received.name, 'InsufficientAllocationsError')
    assert.equal(received.message, 'not enough peers to allocate CID. Needed at least: 2. Wanted at most: 3. Available candidates: 1.')
  })
})
