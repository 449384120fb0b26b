import { strict as assert } from 'node:assert'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { logger } from '@libp2p/logger'
import { Requests } from '../../src/api/pinsvc/requests.ts'
import { StatusSync } from '../../src/api/pinsvc/status-sync.ts'
import { parsePin } from '../../src/api/pin.ts'
import { ClusterRpcMock } from '../fixtures/rpc-mock.ts'
import { rangeOf, statusPrefix } from '../../src/api/pinsvc/store/keys.ts'
import { RequestStore } from '../../src/api/pinsvc/store/request-store.ts'
import { eventually } from '../fixtures/eventually.ts'
import type { StatusLookup } from '../../src/api/pinsvc/pin-status.ts'
import type { SpecStatus } from '../../src/api/pinsvc/types.ts'

const CID_A = 'bafkreigan6crihips7vhml37auwgt6hamlj6dscpigbsyvvk5grbs4itoq'
const CID_B = 'bafkreihojzh2yhjcsfocaelnywmsfwsbmtorz6tiswmq6mczsokzuftjau'

describe('pinning service: status sync and owed unpins', function () {
  let dir: string
  let store: RequestStore
  /** What the cluster says of each CID now. */
  const live = new Map<string, SpecStatus>()
  let leftoverPasses = 0
  const lookup = { of: async (cid: string) => ({ status: live.get(cid) ?? 'failed', delegates: [] }) } as unknown as StatusLookup
  const requests = { unpinLeftovers: async () => { leftoverPasses++ } } as unknown as Requests

  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), 'pincluster-pinsvc-sync-'))
    store = new RequestStore(join(dir, 'requests'))
    await store.open()
    live.clear()
    leftoverPasses = 0
  })

  afterEach(async function () {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  const sync = (fullInterval: number): StatusSync => new StatusSync({ store, lookup, requests, log: logger('test:pinsvc:sync'), pendingInterval: 20, fullInterval })
  const statusOf = async (id: string): Promise<SpecStatus | undefined> => (await store.get(id))?.status

  it('follows the pending requests every pass, and the settled ones only on a full pass; retries leftover unpins every pass', async function () {
    const pending = await store.create({ cid: CID_A, name: 'a', origins: [], meta: {} }, 'queued')
    const settled = await store.create({ cid: CID_B, name: 'b', origins: [], meta: {} }, 'pinned')
    live.set(CID_A, 'pinned')
    live.set(CID_B, 'failed')

    const quick = sync(3_600_000)
    quick.start()
    try {
      await eventually(async () => await statusOf(pending.id) === 'pinned', 'the queued request is pinned')
      await eventually(() => leftoverPasses >= 2, 'leftover unpins are retried on every pass')
    } finally {
      await quick.stop()
    }
    assert.equal(await statusOf(settled.id), 'pinned', 'a settled request waits for the full pass')

    const full = sync(0)
    full.start()
    try {
      await eventually(async () => await statusOf(settled.id) === 'failed', 'the full pass finds the pinned request failed')
    } finally {
      await full.stop()
    }
    // listing by status reads the recorded one
    const failed: string[] = []
    for await (const id of store.ids(statusPrefix('failed'), rangeOf(statusPrefix('failed'), {}), { oldestFirst: true })) failed.push(id)
    assert.deepEqual(failed, [settled.id])
  })

  it('an unpin the cluster refused stays marked and is tried again until it goes through; one wanted again is left pinned', async function () {
    const mock = await ClusterRpcMock.create()
    const unpinned: string[] = []
    let refuse = true
    mock.cluster.Unpin = async (cid) => {
      if (refuse) throw new Error('the cluster has no leader')
      unpinned.push(cid)
      return parsePin({ cid })
    }
    const real = new Requests({ rpc: mock.rpc, store, lookup, log: logger('test:pinsvc:requests') })
    const signal = AbortSignal.timeout(20_000)
    const marks = async (): Promise<string[]> => {
      const out: string[] = []
      for await (const cid of store.unpinMarks(signal)) out.push(cid)
      return out
    }
    const a = await store.create({ cid: CID_A, name: 'a', origins: [], meta: {} }, 'pinned')
    const b = await store.create({ cid: CID_B, name: 'b', origins: [], meta: {} }, 'pinned')
    await real.remove(a.id, signal)
    await real.remove(b.id, signal)
    assert.deepEqual(unpinned, [])
    assert.deepEqual((await marks()).sort(), [CID_A, CID_B].sort(), 'both unpins are owed')

    // someone asks for CID_B again before the retry
    await store.create({ cid: CID_B, name: 'b again', origins: [], meta: {} }, 'pinned')
    refuse = false
    await real.unpinLeftovers(signal)
    assert.deepEqual(unpinned, [CID_A])
    assert.deepEqual(await marks(), [], 'nothing is owed any more')
  })
})
