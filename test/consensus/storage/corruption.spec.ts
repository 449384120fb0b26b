import { strict as assert } from 'node:assert'
import { RaftLogCorruptError } from '../../../src/consensus/storage/errors.ts'
import { TempFolders, entries, freshStorage, rawEntryKey, reopen, storedEntryIndexes, withRawDb } from './helpers.ts'
import type { ClassicLevel } from 'classic-level'
import type { RaftStorage } from '../../../src/consensus/storage/raft-storage.ts'

type Db = ClassicLevel<Uint8Array, Uint8Array>

/** A closed store at `path` holding entries 1..10 (term 1..2), commit 10, snapshot-free. */
async function tenEntries (folders: TempFolders): Promise<string> {
  const { storage, path } = await freshStorage(folders)
  await storage.save({ entries: entries(1, 6, 1), hardState: { term: 1, vote: 'a', commit: 6 } })
  await storage.save({ entries: entries(7, 10, 2), hardState: { term: 2, vote: 'b', commit: 10 } })
  await storage.close()
  return path
}

async function expectCorrupt (storage: RaftStorage, check: { record?: string, index?: number, lastGoodIndex: number, message: RegExp }): Promise<RaftLogCorruptError> {
  try {
    await storage.load()
  } catch (err) {
    assert.ok(err instanceof RaftLogCorruptError, String(err))
    assert.equal(err.name, 'RaftLogCorruptError')
    assert.equal(err.record, check.record ?? 'entry')
    if (check.index !== undefined) {
      assert.equal(err.index, check.index)
      assert.match(err.message, new RegExp(`entry ${check.index} is corrupt`))
    }
    assert.equal(err.lastGoodIndex, check.lastGoodIndex)
    assert.match(err.message, check.message)
    return err
  }
  assert.fail('load() accepted a corrupt log')
}

/** Load reports the damage, again and again until repaired; repairTail(lastGood) then gives the good prefix. */
async function reportsThenRepairs (path: string, check: { record?: string, index?: number, lastGoodIndex: number, message: RegExp }): Promise<void> {
  const storage = await reopen(path)
  const err = await expectCorrupt(storage, check)
  console.log(`      ${err.message}`)
  // nothing was repaired behind the operator's back
  await expectCorrupt(storage, check)
  await assert.rejects(storage.save({ entries: entries(11, 11, 2) }), /load\(\) it before writing/)

  const result = await storage.repairTail(err.lastGoodIndex)
  assert.equal(result.lastIndex, check.lastGoodIndex)
  assert.equal(result.commitLoweredFrom, 10)
  const loaded = await storage.load()
  const good = [...entries(1, 6, 1), ...entries(7, 10, 2)].slice(0, check.lastGoodIndex)
  assert.deepEqual(loaded.entries, good)
  assert.equal(loaded.hardState?.commit, check.lastGoodIndex)
  assert.equal(loaded.hardState?.term, 2)
  // the log goes on from the repaired end
  await storage.save({ entries: entries(check.lastGoodIndex + 1, check.lastGoodIndex + 1, 3) })
  await storage.close()
  const again = await reopen(path)
  assert.equal((await again.load()).entries?.length, check.lastGoodIndex + 1)
  await again.close()
}

async function edit (path: string, fn: (db: Db) => Promise<void>): Promise<void> {
  await withRawDb(path, fn)
}

describe('RaftStorage corruption', function () {
  const folders = new TempFolders()
  afterEach(async function () { await folders.cleanup() })

  it('a flipped byte in an entry is reported with its index', async function () {
    const path = await tenEntries(folders)
    await edit(path, async (db) => {
      const value = await db.get(rawEntryKey(5))
      assert.ok(value != null)
      const flipped = new Uint8Array(value)
      const at = flipped.length - 3
      flipped[at] = (flipped[at] ?? 0) ^ 0x01
      await db.put(rawEntryKey(5), flipped)
    })
    await reportsThenRepairs(path, { index: 5, lastGoodIndex: 4, message: /checksum mismatch/ })
  })

  it('an entry missing in the middle is reported', async function () {
    const path = await tenEntries(folders)
    await edit(path, async (db) => { await db.del(rawEntryKey(6)) })
    await reportsThenRepairs(path, { index: 6, lastGoodIndex: 5, message: /entry 6 is corrupt: it is missing \(the next stored entry is 7\)/ })
  })

  it('a lost last entry (a truncated tail) is reported', async function () {
    const path = await tenEntries(folders)
    await edit(path, async (db) => { await db.del(rawEntryKey(10)) })
    await reportsThenRepairs(path, { index: 10, lastGoodIndex: 9, message: /the log was recorded to end at 10/ })
  })

  it('garbage as the last entry is reported', async function () {
    const path = await tenEntries(folders)
    await edit(path, async (db) => { await db.put(rawEntryKey(10), crypto.getRandomValues(new Uint8Array(40))) })
    await reportsThenRepairs(path, { index: 10, lastGoodIndex: 9, message: /checksum mismatch|unknown record format/ })
  })

  it('a torn (short) last entry is reported', async function () {
    const path = await tenEntries(folders)
    await edit(path, async (db) => {
      const value = await db.get(rawEntryKey(10))
      assert.ok(value != null)
      await db.put(rawEntryKey(10), value.subarray(0, 12))
    })
    await reportsThenRepairs(path, { index: 10, lastGoodIndex: 9, message: /truncated entry record: 12 bytes/ })
  })

  it('an intact record under the wrong index is reported', async function () {
    const path = await tenEntries(folders)
    await edit(path, async (db) => {
      const value = await db.get(rawEntryKey(3))
      assert.ok(value != null)
      await db.put(rawEntryKey(4), value)
    })
    await reportsThenRepairs(path, { index: 4, lastGoodIndex: 3, message: /its record says index 3/ })
  })

  it('an entry past the recorded end is reported', async function () {
    const path = await tenEntries(folders)
    await edit(path, async (db) => {
      const value = await db.get(rawEntryKey(10))
      assert.ok(value != null)
      // a record for 11 that is intact in itself, but was never part of a save
      const { encodeEntry } = await import('../../../src/consensus/storage/records.ts')
      await db.put(rawEntryKey(11), encodeEntry(entries(11, 11, 2)[0] as never))
    })
    const storage = await reopen(path)
    await expectCorrupt(storage, { index: 11, lastGoodIndex: 10, message: /beyond the recorded end of the log \(10\)/ })
    const result = await storage.repairTail(10)
    assert.equal(result.removed, 1)
    assert.equal(result.commitLoweredFrom, undefined)
    assert.equal((await storage.load()).entries?.length, 10)
    await storage.close()
  })

  it('a corrupt hard state is reported and cannot be repaired by truncation', async function () {
    const path = await tenEntries(folders)
    await edit(path, async (db) => {
      const value = await db.get(Uint8Array.of(0x68))
      assert.ok(value != null)
      const bad = new Uint8Array(value)
      bad[6] = (bad[6] ?? 0) ^ 0xff
      await db.put(Uint8Array.of(0x68), bad)
    })
    const storage = await reopen(path)
    await expectCorrupt(storage, { record: 'hard-state', lastGoodIndex: 0, message: /the hard-state record is corrupt: checksum mismatch.*cannot be repaired by truncating/ })
    await assert.rejects(storage.repairTail(10), { name: 'RaftLogCorruptError' })
    await storage.close()
    assert.equal((await storedEntryIndexes(path)).length, 10, 'nothing was deleted')
  })

  it('corruption after a snapshot counts from the snapshot', async function () {
    const { storage, path } = await freshStorage(folders)
    await storage.save({ entries: entries(1, 10, 1) })
    await storage.save({ snapshot: { meta: { index: 5, term: 1, voters: ['a'] }, data: new Uint8Array() } })
    await storage.close()
    await edit(path, async (db) => { await db.del(rawEntryKey(6)) })
    const again = await reopen(path)
    await expectCorrupt(again, { index: 6, lastGoodIndex: 5, message: /missing \(the next stored entry is 7\)/ })
    await again.repairTail(5)
    assert.deepEqual(await again.load(), { snapshot: { meta: { index: 5, term: 1, voters: ['a'] }, data: new Uint8Array() }, entries: [] })
    await assert.rejects(again.repairTail(4), /before the snapshot at 5/)
    await again.close()
  })
})
