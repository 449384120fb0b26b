/** Temp folders, entries and raw database access for the Raft log store tests. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { RaftStorage } from '../../../src/consensus/storage/raft-storage.ts'
import type { Entry } from '../../../src/consensus/raft/types.ts'

export class TempFolders {
  private readonly made: string[] = []

  async make (): Promise<string> {
    const folder = await mkdtemp(join(tmpdir(), 'pincluster-raft-'))
    this.made.push(folder)
    return folder
  }

  async cleanup (): Promise<void> {
    await Promise.all(this.made.splice(0).map(async (f) => rm(f, { recursive: true, force: true })))
  }
}

/** An opened, loaded store in a fresh folder. */
export async function freshStorage (folders: TempFolders): Promise<{ storage: RaftStorage, path: string }> {
  const path = join(await folders.make(), 'raft')
  const storage = new RaftStorage({ path })
  await storage.open()
  await storage.load()
  return { storage, path }
}

export async function reopen (path: string): Promise<RaftStorage> {
  const storage = new RaftStorage({ path })
  await storage.open()
  return storage
}

/** Entries from..to (inclusive) of one term, each with data naming it. */
export function entries (from: number, to: number, term: number): Entry[] {
  const out: Entry[] = []
  for (let index = from; index <= to; index++) {
    out.push({ term, index, type: index % 7 === 0 ? 'conf' : 'normal', data: new TextEncoder().encode(`entry ${index} term ${term}`) })
  }
  return out
}

/** Works on the store's LevelDB directly (the store must be closed). */
export async function withRawDb (path: string, fn: (db: ClassicLevel<Uint8Array, Uint8Array>) => Promise<void>): Promise<void> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
  await db.open()
  try {
    await fn(db)
  } finally {
    await db.close()
  }
}

/** The key of entry `index`, as the store lays it out ('e' + 8 bytes big-endian), rebuilt here independently. */
export function rawEntryKey (index: number): Uint8Array {
  const key = new Uint8Array(9)
  key[0] = 0x65
  new DataView(key.buffer).setBigUint64(1, BigInt(index))
  return key
}

export async function storedEntryIndexes (path: string): Promise<number[]> {
  const out: number[] = []
  await withRawDb(path, async (db) => {
    for await (const key of db.keys({ gte: Uint8Array.of(0x65), lt: Uint8Array.of(0x66) })) {
      out.push(Number(new DataView(key.buffer, key.byteOffset, key.byteLength).getBigUint64(1)))
    }
  })
  return out
}
