import { strict as assert } from 'node:assert'
import { mergeStatusStreams } from '../../src/cluster/global-status.ts'
import type { PinInfoJson, TrackerStatus } from '../../src/api/types.ts'

function info (cid: string, peer: string, status: TrackerStatus): PinInfoJson {
  return {
    cid, name: `name-${cid}`, peer, allocations: [], origins: [], created: '2024-01-01T00:00:00Z', metadata: null,
    peername: `name-of-${peer}`, status, timestamp: '2024-01-01T00:00:00Z', error: '', attempt_count: 0, priority_pin: false
  }
}

async function * from (items: PinInfoJson[], failAfter?: number): AsyncGenerator<PinInfoJson> {
  let n = 0
  for (const item of items) {
    if (failAfter !== undefined && n++ === failAfter) throw new Error('connection reset')
    yield item
  }
  if (failAfter !== undefined && n === failAfter) throw new Error('connection reset')
}

async function collect<T> (it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

describe('global status: merging the peers\' streams by CID', function () {
  it('folds the items of equal CIDs into one peer_map, in CID order, whatever each peer lists', async function () {
    const merged = await collect(mergeStatusStreams([
      { peer: 'A', items: from([info('a', 'A', 'pinned'), info('c', 'A', 'pinned')]) },
      { peer: 'B', items: from([info('a', 'B', 'remote'), info('b', 'B', 'pinning'), info('c', 'B', 'pin_error')]) },
      { peer: 'C', items: from([]) }
    ], false))
    assert.deepEqual(merged.map((g) => [g.cid, Object.fromEntries(Object.entries(g.peer_map).map(([p, i]) => [p, i.status]))]), [
      ['a', { A: 'pinned', B: 'remote' }],
      ['b', { B: 'pinning' }],
      ['c', { A: 'pinned', B: 'pin_error' }]
    ])
    assert.equal(merged[0]?.name, 'name-a')
    assert.equal(merged[0]?.peer_map.A?.peername, 'name-of-A')
    assert.equal('peer' in (merged[0]?.peer_map.A ?? {}), false)
  })

  it('a peer whose stream fails shows cluster_error in later items when errors are wanted, and is left out otherwise', async function () {
    const streams = () => [
      { peer: 'A', items: from([info('a', 'A', 'pinned'), info('b', 'A', 'pinned')]) },
      { peer: 'B', items: from([info('a', 'B', 'pinned'), info('b', 'B', 'pinned')], 1) }
    ]
    const withErrors = await collect(mergeStatusStreams(streams(), true))
    assert.equal(withErrors[1]?.peer_map.B?.status, 'cluster_error')
    assert.equal(withErrors[1]?.peer_map.B?.error, 'connection reset')
    assert.equal(withErrors[1]?.peer_map.B?.peername, 'B')
    const without = await collect(mergeStatusStreams(streams(), false))
    assert.deepEqual(Object.keys(without[1]?.peer_map ?? {}), ['A'])
  })

  it('stopping early closes every peer\'s stream', async function () {
    let closed = 0
    const endless = async function * (peer: string): AsyncGenerator<PinInfoJson> {
      try {
        for (let i = 0; ; i++) yield info(String(i).padStart(8, '0'), peer, 'pinned')
      } finally {
        closed++
      }
    }
    let n = 0
    for await (const _ of mergeStatusStreams([{ peer: 'A', items: endless('A') }, { peer: 'B', items: endless('B') }], false)) {
      if (++n === 3) break
    }
    assert.equal(closed, 2)
  })
})
