/**
 * The embedded node's blockstore: one file per block, sharded by the
 * next-to-last characters of the CID, as Kubo's flatfs. A block is written
 * once and read whole, so LevelDB only got in the way: it wrote every block
 * again at each compaction, and its tables, mapped into memory as they are
 * read, counted in the daemon's resident memory. Importing into files is
 * about 3x faster than into LevelDB here (bench:api's baseline), and an add
 * through the cluster 1.4x.
 *
 * The repo's size is kept as blocks are written and deleted, as flatfs keeps
 * its disk usage: walking a million files for every RepoStat would not do.
 * It is saved when the store closes and read back (and removed, so that a
 * crash leaves no stale figure) when it opens; without it the folder is
 * walked once, in the background, and RepoStat waits for that walk.
 *
 * Repos made before this store, whose blocks are in LevelDB (a `CURRENT`
 * file in the folder), keep using LevelDB.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { BaseBlockstore } from 'blockstore-core'
import { NotFoundError } from 'interface-store'
import { FsBlockstore } from 'blockstore-fs'
import { NextToLast } from 'blockstore-fs/sharding'
import { LevelBlockstore } from 'blockstore-level'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import * as Digest from 'multiformats/hashes/digest'
import { folderSize } from './repo-stat.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { Blockstore, Pair } from 'interface-blockstore'

export interface RepoBlockstore extends Blockstore {
  open: () => Promise<void>
  close: () => Promise<void>
  /** Bytes the blocks take. */
  size: (options?: AbortOptions) => Promise<number>
}

/**
 * Files are named by the block's multihash. NextToLast reads a name back as
 * a CIDv0 when it is a sha2-256 one; blocks listed (for gc) are CIDv1 raw
 * instead, as Kubo and the LevelDB blockstore list them.
 */
class MultihashFiles extends NextToLast {
  override decode (path: string): CID {
    return CID.createV1(raw.code, Digest.decode(super.decode(path).multihash.bytes))
  }
}

/** Written at close, next to the blocks (a name no block file can have). */
const SIZE_FILE = 'repo-size.json'

export async function openBlockstore (path: string): Promise<RepoBlockstore> {
  const store = await isLevelDb(path) ? new LevelRepoBlockstore(path) : new FlatRepoBlockstore(path)
  await store.open()
  return store
}

async function isLevelDb (path: string): Promise<boolean> {
  try {
    await stat(join(path, 'CURRENT'))
    return true
  } catch {
    return false
  }
}

async function concatChunks (chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk)
  return Buffer.concat(parts)
}

async function fileSize (path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0
    throw err
  }
}

class FlatRepoBlockstore extends BaseBlockstore implements RepoBlockstore {
  private readonly path: string
  private readonly sharding = new MultihashFiles()
  private readonly files: FsBlockstore
  /** Bytes written and deleted since the store opened. */
  private delta = 0
  /** Blocks being written, by file. */
  private readonly writing = new Map<string, Promise<void>>()
  /** Temporary files made, for unique names. */
  private temps = 0
  /** The size when the store opened (read back, or walked). */
  private initial: Promise<number> = Promise.resolve(0)

  constructor (path: string) {
    super()
    this.path = path
    this.files = new FsBlockstore(path, { shardingStrategy: this.sharding })
  }

  async open (): Promise<void> {
    await this.files.open()
    this.delta = 0
    const saved = await this.readSavedSize()
    if (saved != null) {
      this.initial = Promise.resolve(saved)
      return
    }
    this.initial = folderSize(this.path)
    // RepoStat reports a failed walk; nothing else waits for it
    this.initial.catch(() => {})
  }

  async close (): Promise<void> {
    const size = await this.size().catch(() => undefined)
    await this.files.close()
    if (size != null) await writeFile(join(this.path, SIZE_FILE), JSON.stringify({ size }), { mode: 0o600 })
  }

  async size (options?: AbortOptions): Promise<number> {
    options?.signal?.throwIfAborted()
    return (await this.initial) + this.delta
  }

  /**
   * A block is written to a temporary file renamed to the block's name, so
   * that it appears whole or not at all, and not written when its file is
   * there (same CID, same bytes). The shard folder is made only when a write
   * finds it missing. Four file operations for a new block, where
   * FsBlockstore's put and a size check before and after took eight (two of
   * them failing, and so building an error, for every new block): bitswap
   * writes every block it fetches.
   */
  override async put (key: CID, val: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options?: AbortOptions): Promise<CID> {
    options?.signal?.throwIfAborted()
    const file = this.fileOf(key)
    // the same block put twice at once is written once, and counted once
    let writing = this.writing.get(file)
    if (writing === undefined) {
      writing = this.write(key, file, val).finally(() => { this.writing.delete(file) })
      this.writing.set(file, writing)
    }
    await writing
    return key
  }

  private async write (key: CID, file: string, val: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
    if (await this.files.has(key)) return
    const bytes = val instanceof Uint8Array ? val : await concatChunks(val)
    const temp = `${file}.${process.pid}-${++this.temps}.tmp`
    try {
      await writeFile(temp, bytes)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      await mkdir(dirname(file), { recursive: true })
      await writeFile(temp, bytes)
    }
    try {
      await rename(temp, file)
    } catch (err) {
      await rm(temp, { force: true })
      throw err
    }
    this.delta += bytes.byteLength
  }


  /** A block is read whole (FsBlockstore's stream leaves its file open when the reader stops early). */
  override async * get (key: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> {
    options?.signal?.throwIfAborted()
    let bytes: Uint8Array
    try {
      bytes = await readFile(this.fileOf(key), { signal: options?.signal })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`block ${key.toString()} not found`)
      throw err
    }
    yield bytes
  }

  override async has (key: CID, options?: AbortOptions): Promise<boolean> {
    return this.files.has(key, options)
  }

  override async delete (key: CID, options?: AbortOptions): Promise<void> {
    const before = await fileSize(this.fileOf(key))
    await this.files.delete(key, options)
    this.delta -= before
  }

  override getAll (options?: AbortOptions): AsyncGenerator<Pair> {
    return this.files.getAll(options) as AsyncGenerator<Pair>
  }

  private fileOf (key: CID): string {
    const { dir, file } = this.sharding.encode(key)
    return join(this.path, dir, file)
  }

  /** The size saved at the last close, removed once read: after a crash the folder is walked instead. */
  private async readSavedSize (): Promise<number | undefined> {
    const file = join(this.path, SIZE_FILE)
    let text
    try {
      text = await readFile(file, 'utf8')
    } catch {
      return undefined
    }
    await rm(file, { force: true })
    try {
      const { size } = JSON.parse(text) as { size?: unknown }
      return typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? size : undefined
    } catch {
      return undefined
    }
  }
}

/** A repo from before the file blockstore: LevelDB keeps few, large files, so its size is a cheap walk. */
class LevelRepoBlockstore extends LevelBlockstore implements RepoBlockstore {
  private readonly path: string

  constructor (path: string) {
    super(path)
    this.path = path
  }

  async size (options?: AbortOptions): Promise<number> {
    return folderSize(this.path, options?.signal)
  }
}
