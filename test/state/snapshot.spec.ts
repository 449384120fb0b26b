import { strict as assert } from 'node:assert'
import { join } from 'node:path'
import { PinState } from '../../src/state/pin-state.ts'
import { isSnapshotHeader } from '../../src/state/snapshot-items.ts'
import { TempFolders, cidOf, collect, fill, fullPin, openState, simplePin } from './helpers.ts'
import type { PinJson } from '../../src/api/types.ts'
import type { SnapshotItem } from '../../src/state/snapshot-items.ts'

describe('PinState snapshots', function () {
  const folders = new TempFolders()
  afterEach(async function () { await folders.cleanup() })

  it('a snapshot stream shows exactly the pins and applied index of its start, while writes go on', async function () {
    const state = await openState(folders)
    await fill(state, 3000)
    await state.batch([{ type: 'put', pin: await fullPin() }], { appliedIndex: 10 })
    const before = await collect(state.list())

    const stream = state.snapshotStream()[Symbol.asyncIterator]()
    const header = await stream.next()
    assert.deepEqual(header.value, { appliedIndex: 10 })

    // while the stream is consumed: new pins, removed pins, changed pins, a newer index
    const pins: PinJson[] = []
    let index = 10
    for (let step = 0; ; step++) {
      const next = await stream.next()
      if (next.done === true) break
      assert.ok(!isSnapshotHeader(next.value))
      pins.push(next.value)
      if (step % 500 === 0) {
        index++
        await state.batch([
          { type: 'put', pin: simplePin(10_000 + step) },
          { type: 'del', cid: cidOf(step) },
          { type: 'put', pin: simplePin(step + 1, { name: 'changed' }) }
        ], { appliedIndex: index })
      }
    }
    assert.deepEqual(pins, before)
    assert.equal(await state.appliedIndex(), index)
    assert.notDeepEqual(await collect(state.list()), before)
    await state.close()
  })

  it('restoreFrom replaces the whole state with a snapshot stream', async function () {
    const source = await openState(folders)
    await fill(source, 5000)
    await source.add(await fullPin())
    await source.batch([], { appliedIndex: 42 })

    const path = join(await folders.make(), 'pinset')
    let target = new PinState({ path })
    await target.open()
    await fill(target, 100, 1_000_000)
    await target.batch([], { appliedIndex: 7 })

    await target.restoreFrom(source.snapshotStream())
    assert.equal(await target.appliedIndex(), 42)
    assert.deepEqual(await collect(target.list()), await collect(source.list()))
    assert.equal(await target.has(cidOf(1_000_000)), false)

    // what was restored is what a restart finds
    await target.close()
    target = new PinState({ path })
    await target.open()
    assert.equal(await target.appliedIndex(), 42)
    assert.equal(await target.count(), 5001)
    // and the index moves on from there
    await target.batch([{ type: 'put', pin: simplePin(-1) }], { appliedIndex: 43 })
    await target.close()
    await source.close()
  })

  it('a restore that fails midway leaves the state as it was, old index included', async function () {
    const path = join(await folders.make(), 'pinset')
    let state = new PinState({ path })
    await state.open()
    await fill(state, 2000)
    await state.batch([], { appliedIndex: 5 })
    const before = await collect(state.list())

    async function * broken (): AsyncGenerator<SnapshotItem> {
      yield { appliedIndex: 99 }
      for (let i = 0; i < 10_000; i++) yield simplePin(50_000 + i)
      throw new Error('peer went away')
    }
    await assert.rejects(state.restoreFrom(broken()), /peer went away/)
    assert.equal(await state.appliedIndex(), 5)
    assert.deepEqual(await collect(state.list()), before)

    async function * badPin (): AsyncGenerator<SnapshotItem> {
      yield { appliedIndex: 99 }
      yield simplePin(1)
      yield { ...simplePin(2), cid: 'garbage' }
    }
    await assert.rejects(state.restoreFrom(badPin()), (err: Error) => err.name === 'StateRestoreError' && /item 3: invalid pin: cid/.test(err.message))

    async function * noHeader (): AsyncGenerator<SnapshotItem> { yield simplePin(1) }
    await assert.rejects(state.restoreFrom(noHeader()), { name: 'StateRestoreError' })

    const aborted = AbortSignal.abort(new Error('stopping'))
    await assert.rejects(state.restoreFrom(state.snapshotStream(), { signal: aborted }), /stopping/)

    await state.close()
    state = new PinState({ path })
    await state.open()
    assert.equal(await state.appliedIndex(), 5)
    assert.deepEqual(await collect(state.list()), before)
    await state.close()
  })

  it('restoring an empty snapshot empties the state', async function () {
    const state = await openState(folders)
    await fill(state, 10)
    async function * empty (): AsyncGenerator<SnapshotItem> { yield { appliedIndex: 3 } }
    await state.restoreFrom(empty())
    assert.equal(await state.count(), 0)
    assert.equal(await state.appliedIndex(), 3)
    await state.close()
  })
})
