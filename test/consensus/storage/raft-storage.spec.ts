import { strict as assert } from 'node:assert'
import { RaftStorage } from '../../../src/consensus/storage/raft-storage.ts'
import { TempFolders, entries, freshStorage, reopen, storedEntryIndexes } from './helpers.ts'
import type { Snapshot } from '../../../src/consensus/raft/types.ts'

function snapshotAt (index: number, term: number): Snapshot {
  return { meta: { index, term, voters: ['12D3KooWA', '12D3KooWB'] }, data: new TextEncoder().encode(`state at ${index}`) }
}

describe('RaftStorage', function () {
  const folders = new TempFolders()
  afterEach(async function () { await folders.cleanup() })

  it('a fresh log loads empty', async function () {
    const { storage } = await freshStorage(folders)
    assert.deepEqual(await storage.load(), { entries: [] })
    assert.equal(storage.lastIndex(), 0)
    await storage.save({ entries: [] })
    await storage.close()
  })

  it('saves and loads hard state, entries and snapshot, across a restart', async function () {
    const { storage, path } = await freshStorage(folders)
    const snapshot = snapshotAt(4, 1)
    await storage.save({ hardState: { term: 1, vote: 'a', commit: 0 }, entries: entries(1, 4, 1) })
    await storage.save({ snapshot, entries: entries(5, 12, 2), hardState: { term: 2, vote: '', commit: 9 } })
    const expected = { hardState: { term: 2, vote: '', commit: 9 }, snapshot, entries: entries(5, 12, 2) }
    assert.deepEqual(await storage.load(), expected)
    await storage.close()

    const again = await reopen(path)
    assert.deepEqual(await again.load(), expected)
    assert.equal(again.lastIndex(), 12)
    assert.equal(again.snapshotIndex(), 4)
    // and it goes on from there
    await again.save({ entries: entries(13, 13, 3), hardState: { term: 3, vote: 'b', commit: 12 } })
    assert.deepEqual((await again.load()).entries?.at(-1), entries(13, 13, 3)[0])
    await again.close()
  })

  it('an append at an index already stored replaces it and drops everything after', async function () {
    const { storage, path } = await freshStorage(folders)
    await storage.save({ entries: entries(1, 10, 1) })
    await storage.save({ entries: entries(6, 7, 2) })
    assert.deepEqual((await storage.load()).entries, [...entries(1, 5, 1), ...entries(6, 7, 2)])
    assert.equal(storage.lastIndex(), 7)
    await storage.save({ entries: entries(8, 8, 2) })
    // a gap is refused
    await assert.rejects(storage.save({ entries: entries(10, 10, 2) }), /gap after 8/)
    await assert.rejects(storage.save({ entries: [...entries(9, 9, 2), ...entries(11, 11, 2)] }), /not contiguous/)
    await storage.close()
    assert.deepEqual(await storedEntryIndexes(path), [1, 2, 3, 4, 5, 6, 7, 8])
    const again = await reopen(path)
    assert.deepEqual((await again.load()).entries, [...entries(1, 5, 1), ...entries(6, 8, 2)])
    await again.close()
  })

  it('saving a snapshot drops the entries it covers, or the whole log when it diverges', async function () {
    const { storage, path } = await freshStorage(folders)
    await storage.save({ entries: entries(1, 10, 1) })
    // the log agrees with the snapshot at its index: what follows stays
    await storage.save({ snapshot: snapshotAt(6, 1) })
    assert.deepEqual((await storage.load()).entries, entries(7, 10, 1))
    await storage.close()
    assert.deepEqual(await storedEntryIndexes(path), [7, 8, 9, 10])

    const divergent = await reopen(path)
    await divergent.load()
    // a snapshot with another term at 8: entries 9 and 10 came from another history (Raft §7)
    await divergent.save({ snapshot: snapshotAt(8, 2) })
    assert.deepEqual(await divergent.load(), { snapshot: snapshotAt(8, 2), entries: [] })
    assert.equal(divergent.lastIndex(), 8)
    // a snapshot past the end of the log (a far-behind follower), with entries after it
    await divergent.save({ snapshot: snapshotAt(20, 3), entries: entries(19, 22, 3) })
    assert.deepEqual((await divergent.load()).entries, entries(21, 22, 3))
    await assert.rejects(divergent.save({ snapshot: snapshotAt(15, 3) }), /older than the one stored/)
    await divergent.close()
    assert.deepEqual(await storedEntryIndexes(path), [21, 22])
  })

  it('createSnapshot keeps the entries until compact drops them, never past the snapshot', async function () {
    const { storage, path } = await freshStorage(folders)
    await storage.save({ entries: entries(1, 100, 1), hardState: { term: 1, vote: '', commit: 100 } })
    await storage.createSnapshot(snapshotAt(50, 1))
    const loaded = await storage.load()
    assert.deepEqual(loaded.snapshot, snapshotAt(50, 1))
    assert.deepEqual(loaded.entries, entries(51, 100, 1))

    assert.equal(await storage.compact(40), 40)
    // asked past the snapshot: only up to it
    assert.equal(await storage.compact(80), 10)
    assert.equal(await storage.compact(80), 0)
    await assert.rejects(storage.createSnapshot(snapshotAt(101, 1)), /cannot snapshot at 101/)
    await storage.close()
    assert.deepEqual(await storedEntryIndexes(path), Array.from({ length: 50 }, (_, i) => 51 + i))

    const again = await reopen(path)
    assert.deepEqual((await again.load()).entries, entries(51, 100, 1))
    await again.close()
  })

  it('writes need a loaded log', async function () {
    const { path } = await freshStorage(folders).then(async (s) => { await s.storage.close(); return s })
    const storage = new RaftStorage(path)
    await storage.open()
    await assert.rejects(storage.save({ entries: entries(1, 1, 1) }), /load\(\) it before writing/)
    await storage.load()
    await storage.save({ entries: entries(1, 1, 1) })
    const aborted = AbortSignal.abort(new Error('stopping'))
    await assert.rejects(storage.save({ entries: entries(2, 2, 1) }, { signal: aborted }), /stopping/)
    assert.equal(storage.lastIndex(), 1)
    await storage.close()
  })

  it('measures save throughput (printed, not asserted)', async function () {
    const { storage } = await freshStorage(folders)
    const data = new Uint8Array(300).fill(7)
    let index = 0
    for (const batch of [1, 64]) {
      let saves = 0
      const started = performance.now()
      while (performance.now() - started < 1500) {
        const group = Array.from({ length: batch }, () => ({ term: 1, index: ++index, type: 'normal' as const, data }))
        await storage.save({ entries: group, hardState: { term: 1, vote: '', commit: index } })
        saves++
      }
      const seconds = (performance.now() - started) / 1000
      console.log(`      batches of ${batch}: ${(saves / seconds).toFixed(0)} synced saves/s, ${(saves * batch / seconds).toFixed(0)} entries/s`)
    }
    await storage.close()
  })
})
