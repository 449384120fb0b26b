/**
 * An add request's multipart body as AddEntry items, streamed: a file's
 * content is read from the request as the importer asks for it, never
 * buffered whole.
 *
 * What clients send (go-ipfs-files, kubo-rpc-client, ipfs-cluster-ctl):
 * - one part per file, `Content-Disposition: form-data; name="file";
 *   filename="<path>"`, or `file; filename=...` / `attachment; filename=...`
 *   from older or non-form writers;
 * - paths URL-encoded (Go's `url.QueryEscape`: '/' as %2F, ' ' as '+');
 * - directories as parts of type `application/x-directory`, symlinks as
 *   `application/symlink` (the target is the body); very old clients nest a
 *   directory's parts in a `multipart/mixed` part instead, which is read
 *   the same way;
 * - `Abspath` headers (for Kubo's filestore): ignored.
 *
 * The parser is @fastify/busboy's Dicer: busboy itself drops every part
 * whose disposition is not `form-data` and hides the other part headers.
 */
import Dicer from '@fastify/busboy/deps/dicer/lib/Dicer.js'
import parseParams from '@fastify/busboy/lib/utils/parseParams.js'
import { AddInputError } from './errors.ts'
import type { AddEntry } from './types.ts'
import type { DicerPart } from '@fastify/busboy/deps/dicer/lib/Dicer.js'
import type { Readable } from 'node:stream'

export interface MultipartOptions {
  signal?: AbortSignal
}

const MULTIPART_TYPES = ['multipart/form-data', 'multipart/mixed']
const DISPOSITIONS = ['form-data', 'file', 'attachment']
const DIRECTORY_TYPE = 'application/x-directory'
const SYMLINK_TYPE = 'application/symlink'
/** Longer symlink targets are refused (Linux's PATH_MAX). */
const MAX_SYMLINK_TARGET = 4096
/** Bytes a part's stream holds before the parser waits for its reader. */
const PART_BUFFER = 256 * 1024
const MAX_PART_HEADER_BYTES = 64 * 1024

/**
 * The entries of `body` (a request body with this Content-Type), in order.
 * Throws AddInputError for a body that is not multipart, is malformed or
 * ends early, or holds no file at all.
 */
export async function * parseMultipart (body: Readable, contentType: string | undefined, options: MultipartOptions = {}): AsyncGenerator<AddEntry> {
  const boundary = boundaryOf(contentType, MULTIPART_TYPES, 'the request body')
  let entries = 0
  for await (const entry of readParts(body, boundary, options.signal)) {
    entries++
    yield entry
  }
  if (entries === 0) throw new AddInputError('no file in the request: expected multipart/form-data parts named "file" with a filename')
}

function boundaryOf (contentType: string | undefined, accepted: string[], what: string): string {
  if (contentType == null || contentType.trim() === '') throw new AddInputError(`${what} has no Content-Type: expected ${accepted.join(' or ')}`)
  const [type, ...params] = parseParams(contentType)
  if (!accepted.includes(type.toLowerCase())) throw new AddInputError(`${what} is ${JSON.stringify(type)}: expected ${accepted.join(' or ')}`)
  const boundary = params.find(([name]) => name.toLowerCase() === 'boundary')?.[1]
  if (boundary == null || boundary === '') throw new AddInputError(`${what} has no multipart boundary`)
  return boundary
}

interface Part {
  header: Record<string, string[]>
  stream: DicerPart
}

/** The entries of one multipart stream, nested multipart/mixed parts included. */
async function * readParts (source: Readable, boundary: string, signal: AbortSignal | undefined): AsyncGenerator<AddEntry> {
  const parts = new PartQueue()
  const dicer = new Dicer({ boundary, maxHeaderSize: MAX_PART_HEADER_BYTES, partHwm: PART_BUFFER })
  let current: DicerPart | undefined
  dicer.on('part', (stream: DicerPart) => {
    current = stream
    stream.on('header', (header: Record<string, string[]>) => { parts.push({ header, stream }) })
    // reported by the parser's own 'error' too; a part nobody reads must not throw
    stream.on('error', () => {})
  })
  dicer.on('error', (err: Error) => { parts.fail(malformed(err)) })
  dicer.on('finish', () => { parts.end() })
  // the part being read would otherwise wait forever for the rest of a body that will not come
  const fail = (err: unknown): void => {
    parts.fail(err)
    if (current != null && !current.readableEnded) current.destroy(err as Error)
  }
  const onSourceError = (err: Error): void => { fail(new AddInputError(`the request body broke off: ${err.message}`, { cause: err })) }
  const onSourceClose = (): void => { if (!source.readableEnded) onSourceError(new Error('the connection closed')) }
  const onAbort = (): void => { fail(signal?.reason) }
  source.on('error', onSourceError)
  source.on('close', onSourceClose)
  signal?.addEventListener('abort', onAbort, { once: true })
  source.pipe(dicer)
  try {
    if (signal?.aborted === true) onAbort()
    while (true) {
      const part = await parts.next()
      if (part == null) return
      yield * entriesOf(part, signal)
    }
  } finally {
    signal?.removeEventListener('abort', onAbort)
    source.off('error', onSourceError)
    source.off('close', onSourceClose)
    source.unpipe(dicer)
    // what is left of the body is read and dropped, so that an enclosing part (or the connection) moves on
    source.resume()
  }
}

async function * entriesOf (part: Part, signal: AbortSignal | undefined): AsyncGenerator<AddEntry> {
  const { header, stream } = part
  const disposition = header['content-disposition']?.[0]
  const [kind, ...params] = disposition != null ? parseParams(disposition) : ['']
  const filename = params.find(([name]) => name.toLowerCase() === 'filename')?.[1]
  if (!DISPOSITIONS.includes(kind.toLowerCase()) || filename == null) {
    // a form field or an unknown part: not a file
    stream.resume()
    return
  }
  const path = entryPath(filename)
  const type = header['content-type']?.[0] ?? 'application/octet-stream'
  const mediaType = parseParams(type)[0].toLowerCase()
  if (mediaType === DIRECTORY_TYPE) {
    stream.resume()
    yield { path }
  } else if (mediaType === SYMLINK_TYPE) {
    yield { path, symlink: await symlinkTarget(stream, path) }
  } else if (mediaType === 'multipart/mixed') {
    yield { path }
    yield * readParts(stream, boundaryOf(type, ['multipart/mixed'], `the directory part ${JSON.stringify(path)}`), signal)
  } else {
    try {
      yield { path, content: contentOf(stream, signal) }
    } finally {
      // the reader stopped before the end of this file: skip the rest
      stream.resume()
    }
  }
}

/**
 * A part's filename as a relative path: URL-decoded ('+' is a space, as Go's
 * `url.QueryUnescape` reads it; a name that does not decode is taken as it
 * is), '.' and empty segments dropped, '..' refused.
 */
export function entryPath (filename: string): string {
  let name = filename
  try {
    name = decodeURIComponent(filename.replace(/\+/g, ' '))
  } catch {
    // not URL-encoded after all
  }
  const segments = name.split('/').filter((s) => s !== '' && s !== '.')
  if (segments.includes('..')) throw new AddInputError(`invalid file name ${JSON.stringify(name)}: ".." is not allowed`)
  return segments.join('/')
}

async function * contentOf (stream: DicerPart, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  try {
    yield * stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>
  } catch (err) {
    if (signal?.aborted === true) throw signal.reason
    throw err instanceof AddInputError ? err : malformed(err as Error)
  }
}

async function symlinkTarget (stream: DicerPart, path: string): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_SYMLINK_TARGET) {
      stream.resume()
      throw new AddInputError(`the symlink ${JSON.stringify(path)} has a target longer than ${MAX_SYMLINK_TARGET} bytes`)
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function malformed (err: Error): AddInputError {
  return new AddInputError(`malformed multipart body: ${err.message}`, { cause: err })
}

/** Parts as the parser finds them, handed to one reader. */
class PartQueue {
  private readonly parts: Part[] = []
  private ended = false
  private error: unknown
  private failed = false
  private wake: (() => void) | undefined

  push (part: Part): void {
    this.parts.push(part)
    this.notify()
  }

  end (): void {
    this.ended = true
    this.notify()
  }

  fail (err: unknown): void {
    if (this.failed) return
    this.failed = true
    this.error = err
    this.notify()
  }

  /** The next part; undefined at the end of the body. */
  async next (): Promise<Part | undefined> {
    while (true) {
      if (this.failed) throw this.error
      const part = this.parts.shift()
      if (part != null) return part
      if (this.ended) return undefined
      await new Promise<void>((resolve) => { this.wake = resolve })
    }
  }

  private notify (): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }
}
