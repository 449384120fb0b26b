import { strict as assert } from 'node:assert'
import { PassThrough, Readable } from 'node:stream'
import { AddInputError, parseMultipart } from '../../src/adder/index.ts'
import { BOUNDARY, CONTENT_TYPE, directory, file, multipart } from './bodies.ts'
import type { AddEntry } from '../../src/adder/index.ts'

interface Read {
  path: string
  kind: 'file' | 'dir' | 'symlink'
  text?: string
}

/** Reads every entry as the adder does: each file to its end before the next entry. */
async function readAll (entries: AsyncIterable<AddEntry>): Promise<Read[]> {
  const out: Read[] = []
  for await (const entry of entries) {
    if (entry.symlink != null) {
      out.push({ path: entry.path, kind: 'symlink', text: entry.symlink })
    } else if (entry.content != null) {
      const chunks: Uint8Array[] = []
      for await (const chunk of entry.content) chunks.push(chunk)
      out.push({ path: entry.path, kind: 'file', text: Buffer.concat(chunks).toString() })
    } else {
      out.push({ path: entry.path, kind: 'dir' })
    }
  }
  return out
}

/** The body split into small pieces, so parts straddle chunk boundaries. */
function chunked (body: Buffer, size = 7): Readable {
  const pieces: Buffer[] = []
  for (let i = 0; i < body.length; i += size) pieces.push(body.subarray(i, i + size))
  return Readable.from(pieces)
}

async function rejectsInput (entries: AsyncIterable<AddEntry>, pattern: RegExp): Promise<void> {
  await assert.rejects(readAll(entries), (err: Error) => {
    assert.ok(err instanceof AddInputError, `${err.name}: ${err.message}`)
    assert.equal((err as AddInputError).statusCode, 400)
    assert.match(err.message, pattern)
    return true
  })
}

describe('adder: multipart bodies', function () {
  it('reads form-data file parts, URL-decoding their names as Go encodes them', async function () {
    const body = multipart([directory('my+dir'), file('my+dir%2Fa%20b.txt', 'first'), file('my+dir%2Fsub%2F%C3%A9t%C3%A9.txt', 'second')])
    assert.deepEqual(await readAll(parseMultipart(chunked(body), CONTENT_TYPE)), [
      { path: 'my dir', kind: 'dir' },
      { path: 'my dir/a b.txt', kind: 'file', text: 'first' },
      { path: 'my dir/sub/été.txt', kind: 'file', text: 'second' }
    ])
  })

  it('reads the older `Content-Disposition: file; filename=...` and `attachment` parts, with Abspath headers', async function () {
    const body = multipart([
      directory('d', 'file'),
      { ...file('d%2Fx', 'xx', 'file'), headers: { Abspath: '/home/me/d/x' } },
      file('d%2Fy', 'yy', 'attachment')
    ])
    assert.deepEqual(await readAll(parseMultipart(chunked(body), `multipart/mixed; boundary=${BOUNDARY}`)), [
      { path: 'd', kind: 'dir' },
      { path: 'd/x', kind: 'file', text: 'xx' },
      { path: 'd/y', kind: 'file', text: 'yy' }
    ])
  })

  it('reads directories nested as multipart/mixed parts (old go-ipfs clients) and symlinks', async function () {
    const inner = multipart([file('top%2Fin.txt', 'inside'), { filename: 'top%2Flink', type: 'application/symlink', body: 'in.txt' }], 'inner-b')
    const body = multipart([{ filename: 'top', type: 'multipart/mixed; boundary=inner-b', body: inner, disposition: 'file' }, file('after.txt', 'after')])
    assert.deepEqual(await readAll(parseMultipart(chunked(body), CONTENT_TYPE)), [
      { path: 'top', kind: 'dir' },
      { path: 'top/in.txt', kind: 'file', text: 'inside' },
      { path: 'top/link', kind: 'symlink', text: 'in.txt' },
      { path: 'after.txt', kind: 'file', text: 'after' }
    ])
  })

  it('skips form fields and moves past a file its reader abandoned', async function () {
    const body = multipart([{ disposition: 'form-data', body: 'a field' }, file('big', 'x'.repeat(100_000)), file('small', 'ok')])
    const seen: string[] = []
    for await (const entry of parseMultipart(chunked(body, 1000), CONTENT_TYPE)) {
      seen.push(entry.path)
      // read one chunk of each file only
      if (entry.content != null) for await (const _ of entry.content) break
    }
    assert.deepEqual(seen, ['big', 'small'])
  })

  it('streams a file: its first bytes arrive before the rest of the body is sent', async function () {
    const source = new PassThrough()
    const head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n`
    source.write(head + 'first bytes ')
    const entries = parseMultipart(source, CONTENT_TYPE)
    const entry = (await entries.next()).value as AddEntry
    const iterator = entry.content?.[Symbol.asyncIterator]()
    const first = await iterator?.next()
    assert.equal(Buffer.from(first?.value as Uint8Array).toString(), 'first bytes ')
    source.end(`and more\r\n--${BOUNDARY}--\r\n`)
    const rest: Uint8Array[] = []
    while (true) {
      const next = await iterator?.next()
      if (next == null || next.done === true) break
      rest.push(next.value)
    }
    assert.equal(Buffer.concat(rest).toString(), 'and more')
    assert.equal((await entries.next()).done, true)
  })

  it('refuses what is not a usable upload with a 400 naming the problem', async function () {
    await rejectsInput(parseMultipart(Readable.from([Buffer.from('{}')]), 'application/json'), /"application\/json": expected multipart\/form-data/)
    await rejectsInput(parseMultipart(Readable.from([Buffer.from('')]), undefined), /no Content-Type/)
    await rejectsInput(parseMultipart(Readable.from([Buffer.from('')]), 'multipart/form-data'), /no multipart boundary/)
    // no file part at all
    await rejectsInput(parseMultipart(chunked(multipart([{ disposition: 'form-data', body: 'just a field' }])), CONTENT_TYPE), /no file in the request/)
    await rejectsInput(parseMultipart(chunked(Buffer.from('garbage without any boundary')), CONTENT_TYPE), /no file|malformed/)
    // a body cut in the middle of a file
    const cut = multipart([file('a', 'x'.repeat(1000))]).subarray(0, 300)
    await rejectsInput(parseMultipart(chunked(cut, 50), CONTENT_TYPE), /malformed multipart body|broke off/)
    await rejectsInput(parseMultipart(chunked(multipart([file('..%2Fescape', 'x')])), CONTENT_TYPE), /"\.\." is not allowed/)
  })
})
