/** Where the consensus keeps its data, below the configuration folder. */
import { join } from 'node:path'

export function raftLogPath (folder: string): string {
  return join(folder, 'raft', 'log')
}

export function pinStatePath (folder: string): string {
  return join(folder, 'raft', 'state')
}
