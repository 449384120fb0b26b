import { strict as assert } from 'node:assert'
import { createReadStream, createWriteStream } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { cleanupState } from '../../src/state/cleanup.ts'
import { exportState } from '../../src/state/export.ts'
import { importState } from '../../src/state/import.ts'
import { PinState } from '../../src/state/pin-state.ts'
import { TempFolders, cidOf, collect, fill, fullPin, openState, simplePin } from './helpers.ts'

describe('state export, import and cleanup', function () {
  const folders = new TempFolders()
  afterEach(async function () { await folders.cleanup() })

  it('export then import round-trips the pinset through an NDJSON file', async function () {
    const source = await openState(folders)
    await fill(source, 20_000)
    await source.add(await fullPin())
    const file = join(await folders.make(), 'state.ndjson')
    const out = createWriteStream(file)
    assert.equal(await exportState(source, out), 20_001)
    out.end()
    await finished(out)

    const text = await readFile(file, 'utf8')
    const lines = text.split('\n')
    assert.equal(lines.pop(), '', 'the file ends with a newline')
    assert.equal(lines.length, 20_001)
    assert.deepEqual(lines.map((l) => JSON.parse(l)), await collect(source.list()))

    const target = await openState(folders)
    await fill(target, 50, 900_000)
    await target.batch([], { appliedIndex: 12 })
    // small reads: lines and UTF-8 sequences are cut between chunks
    assert.equal(await importState(target, createReadStream(file, { highWaterMark: 777 })), 20_001)
    assert.deepEqual(await collect(target.list()), await collect(source.list()))
    assert.equal(await target.appliedIndex(), 12, 'the applied index is kept unless given')
    await source.close()
    await target.close()
  })

  it('exports to a line callback, and imports lines', async function () {
    const state = await openState(folders)
    await fill(state, 10)
    const lines: string[] = []
    assert.equal(await exportState(state, (line) => { lines.push(line) }), 10)
    assert.ok(lines.every((l) => !l.includes('\n')))
    const other = await openState(folders)
    async function * asLines (): AsyncGenerator<string> { yield * lines }
    assert.equal(await importState(other, asLines(), { framing: 'lines', appliedIndex: 4 }), 10)
    assert.deepEqual(await collect(other.list()), await collect(state.list()))
    assert.equal(await other.appliedIndex(), 4)
    await state.close()
    await other.close()
  })

  it('export honours backpressure', async function () {
    const state = await openState(folders)
    await fill(state, 20_000)
    let maxBuffered = 0
    let bytes = 0
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write (chunk: Buffer, _encoding, callback) {
        maxBuffered = Math.max(maxBuffered, this.writableLength)
        bytes += chunk.length
        setImmediate(callback)
      }
    })
    assert.equal(await exportState(state, slow), 20_000)
    assert.ok(bytes > 2 * 1024 * 1024, `exported ${bytes} bytes`)
    // without backpressure the whole export would sit in the stream's buffer
    assert.ok(maxBuffered < 256 * 1024, `at most ${maxBuffered} bytes waited in the stream`)
    await state.close()
  })

  it('import rejects a bad line with its number and changes nothing', async function () {
    const path = join(await folders.make(), 'pinset')
    const state = new PinState({ path })
    await state.open()
    await fill(state, 100)
    await state.batch([], { appliedIndex: 8 })
    const before = await collect(state.list())
    const good = (n: number): string => JSON.stringify(simplePin(10_000 + n))
    const file = join(await folders.make(), 'bad.ndjson')

    const cases: Array<[string, number, RegExp]> = [
      [[good(1), good(2), '', good(3), JSON.stringify({ ...simplePin(4), cid: 'Qmbad' }), good(5)].join('\n') + '\n', 5, /^line 5: invalid pin: cid: not a CID/],
      [[good(1), '{"cid": "bafy', good(3)].join('\r\n'), 2, /^line 2: not JSON/],
      [[good(1), JSON.stringify({ ...simplePin(2), mode: 'sideways' })].join('\n'), 2, /^line 2: invalid pin: mode/],
      [Array.from({ length: 5000 }, (_, i) => good(i)).join('\n') + '\n' + JSON.stringify({ ...simplePin(1), timestamp: 'now' }) + '\n', 5001, /^line 5001: invalid pin: timestamp/]
    ]
    for (const [content, line, message] of cases) {
      await writeFile(file, content)
      await assert.rejects(importState(state, createReadStream(file, { highWaterMark: 100 })), (err: Error & { line?: number }) => {
        assert.equal(err.name, 'StateImportError')
        assert.equal(err.line, line)
        assert.match(err.message, message)
        return true
      })
      assert.deepEqual(await collect(state.list()), before)
      assert.equal(await state.appliedIndex(), 8)
    }

    // invalid UTF-8 is reported on its own line
    await writeFile(file, Buffer.concat([Buffer.from(good(1) + '\n'), Buffer.from([0x7b, 0xff, 0x7d, 0x0a])]))
    await assert.rejects(importState(state, createReadStream(file)), { name: 'StateImportError', line: 2 })
    assert.equal(await state.count(), 100)
    await state.close()
  })

  it('cleanup removes everything, and stays clean after a reopen', async function () {
    const path = join(await folders.make(), 'pinset')
    let state = new PinState({ path })
    await state.open()
    await fill(state, 500)
    await state.batch([], { appliedIndex: 30 })
    await cleanupState(state)
    assert.equal(await state.count(), 0)
    assert.equal(await state.appliedIndex(), 0)
    await state.close()
    state = new PinState({ path })
    await state.open()
    assert.equal(await state.count(), 0)
    assert.equal(await state.has(cidOf(1)), false)
    await state.close()
  })
})
