import { strict as assert } from 'node:assert'
import { mergeStatusStreams } from '../../src/cluster/global-status.ts'
import { compactStatus } from '../../src/pintracker/pin-info.ts'
import type { PinInfoJson, TrackerStatus } from '../../src/api/types.ts'
import type { CompactPinStatus } from '../../src/rpc-api.ts'

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

  it('compact streams carry the peer\'s names once; the pins\' fields come from a full stream or from baseOf', async function () {
    async function * compact (items: PinInfoJson[]): AsyncGenerator<CompactPinStatus> {
      let first = true
      for (const item of items) {
        yield compactStatus(item, first)
        first = false
      }
    }
    const fromB = [info('a', 'B', 'pinned'), info('b', 'B', 'pin_error'), info('c', 'B', 'pinning')].map((i) => ({ ...i, ipfs_peer_id: 'ipfs-of-B', ipfs_peer_addresses: ['/ip4/127.0.0.1/tcp/4001'] }))
    fromB[1]!.error = 'no space left'
    fromB[1]!.attempt_count = 2
    const asked: string[] = []
    const merged = await collect(mergeStatusStreams([
      { peer: 'A', items: from([info('a', 'A', 'pinned'), info('c', 'A', 'remote')]) },
      { peer: 'B', compact: compact(fromB) }
    ], false, async (cid) => {
      asked.push(cid)
      return { cid, name: `state-name-${cid}`, allocations: ['B'], origins: [], created: '2024-01-01T00:00:00Z', metadata: null }
    }))
    assert.deepEqual(asked, ['b'])
    assert.deepEqual(merged.map((g) => g.name), ['name-a', 'state-name-b', 'name-c'])
    for (const g of merged) {
      assert.deepEqual(g.peer_map.B, {
        peername: 'name-of-B', ipfs_peer_id: 'ipfs-of-B', ipfs_peer_addresses: ['/ip4/127.0.0.1/tcp/4001'],
        status: fromB.find((i) => i.cid === g.cid)?.status, timestamp: '2024-01-01T00:00:00Z',
        error: g.cid === 'b' ? 'no space left' : '', attempt_count: g.cid === 'b' ? 2 : 0, priority_pin: false
      })
    }
    assert.deepEqual(Object.keys(merged[1]!.peer_map), ['B'])
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
