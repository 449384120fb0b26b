import { strict as assert } from 'node:assert'
import { RANGE_SIZE, StatusRangeBuilder } from '../../src/api/status-range.ts'
import { mergeStatusStreams } from '../../src/cluster/global-status.ts'
import { MAX_EXTRAS, PinsetsDivergedError, mergeStatusRanges } from '../../src/cluster/range-merge.ts'
import { RpcUnknownMethodError } from '../../src/rpc/errors.ts'
import { statusMatcher } from '../../src/pintracker/status-filter.ts'
import type { GlobalPinInfoJson, PinInfoJson, TrackerStatus, TrackerStatusFilter } from '../../src/api/types.ts'
import type { CompactPinStatus, PinKeyRange, StatusRange } from '../../src/rpc-api.ts'
import type { PinBase } from '../../src/cluster/global-status.ts'

const T = '2024-01-01T00:00:00Z'

/** One peer's view: its pins in key order, each with a status, some with details (an operation's). */
interface Pin { cid: string, status: TrackerStatus, detail?: boolean }

function cidOf (i: number): string {
  return `bafy${String(i).padStart(7, '0')}`
}

function pins (indexes: Iterable<number>, status: (i: number) => TrackerStatus = () => 'pinned'): Pin[] {
  return [...indexes].map((i) => ({ cid: cidOf(i), status: status(i), ...(i % 97 === 0 ? { detail: true } : {}) }))
}

function range (from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, k) => from + k)
}

function compact (p: Pin, peer: string): CompactPinStatus {
  return p.detail === true
    ? { cid: p.cid, status: 'pin_error', timestamp: T, error: `failed on ${peer}`, attempt_count: 3 }
    : { cid: p.cid, status: p.status, timestamp: T }
}

function names (peer: string): NonNullable<CompactPinStatus['by']> {
  return { peername: `name-of-${peer}`, ipfs_peer_id: `ipfs-${peer}` }
}

/** What the peer's tracker streams as StatusRanges (through the real builder); `failAt`: throws after that many ranges. */
async function * rangesOf (peer: string, view: Pin[], failAt?: number): AsyncGenerator<StatusRange> {
  const builder = new StatusRangeBuilder(names(peer))
  let taken = 0
  for (const p of view) {
    if (p.detail === true) builder.addDetailed(compact(p, peer))
    else builder.add(p.cid, p.status)
    if (builder.full) {
      if (taken++ === failAt) throw new Error('connection reset')
      yield builder.take(p.cid)
    }
  }
  yield builder.take(undefined)
}

async function * relistOf (peer: string, view: Pin[], r: PinKeyRange): AsyncGenerator<CompactPinStatus> {
  let first = true
  for (const p of view) {
    if ((r.after !== undefined && p.cid <= r.after) || (r.through !== undefined && p.cid > r.through)) continue
    const item = compact(p, peer)
    if (first) item.by = names(peer)
    first = false
    yield item
  }
}

function ownInfo (p: Pin): PinInfoJson {
  return {
    cid: p.cid, name: `name-${p.cid}`, peer: 'A', allocations: [], origins: [], created: T, metadata: null,
    peername: 'name-of-A', status: p.status, timestamp: T, error: '', attempt_count: 0, priority_pin: false
  }
}

async function * from<T> (items: T[]): AsyncGenerator<T> {
  yield * items
}

async function collect<T> (it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

/** The pin's fields from A's state (as PinGet gives them), or the CID alone. */
function baseFrom (own: Pin[]): (cid: string) => Promise<PinBase> {
  const held = new Set(own.map((p) => p.cid))
  return async (cid) => held.has(cid)
    ? { cid, name: `name-${cid}`, allocations: [], origins: [], created: T, metadata: null }
    : { cid, name: '', allocations: [], origins: [], created: '0001-01-01T00:00:00Z', metadata: null }
}

/** The listing with every timestamp set to T (a range stamps its statuses with its own time). */
function normalized (listing: GlobalPinInfoJson[]): unknown[] {
  return listing.map((g) => ({ ...g, peer_map: Object.fromEntries(Object.entries(g.peer_map).map(([p, s]) => [p, { ...s, timestamp: T }])) }))
}

interface Run {
  own: Pin[]
  others: Record<string, Pin[]>
  filter?: TrackerStatusFilter[]
  ranges?: (peer: string, view: Pin[]) => AsyncIterable<StatusRange>
}

async function byRanges (run: Run): Promise<{ listing: GlobalPinInfoJson[], relisted: PinKeyRange[] }> {
  const relisted: PinKeyRange[] = []
  const listing = await collect(mergeStatusRanges(
    from(run.own.map(ownInfo)),
    Object.entries(run.others).map(([peer, view]) => ({ peer, ranges: (run.ranges ?? rangesOf)(peer, view) })),
    {
      match: statusMatcher(run.filter ?? []),
      relist: (peer, r) => { relisted.push(r); return relistOf(peer, run.others[peer] ?? [], r) },
      baseOf: baseFrom(run.own)
    }))
  return { listing, relisted }
}

/** The item-by-item merge of the same views: what the ranges must give. */
async function itemByItem (run: Run): Promise<GlobalPinInfoJson[]> {
  const match = statusMatcher(run.filter ?? [])
  return collect(mergeStatusStreams([
    { peer: 'A', items: from(run.own.map(ownInfo).filter((i) => match(i.status))) },
    ...Object.entries(run.others).map(([peer, view]) => ({ peer, compact: relistOf(peer, view.filter((p) => match(compact(p, peer).status)), {}) }))
  ], match('cluster_error'), baseFrom(run.own)))
}

describe('global status: merging by ranges', function () {
  it('peers holding the same pins send a byte per pin, and the listing equals the item-by-item merge', async function () {
    const n = 2 * RANGE_SIZE + 123
    const run: Run = {
      own: pins(range(0, n)),
      others: { B: pins(range(0, n), (i) => i % 3 === 0 ? 'remote' : 'pinned'), C: pins(range(0, n), () => 'unexpectedly_unpinned') }
    }
    const { listing, relisted } = await byRanges(run)
    assert.equal(listing.length, n)
    assert.deepEqual(relisted, [], 'no range needed re-listing')
    assert.deepEqual(normalized(listing), normalized(await itemByItem(run)))
    // details go through whole; the others take the peer's names from its first range
    const detailed = listing[97]?.peer_map.B
    assert.deepEqual([detailed?.status, detailed?.error, detailed?.attempt_count, detailed?.ipfs_peer_id], ['pin_error', 'failed on B', 3, 'ipfs-B'])
    assert.deepEqual([listing[3]?.peer_map.B?.status, listing[3]?.peer_map.B?.peername, listing[4]?.peer_map.C?.status], ['remote', 'name-of-B', 'unexpectedly_unpinned'])
  })

  it('a range whose pins differ is re-listed: pins only another peer has are listed, pins it lacks get no entry', async function () {
    const n = 3 * RANGE_SIZE
    const own = pins(range(0, n).filter((i) => i % 1000 !== 7))
    // B lacks some of A's pins and has some A lacks; C lacks a whole stretch (a peer catching up)
    const B = pins(range(0, n).filter((i) => i % 1500 !== 11))
    const C = pins(range(0, n).filter((i) => i < 100 || i > RANGE_SIZE + 500))
    const run: Run = { own, others: { B, C } }
    const { listing, relisted } = await byRanges(run)
    assert.ok(relisted.length > 0)
    assert.deepEqual(normalized(listing), normalized(await itemByItem(run)))
    const only = listing.find((g) => g.cid === cidOf(7))
    assert.deepEqual(Object.keys(only?.peer_map ?? {}).sort(), ['B', 'C'], 'a pin A lacks is listed with its holders')
    assert.equal(only?.name, '', 'and the fields baseOf gives')
    assert.deepEqual(Object.keys(listing.find((g) => g.cid === cidOf(11))?.peer_map ?? {}), ['A', 'C'])
  })

  it('applies the filter to every peer\'s statuses, and leaves out pins no peer matches', async function () {
    const n = RANGE_SIZE + 10
    const run: Run = { own: pins(range(0, n), (i) => i % 2 === 0 ? 'pinned' : 'pinning'), others: { B: pins(range(0, n), (i) => i % 4 === 0 ? 'remote' : 'pinned') }, filter: ['pinning', 'error'] }
    const { listing } = await byRanges(run)
    assert.deepEqual(normalized(listing), normalized(await itemByItem(run)))
    assert.ok(listing.every((g) => Object.values(g.peer_map).every((s) => ['pinning', 'pin_error'].includes(s.status))))
  })

  it('a peer whose stream fails shows cluster_error from then on when errors are wanted', async function () {
    const n = 3 * RANGE_SIZE
    const run: Run = { own: pins(range(0, n)), others: { B: pins(range(0, n)) }, ranges: (peer, view) => rangesOf(peer, view, 1) }
    const { listing } = await byRanges(run)
    assert.equal(listing.length, n)
    assert.equal(listing[1]?.peer_map.B?.status, 'pinned')
    assert.deepEqual([listing[n - 1]?.peer_map.B?.status, listing[n - 1]?.peer_map.B?.error], ['cluster_error', 'connection reset'])
    const { listing: pinnedOnly } = await byRanges({ ...run, filter: ['pinned'] })
    assert.deepEqual(Object.keys(pinnedOnly[n - 1]?.peer_map ?? {}), ['A'])
  })

  it('a peer without StatusRanges (an earlier version) is listed item by item', async function () {
    const n = RANGE_SIZE + 50
    // eslint-disable-next-line require-yield
    async function * unknown (): AsyncGenerator<StatusRange> { throw new RpcUnknownMethodError('unknown method PinTracker.StatusRanges') }
    const run: Run = { own: pins(range(0, n)), others: { B: pins(range(0, n), () => 'remote') }, ranges: () => unknown() }
    const { listing, relisted } = await byRanges(run)
    assert.deepEqual(relisted, [{}])
    assert.deepEqual(normalized(listing), normalized(await itemByItem(run)))
  })

  it('stops with PinsetsDivergedError, naming the last pin listed, when another peer has far more pins', async function () {
    const run: Run = { own: pins([0, 1, MAX_EXTRAS * 3]), others: { B: pins(range(0, MAX_EXTRAS * 3)) } }
    const seen: string[] = []
    await assert.rejects(async () => {
      for await (const g of mergeStatusRanges(from(run.own.map(ownInfo)), [{ peer: 'B', ranges: rangesOf('B', run.others.B ?? []) }], {
        match: () => true, relist: (peer, r) => relistOf(peer, run.others.B ?? [], r), baseOf: baseFrom(run.own)
      })) seen.push(g.cid)
    }, (err: Error) => err instanceof PinsetsDivergedError && err.after === seen.at(-1))
    assert.ok(seen.length < MAX_EXTRAS + 3, 'it did not hold the whole difference')
  })
})
