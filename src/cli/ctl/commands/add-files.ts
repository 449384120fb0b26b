/**
 * What `cluster-ctl add` uploads: the files and folders named on the
 * command line, walked from disk, written as the multipart body
 * ipfs-cluster-ctl sends (go-ipfs-files' form: one `form-data; name="file"`
 * part per entry, the path URL-encoded in `filename`, folders as
 * `application/x-directory`, symlinks as `application/symlink`). Files are
 * read as the request is sent, never whole.
 */
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { lstat, readdir, readlink } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'

export interface UploadEntry {
  /** The name in the upload: 'dir/sub/file'. */
  path: string
  /** Where it is on disk. */
  source: string
  kind: 'file' | 'directory' | 'symlink'
  size: number
}

export interface WalkOptions {
  recursive: boolean
  /** Include files and folders whose name starts with '.' inside folders (named ones always are). */
  hidden: boolean
}

/** Checks the paths named on the command line before anything is sent; throws a message for the user. */
export async function checkPaths (paths: string[], options: WalkOptions): Promise<void> {
  for (const path of paths) {
    let stats
    try {
      stats = await lstat(path)
    } catch (err) {
      throw new Error(`cannot add ${JSON.stringify(path)}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (err as Error).message}`, { cause: err })
    }
    if (stats.isDirectory() && !options.recursive) throw new Error(`${JSON.stringify(path)} is a folder: add it with -r`)
  }
}

/** Every entry to upload, folders before what they hold, each folder's entries in name order. */
export async function * walk (paths: string[], options: WalkOptions): AsyncGenerator<UploadEntry> {
  for (const path of paths) {
    const source = resolve(path)
    yield * walkEntry(source, basename(source), options)
  }
}

async function * walkEntry (source: string, path: string, options: WalkOptions): AsyncGenerator<UploadEntry> {
  const stats = await lstat(source)
  if (stats.isSymbolicLink()) {
    yield { path, source, kind: 'symlink', size: 0 }
  } else if (stats.isDirectory()) {
    yield { path, source, kind: 'directory', size: 0 }
    const names = (await readdir(source)).sort()
    for (const name of names) {
      if (!options.hidden && name.startsWith('.')) continue
      yield * walkEntry(join(source, name), `${path}/${name}`, options)
    }
  } else if (stats.isFile()) {
    yield { path, source, kind: 'file', size: stats.size }
  }
  // sockets, devices and pipes have no content to add
}

const CONTENT_TYPES: Record<UploadEntry['kind'], string> = {
  file: 'application/octet-stream',
  directory: 'application/x-directory',
  symlink: 'application/symlink'
}

export function newBoundary (): string {
  return randomBytes(16).toString('hex')
}

/** The multipart body of `entries`; `onBytes` is told of every chunk of file content sent. */
export async function * multipartBody (entries: AsyncIterable<UploadEntry>, boundary: string, onBytes: (n: number) => void = () => {}): AsyncGenerator<Uint8Array> {
  const text = (s: string): Uint8Array => Buffer.from(s, 'utf8')
  for await (const entry of entries) {
    yield text(`--${boundary}\r\n` +
      `Content-Disposition: form-data; name="file"; filename="${encodeURIComponent(entry.path)}"\r\n` +
      `Content-Type: ${CONTENT_TYPES[entry.kind]}\r\n\r\n`)
    if (entry.kind === 'symlink') {
      yield text(await readlink(entry.source))
    } else if (entry.kind === 'file') {
      for await (const chunk of createReadStream(entry.source, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
        yield chunk
        onBytes(chunk.length)
      }
    }
    yield text('\r\n')
  }
  yield text(`--${boundary}--\r\n`)
}
