import { strict as assert } from 'node:assert'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { pinKey } from '../../src/api/pin.ts'
import { LIST_BATCH, PinState } from '../../src/state/pin-state.ts'
import { TempFolders, cidOf, collect, fill, fullPin, openState, simplePin } from './helpers.ts'

describe('PinState', function () {
  const folders = new TempFolders()
  afterEach(async function () { await folders.cleanup() })

  it('round-trips every field of a pin, and keeps it across a reopen', async function () {
    const path = join(await folders.make(), 'pinset')
    let state = new PinState({ path })
    await state.open()
    const pin = await fullPin()
    await state.add(pin)
    assert.deepEqual(await state.get(pin.cid), pin)
    assert.equal(await state.has(pin.cid), true)
    assert.deepEqual(await collect(state.list()), [pin])
    const [raw] = await collect(state.listRaw())
    assert.equal(new TextDecoder().decode(raw), JSON.stringify(pin))

    await state.batch([{ type: 'put', pin: simplePin(5) }], { appliedIndex: 9 })
    await state.close()
    state = new PinState({ path })
    await state.open()
    assert.deepEqual(await state.get(pin.cid), pin)
    assert.deepEqual(await state.get(cidOf(5)), simplePin(5))
    assert.equal(await state.count(), 2)
    assert.equal(await state.appliedIndex(), 9)
    await state.close()
  })

  it('get, has and rm of absent pins; lookups by any form of the CID', async function () {
    const state = await openState(folders)
    assert.equal(await state.get(cidOf(1)), undefined)
    assert.equal(await state.has(cidOf(1)), false)
    await state.rm(cidOf(1))
    await state.add(simplePin(1))
    const { CID } = await import('multiformats/cid')
    const { base58btc } = await import('multiformats/bases/base58')
    assert.equal(await state.has(CID.parse(cidOf(1)).toString(base58btc)), true)
    await state.rm(cidOf(1))
    assert.equal(await state.has(cidOf(1)), false)
    await assert.rejects(state.get('nope'), { name: 'PinValidationError' })
    await state.close()
  })

  it('lists 50,000 pins in key order, streamed', async function () {
    const state = await openState(folders)
    const n = 50_000
    await fill(state, n)
    assert.equal(await state.count(), n)

    const started = performance.now()
    let firstAfter = 0
    let previous = ''
    let seen = 0
    for await (const pin of state.list()) {
      if (seen === 0) firstAfter = performance.now() - started
      const key = pinKey(pin.cid)
      assert.ok(key > previous, `${key} after ${previous}`)
      previous = key
      seen++
    }
    const all = performance.now() - started
    assert.equal(seen, n)
    console.log(`      first pin after ${firstAfter.toFixed(1)} ms, all ${n} after ${all.toFixed(0)} ms`)

    // the first item comes after one read of the database iterator: no more is read ahead than one batch
    const sorted = Array.from({ length: n }, (_, i) => pinKey(cidOf(i))).sort()
    const reads = spyOnIteratorReads(state)
    for await (const pin of state.list()) {
      assert.equal(pin.cid, sorted[0])
      assert.equal(reads.calls, 1, 'one read of the database for the first item listed')
      assert.ok(reads.items >= 1 && reads.items <= LIST_BATCH, `${reads.items} pins read: at most one batch`)
      break
    }
    assert.equal(reads.closed, true, 'breaking early closes the database iterator')
    await state.close()
  })

  it('a list aborted by its signal stops with the abort reason', async function () {
    const state = await openState(folders)
    await fill(state, 100)
    const controller = new AbortController()
    await assert.rejects((async () => {
      let n = 0
      for await (const _ of state.list({ signal: controller.signal })) if (++n === 10) controller.abort(new Error('enough'))
    })(), /enough/)
    await state.close()
  })

  it('applies a batch atomically with its applied index', async function () {
    const path = join(await folders.make(), 'pinset')
    const state = new PinState({ path })
    await state.open()
    assert.equal(await state.appliedIndex(), 0)
    await fill(state, 10)
    await state.batch([
      { type: 'put', pin: simplePin(100) },
      { type: 'del', cid: cidOf(0) },
      { type: 'put', pin: simplePin(101) }
    ], { appliedIndex: 5, sync: true })
    assert.equal(await state.appliedIndex(), 5)
    assert.equal(await state.count(), 11)
    assert.equal(await state.has(cidOf(0)), false)

    // an op that cannot be applied means none is, and the index stays
    await assert.rejects(state.batch([
      { type: 'put', pin: simplePin(200) },
      { type: 'del', cid: 'not-a-cid' }
    ], { appliedIndex: 6 }), { name: 'PinValidationError' })
    assert.equal(await state.has(cidOf(200)), false)
    assert.equal(await state.appliedIndex(), 5)

    // the index never goes back through a batch
    await assert.rejects(state.batch([], { appliedIndex: 4 }), RangeError)
    await state.batch([], { appliedIndex: 7 })
    await state.close()

    // the index and the pins are in the database together, under the documented keys
    const db = new ClassicLevel<string, string>(path, { keyEncoding: 'utf8', valueEncoding: 'utf8' })
    await db.open()
    assert.equal(await db.get('/meta/applied-index'), '7')
    assert.equal(JSON.parse(await db.get(`/pins/0/${cidOf(100)}`) ?? 'null').cid, cidOf(100))
    await db.close()
  })

  it('clear removes every pin and the applied index', async function () {
    const path = join(await folders.make(), 'pinset')
    let state = new PinState({ path })
    await state.open()
    await fill(state, 1000)
    await state.batch([], { appliedIndex: 3 })
    await state.clear()
    assert.equal(await state.count(), 0)
    assert.equal(await state.appliedIndex(), 0)
    await state.add(simplePin(1))
    await state.close()
    state = new PinState({ path })
    await state.open()
    assert.deepEqual(await collect(state.list()), [simplePin(1)])
    await state.close()
  })

  it('drops the leftovers of an interrupted replacement at open', async function () {
    const path = join(await folders.make(), 'pinset')
    let state = new PinState({ path })
    await state.open()
    await fill(state, 10)
    await state.close()
    // what a crash in the middle of a replacement leaves: pins in the next generation, not switched to
    const db = new ClassicLevel<string, string>(path, { keyEncoding: 'utf8', valueEncoding: 'utf8' })
    await db.open()
    await db.put(`/pins/1/${cidOf(99)}`, JSON.stringify(simplePin(99)))
    await db.close()
    state = new PinState({ path })
    await state.open()
    assert.equal(await state.count(), 10)
    assert.equal(await state.has(cidOf(99)), false)
    await state.close()
    const check = new ClassicLevel<string, string>(path, { keyEncoding: 'utf8', valueEncoding: 'utf8' })
    await check.open()
    assert.deepEqual(await check.keys({ gte: '/pins/1/', lt: '/pins/10' }).all(), [])
    await check.close()
  })
})

/** Counts the reads of the next database iterator the state opens (`values()` is what listing uses). */
function spyOnIteratorReads (state: PinState): { calls: number, items: number, closed: boolean } {
  const reads = { calls: 0, items: 0, closed: false }
  const db = (state as unknown as { store: { db: { values: (...args: unknown[]) => any } } }).store.db
  const values = db.values
  db.values = function (...args: unknown[]) {
    db.values = values
    const iterator = values.apply(this, args)
    const next = iterator.next
    const nextv = iterator.nextv
    const close = iterator.close
    iterator.next = async function (...a: unknown[]) { reads.calls++; reads.items++; return next.apply(this, a) }
    iterator.nextv = async function (...a: unknown[]) { reads.calls++; const items = await nextv.apply(this, a); reads.items += items.length; return items }
    iterator.close = async function (...a: unknown[]) { reads.closed = true; return close.apply(this, a) }
    return iterator
  }
  return reads
}
