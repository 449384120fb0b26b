import { strict as assert } from 'node:assert'
import { BalancedAllocator } from '../../src/allocator/index.ts'
import { ClusterRpcMock } from '../fixtures/rpc-mock.ts'
import type { MetricJson } from '../../src/api/types.ts'
import type { AllocateRequest, PeerMetrics } from '../../src/rpc-api.ts'

const EXPIRE = 2_000_000_000_000 * 1_000_000

function tag (peer: string, group: string): MetricJson {
  return { name: 'tag:group', peer, value: group, expire: EXPIRE, valid: true, weight: 0, partitionable: true, received_at: 0 }
}

function free (peer: string, bytes: number): MetricJson {
  return { name: 'freespace', peer, value: String(bytes), expire: EXPIRE, valid: true, weight: bytes, partitionable: false, received_at: 0 }
}

/** Peers by id -> [group, free bytes]. */
function peers (spec: Record<string, [string, number]>): PeerMetrics {
  return Object.fromEntries(Object.entries(spec).map(([peer, [group, bytes]]) => [peer, [tag(peer, group), free(peer, bytes)]]))
}

function request (fields: Partial<AllocateRequest>): AllocateRequest {
  return { cid: 'bafy', current: {}, candidates: {}, priority: {}, ...fields }
}

describe('BalancedAllocator', function () {
  const byTagThenSpace = new BalancedAllocator({ rpc: undefined as never, config: { allocate_by: ['tag:group', 'freespace'] } })
  const bySpace = new BalancedAllocator({ rpc: undefined as never, config: { allocate_by: ['freespace'] } })
  // group A holds more free space in total (400) than group B (250)
  const cluster = peers({ a1: ['A', 100], a2: ['A', 300], b1: ['B', 200], b2: ['B', 50] })

  it('by freespace alone: most free space first', function () {
    assert.deepEqual(bySpace.allocate(request({ candidates: cluster })), ['a2', 'b1', 'a1', 'b2'])
  })

  it('by tag:group then freespace: alternates groups, the group with more space first, most space first within each', function () {
    assert.deepEqual(byTagThenSpace.allocate(request({ candidates: cluster })), ['a2', 'b1', 'a1', 'b2'])
    const uneven = peers({ a1: ['A', 100], a2: ['A', 300], a3: ['A', 10], b1: ['B', 200], c1: ['C', 1] })
    assert.deepEqual(byTagThenSpace.allocate(request({ candidates: uneven })), ['a2', 'b1', 'c1', 'a1', 'a3'])
  })

  it('counts the current allocations: the next peers come from the groups holding fewest', function () {
    const current = peers({ a0: ['A', 999] })
    assert.deepEqual(byTagThenSpace.allocate(request({ current, candidates: cluster })), ['b1', 'a2', 'b2', 'a1'])
    const twoInA = peers({ a0: ['A', 999], a9: ['A', 999] })
    assert.deepEqual(byTagThenSpace.allocate(request({ current: twoInA, candidates: cluster })).slice(0, 2), ['b1', 'b2'])
  })

  it('priority peers come first, ordered by the same rules, and count for the candidates after them', function () {
    const { a1, a2, b1, b2 } = cluster
    const answer = byTagThenSpace.allocate(request({ priority: { b2: b2!, a1: a1! }, candidates: { a2: a2!, b1: b1! } }))
    // a1 then b2 (group A has more space); then the candidates, both groups holding one already
    assert.deepEqual(answer, ['a1', 'b2', 'a2', 'b1'])
  })

  it('never repeats a current peer, nor a priority peer among the candidates', function () {
    const { a2 } = cluster
    const answer = byTagThenSpace.allocate(request({ current: { a2: a2! }, priority: { b1: cluster.b1! }, candidates: cluster }))
    assert.deepEqual(answer, ['b1', 'a1', 'b2'])
  })

  it('leaves out peers lacking one of the allocate_by metrics, or with an invalid one', function () {
    const candidates: PeerMetrics = {
      ...cluster,
      notag: [free('notag', 10_000)],
      invalid: [tag('invalid', 'A'), { ...free('invalid', 10_000), valid: false }]
    }
    assert.deepEqual(byTagThenSpace.allocate(request({ candidates })).sort(), ['a1', 'a2', 'b1', 'b2'])
  })

  it('breaks ties by peer id', function () {
    const same = peers({ p3: ['A', 100], p1: ['A', 100], p2: ['A', 100] })
    assert.deepEqual(bySpace.allocate(request({ candidates: same })), ['p1', 'p2', 'p3'])
    assert.deepEqual(byTagThenSpace.allocate(request({ candidates: same })), ['p1', 'p2', 'p3'])
    const groups = peers({ x: ['B', 100], y: ['A', 100] })
    assert.deepEqual(byTagThenSpace.allocate(request({ candidates: groups })), ['y', 'x'], 'equal groups: by value')
  })

  it('with no allocate_by, orders the candidates by peer id', function () {
    const none = new BalancedAllocator({ rpc: undefined as never, config: { allocate_by: [] } })
    assert.deepEqual(none.allocate(request({ candidates: { c: [], a: [], b: [] }, priority: { z: [] } })), ['z', 'a', 'b', 'c'])
  })

  it('serves Allocate and Metrics over RPC', async function () {
    const mock = await ClusterRpcMock.create(0)
    mock.mockService('Allocator', byTagThenSpace.service())
    assert.deepEqual(await mock.rpc.call(undefined, 'Allocator', 'Allocate', request({ candidates: cluster })), ['a2', 'b1', 'a1', 'b2'])
    assert.deepEqual(await mock.rpc.call(undefined, 'Allocator', 'Metrics', undefined), ['tag:group', 'freespace'])
  })
})
