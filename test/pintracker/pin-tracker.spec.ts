import { strict as assert } from 'node:assert'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { parsePin } from '../../src/api/pin.ts'
import { DETAILED, cidHash, statusOfCode } from '../../src/api/status-range.ts'
import { PinTracker } from '../../src/pintracker/pin-tracker.ts'
import { eventually } from '../fixtures/eventually.ts'
import { ClusterRpcMock, PinNotFoundError, randomPeerId } from '../fixtures/rpc-mock.ts'
import type { IpfsPinType, PinInfoJson, PinJson } from '../../src/api/types.ts'
import type { StatelessTrackerSection } from '../../src/config/types.ts'
import type { StatusRange } from '../../src/rpc-api.ts'

/** Four raw-block CIDs in the pinset's (string) order. */
const CIDS: string[] = []

/** An IPFS node in memory whose pins can be made to hang or fail. */
class FakeIpfs {
  readonly pins = new Map<string, 'recursive' | 'direct'>()
  readonly pinCalls: string[] = []
  readonly unpinCalls: string[] = []
  /** CIDs whose Pin waits until released (or aborted). */
  readonly held = new Map<string, PromiseWithResolvers<void>>()
  /** CIDs whose Pin fails. */
  readonly failing = new Set<string>()
  /** Signals of Pin calls, by CID, to observe cancellation. */
  readonly signals = new Map<string, AbortSignal>()

  hold (cid: string): PromiseWithResolvers<void> {
    const gate = Promise.withResolvers<void>()
    this.held.set(cid, gate)
    return gate
  }

  service () {
    return {
      ID: async () => ({ id: '12D3KooWIpfsNode', addresses: ['/ip4/127.0.0.1/tcp/4001'], error: '' }),
      Pin: async ({ cid, mode }: { cid: string, mode: 'recursive' | 'direct' }, { signal }: { signal: AbortSignal }) => {
        this.pinCalls.push(cid)
        this.signals.set(cid, signal)
        const gate = this.held.get(cid)
        if (gate != null) {
          await new Promise<void>((resolve, reject) => {
            gate.promise.then(resolve, reject)
            signal.addEventListener('abort', () => { reject(signal.reason) }, { once: true })
          })
        }
        if (this.failing.has(cid)) throw new Error(`no provider for ${cid}`)
        this.pins.set(cid, mode)
      },
      Unpin: async (cid: string) => {
        this.unpinCalls.push(cid)
        this.pins.delete(cid)
      },
      PinLsCid: async (cid: string): Promise<IpfsPinType> => this.pins.get(cid) ?? 'unpinned',
      PinLs: (_arg: unknown, { signal }: { signal: AbortSignal }) => (async function * (pins: Map<string, 'recursive' | 'direct'>) {
        for (const [cid, type] of pins) {
          signal.throwIfAborted()
          yield { cid, type }
        }
      })(this.pins)
    }
  }
}

const CONFIG: StatelessTrackerSection = { max_pin_queue_size: 100, concurrent_pins: 2, priority_pin_max_age: 24 * 3600_000, priority_pin_max_retries: 5 }

describe('pin tracker (stateless)', function () {
  before(async function () {
    for (let i = 0; i < 4; i++) CIDS.push(CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(`block ${i}`))).toString())
    CIDS.sort()
  })

  let mock: ClusterRpcMock
  let ipfs: FakeIpfs
  let state: Map<string, PinJson>
  let tracker: PinTracker
  let self: string
  let other: string

  async function startTracker (config: Partial<StatelessTrackerSection> = {}, recoverAtStart = false): Promise<void> {
    tracker = new PinTracker({ rpc: mock.rpc, self, peername: 'tracker-test', config: { ...CONFIG, ...config }, recoverInterval: 3600_000, recoverAtStart })
    mock.server.register('PinTracker', tracker.service())
    await tracker.start()
  }

  function pin (cid: string, overrides: Partial<PinJson> = {}): PinJson {
    const p = { ...parsePin({ cid, replication_factor_min: -1, replication_factor_max: -1, timestamp: new Date().toISOString() }), ...overrides }
    state.set(p.cid, p)
    return p
  }

  async function track (p: PinJson): Promise<void> {
    await mock.rpc.call(undefined, 'PinTracker', 'Track', p)
  }

  async function status (cid: string): Promise<PinInfoJson> {
    return mock.rpc.call(undefined, 'PinTracker', 'Status', cid)
  }

  async function statusAll (filter: Array<'pinned' | 'error' | 'queued' | 'remote' | 'unexpectedly_unpinned' | 'pin_error'> = []): Promise<PinInfoJson[]> {
    const out: PinInfoJson[] = []
    for await (const info of mock.rpc.stream(undefined, 'PinTracker', 'StatusAll', { filter })) out.push(info)
    return out
  }

  async function untilStatus (cid: string, wanted: string): Promise<PinInfoJson> {
    let last: PinInfoJson | undefined
    await eventually(async () => (last = await status(cid)).status === wanted, `${cid} is ${wanted} (last: ${last?.status ?? '-'})`)
    return last as PinInfoJson
  }

  /** Four pins, one per status: pinned, remote, unexpectedly_unpinned, pin_error. */
  async function fourStatuses (): Promise<void> {
    await startTracker()
    ipfs.pins.set(CIDS[0]!, 'recursive')
    pin(CIDS[0]!)
    pin(CIDS[1]!, { allocations: [other] })
    pin(CIDS[2]!)
    ipfs.failing.add(CIDS[3]!)
    await track(pin(CIDS[3]!))
    await untilStatus(CIDS[3]!, 'pin_error')
  }

  beforeEach(async function () {
    mock = await ClusterRpcMock.create(1)
    self = mock.peerId.toString()
    other = (await randomPeerId()).toString()
    ipfs = new FakeIpfs()
    state = new Map()
    mock.mockService('IPFSConnector', ipfs.service())
    mock.mockService('Consensus', {
      PinGet: async (cid) => {
        const p = state.get(cid)
        if (p == null) throw new PinNotFoundError(cid)
        return p
      },
      Pins: (_arg, { signal }) => (async function * () {
        for (const cid of [...state.keys()].sort()) {
          signal.throwIfAborted()
          const p = state.get(cid)
          if (p != null) yield p
        }
      })()
    })
  })

  afterEach(async function () {
    await tracker?.stop()
  })

  it('pins what is allocated here and then reports it pinned, with this peer and its IPFS node', async function () {
    await startTracker()
    await track(pin(CIDS[0]!, { allocations: [self, other] }))
    const info = await untilStatus(CIDS[0]!, 'pinned')
    assert.deepEqual(ipfs.pinCalls, [CIDS[0]])
    assert.equal(info.peer, self)
    assert.equal(info.peername, 'tracker-test')
    assert.equal(info.ipfs_peer_id, '12D3KooWIpfsNode')
    assert.deepEqual(info.allocations, [self, other])
    assert.equal(info.error, '')
  })

  it('reports a pin allocated elsewhere as remote, and unpins it from the IPFS node if it held it', async function () {
    await startTracker()
    ipfs.pins.set(CIDS[1]!, 'recursive')
    await track(pin(CIDS[1]!, { allocations: [other] }))
    await eventually(() => ipfs.unpinCalls.includes(CIDS[1]!), 'the IPFS node lets it go')
    assert.equal((await status(CIDS[1]!)).status, 'remote')
    assert.deepEqual(ipfs.pinCalls, [])
  })

  it('shows pinning while in flight, pin_error with attempt_count after a failure, and recovers', async function () {
    await startTracker()
    const gate = ipfs.hold(CIDS[0]!)
    ipfs.failing.add(CIDS[0]!)
    await track(pin(CIDS[0]!))
    await untilStatus(CIDS[0]!, 'pinning')
    gate.resolve()
    const failed = await untilStatus(CIDS[0]!, 'pin_error')
    assert.equal(failed.attempt_count, 1)
    assert.match(failed.error, /no provider/)
    ipfs.held.delete(CIDS[0]!)
    ipfs.failing.delete(CIDS[0]!)
    const recovered = await mock.rpc.call(undefined, 'PinTracker', 'Recover', CIDS[0]!)
    assert.ok(['pin_queued', 'pinning', 'pinned'].includes(recovered.status), recovered.status)
    await untilStatus(CIDS[0]!, 'pinned')
  })

  it('an unpin arriving while the pin is in flight cancels it', async function () {
    await startTracker()
    ipfs.hold(CIDS[2]!)
    const p = pin(CIDS[2]!)
    await track(p)
    await untilStatus(CIDS[2]!, 'pinning')
    state.delete(p.cid)
    await mock.rpc.call(undefined, 'PinTracker', 'Untrack', p.cid)
    const signal = ipfs.signals.get(CIDS[2]!)
    assert.ok(signal?.aborted, 'the IPFS pin call was aborted')
    assert.equal(signal.reason.name, 'OperationCancelledError')
    await untilStatus(CIDS[2]!, 'unpinned')
    assert.equal(ipfs.pins.has(CIDS[2]!), false)
  })

  it('a pin removed behind the tracker\'s back is unexpectedly_unpinned, and recover pins it again', async function () {
    await startTracker()
    await track(pin(CIDS[3]!))
    await untilStatus(CIDS[3]!, 'pinned')
    ipfs.pins.delete(CIDS[3]!)
    await untilStatus(CIDS[3]!, 'unexpectedly_unpinned')
    const requeued: PinInfoJson[] = []
    for await (const info of mock.rpc.stream(undefined, 'PinTracker', 'RecoverAll', undefined)) requeued.push(info)
    assert.deepEqual(requeued.map((i) => i.cid), [CIDS[3]])
    await untilStatus(CIDS[3]!, 'pinned')
    assert.deepEqual(ipfs.pinCalls, [CIDS[3], CIDS[3]])
  })

  it('a full queue refuses with a clear error, shown in the status', async function () {
    await startTracker({ concurrent_pins: 1, max_pin_queue_size: 1 })
    ipfs.hold(CIDS[0]!)
    await track(pin(CIDS[0]!))
    await untilStatus(CIDS[0]!, 'pinning')
    await track(pin(CIDS[1]!))
    await assert.rejects(track(pin(CIDS[2]!)), (err: Error) => {
      assert.equal(err.name, 'PinQueueFullError')
      assert.match(err.message, /queue is full .*max_pin_queue_size/)
      return true
    })
    const info = await status(CIDS[2]!)
    assert.equal(info.status, 'pin_error')
    assert.match(info.error, /queue is full/)
    assert.equal(await mock.rpc.call(undefined, 'PinTracker', 'PinQueueSize', undefined), 1)
  })

  it('young pins go to the priority queue and are served before old ones', async function () {
    await startTracker({ concurrent_pins: 1, priority_pin_max_age: 3600_000 })
    const blocker = ipfs.hold(CIDS[0]!)
    await track(pin(CIDS[0]!))
    await untilStatus(CIDS[0]!, 'pinning')
    const old = new Date(Date.now() - 2 * 3600_000).toISOString()
    await track(pin(CIDS[1]!, { timestamp: old }))
    await track(pin(CIDS[2]!))
    assert.equal((await status(CIDS[2]!)).priority_pin, true)
    assert.equal((await status(CIDS[1]!)).priority_pin, false)
    blocker.resolve()
    await untilStatus(CIDS[1]!, 'pinned')
    assert.deepEqual(ipfs.pinCalls, [CIDS[0], CIDS[2], CIDS[1]])
  })

  it('StatusAll streams every pin in CID order and filters by status', async function () {
    await fourStatuses()
    const all = await statusAll()
    assert.deepEqual(all.map((i) => [i.cid, i.status]), [
      [CIDS[0], 'pinned'], [CIDS[1], 'remote'], [CIDS[2], 'unexpectedly_unpinned'], [CIDS[3], 'pin_error']
    ])
    assert.deepEqual((await statusAll(['error'])).map((i) => i.cid), [CIDS[3]])
    assert.deepEqual((await statusAll(['pinned', 'remote'])).map((i) => i.cid), [CIDS[0], CIDS[1]])
  })

  it('StatusRanges gives each pin\'s status as a byte, in full where an operation adds to it, with a count and digest of the keys', async function () {
    await fourStatuses()
    const ranges: StatusRange[] = []
    for await (const r of mock.rpc.stream(undefined, 'PinTracker', 'StatusRanges', undefined)) ranges.push(r)
    assert.equal(ranges.length, 1, 'four pins: one range, the last')
    const [range] = ranges as [StatusRange]
    assert.equal(range.through, undefined)
    assert.equal(range.count, 4)
    assert.equal(range.digest, CIDS.slice(0, 4).reduce((sum, cid) => (sum + cidHash(cid)) >>> 0, 0))
    assert.deepEqual([...range.codes].map((c) => c === DETAILED ? 'detailed' : statusOfCode(c)), ['pinned', 'remote', 'unexpectedly_unpinned', 'detailed'])
    assert.deepEqual(range.details.map((d) => [d.cid, d.status, d.attempt_count]), [[CIDS[3], 'pin_error', 1]])
    assert.match(range.details[0]?.error ?? '', /no provider/)
    assert.equal(range.by?.peername, 'tracker-test')
    assert.equal(range.by?.ipfs_peer_id, '12D3KooWIpfsNode')
  })

  it('right after start, a recover pass pins what is allocated here but missing from the IPFS node', async function () {
    ipfs.pins.set(CIDS[0]!, 'recursive')
    pin(CIDS[0]!)
    pin(CIDS[1]!)
    pin(CIDS[2]!, { allocations: [other] })
    await startTracker({}, true)
    await untilStatus(CIDS[1]!, 'pinned')
    assert.deepEqual(ipfs.pinCalls, [CIDS[1]])
  })

  it('the recover pass waits for room in the queue instead of filling it (memory stays flat)', async function () {
    const many: string[] = []
    for (let i = 0; i < 30; i++) many.push(CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(`lost ${i}`))).toString())
    // the pass goes in the pinset's order
    many.sort()
    const gates = many.map((cid) => ipfs.hold(cid))
    for (const cid of many) pin(cid)
    await startTracker({ concurrent_pins: 2, max_pin_queue_size: 5 }, true)
    let largest = 0
    for (let i = 0; i < many.length; i++) {
      await eventually(() => ipfs.pinCalls.length > i, `pin ${i} started`)
      largest = Math.max(largest, await mock.rpc.call(undefined, 'PinTracker', 'PinQueueSize', undefined))
      gates[i]!.resolve()
    }
    for (const cid of many) await untilStatus(cid, 'pinned')
    assert.ok(largest <= 5, `the queue held ${largest}`)
    assert.equal(ipfs.pinCalls.length, many.length, 'each pin tried once: none was refused for a full queue')
  })

  it('a CID not in the pinset is unpinned; a malformed one is a validation error', async function () {
    await startTracker()
    assert.equal((await status(CIDS[0]!)).status, 'unpinned')
    await assert.rejects(status('not-a-cid'), { name: 'PinValidationError' })
  })

  it('a direct pin is pinned when IPFS holds the block directly', async function () {
    await startTracker()
    await track(pin(CIDS[0]!, { mode: 'direct', max_depth: 0 }))
    await untilStatus(CIDS[0]!, 'pinned')
    assert.equal(ipfs.pins.get(CIDS[0]!), 'direct')
  })
})
