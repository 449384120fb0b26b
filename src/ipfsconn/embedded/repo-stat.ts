/**
 * RepoStat of the embedded node: repo_size is what the blocks take (the
 * blockstore keeps count, see blockstore.ts); storage_max is the configured limit, or else what the repo could grow to
 * on its disk: its size plus the disk's free space.
 */
import { readdir, stat, statfs } from 'node:fs/promises'
import { join } from 'node:path'
import type { IPFSRepoStatJson } from '../../api/types.ts'

/** The bytes of the files below `path`; a file removed while it is walked counts 0. */
export async function folderSize (path: string, signal?: AbortSignal): Promise<number> {
  let total = 0
  let entries
  try {
    entries = await readdir(path, { withFileTypes: true })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0
    throw err
  }
  for (const entry of entries) {
    signal?.throwIfAborted()
    const full = join(entry.parentPath, entry.name)
    if (entry.isDirectory()) {
      total += await folderSize(full, signal)
    } else if (entry.isFile()) {
      try {
        total += (await stat(full)).size
      } catch (err) {
        // LevelDB removes files as it compacts; blocks are written to a temporary file, then renamed
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      }
    }
  }
  return total
}

export async function repoStat (blocksPath: string, repoSize: number, storageMax: number): Promise<IPFSRepoStatJson> {
  if (storageMax > 0) return { repo_size: repoSize, storage_max: storageMax }
  const disk = await statfs(blocksPath)
  return { repo_size: repoSize, storage_max: repoSize + disk.bavail * disk.bsize }
}
