/**
 * `cluster-service state export|import|cleanup`: offline operations on this
 * peer's pinset. The daemon must be stopped (LevelDB allows one process).
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { createInterface } from 'node:readline/promises'
import { join } from 'node:path'
import { pinStatePath, raftLogPath } from '../../consensus/paths.ts'
import { RaftStorage } from '../../consensus/storage/raft-storage.ts'
import { PinState, exportState, importState } from '../../state/index.ts'

export class StateLockedError extends Error {
  constructor () {
    super('the state is in use: stop the cluster-service daemon first')
    this.name = 'StateLockedError'
  }
}

async function openState (folder: string): Promise<PinState> {
  const state = new PinState(pinStatePath(folder))
  try {
    await state.open()
  } catch (err) {
    if (/lock/i.test(String((err as Error).message) + String(((err as Error).cause as Error | undefined)?.message))) throw new StateLockedError()
    throw err
  }
  return state
}

export async function exportCommand (folder: string, file: string | undefined): Promise<void> {
  const state = await openState(folder)
  try {
    const out = file == null ? process.stdout : createWriteStream(file)
    const count = await exportState(state, out)
    if (file != null) {
      await new Promise<void>((resolve, reject) => {
        out.end((err?: Error | null) => {
          if (err == null) resolve()
          else reject(err)
        })
      })
      console.error(`exported ${count} pins to ${file}`)
    }
  } finally {
    await state.close()
  }
}

/**
 * Replaces the pinset with the file's. The pins are marked as applied up to
 * the end of this peer's Raft log, so nothing in the log replays over them:
 * run it on every peer, with the same file, while the cluster is stopped.
 */
export async function importCommand (folder: string, file: string): Promise<void> {
  const storage = new RaftStorage(raftLogPath(folder))
  await storage.open()
  let lastIndex: number
  try {
    await storage.load()
    lastIndex = storage.lastIndex()
  } finally {
    await storage.close()
  }
  const state = await openState(folder)
  try {
    const count = await importState(state, createReadStream(file), { appliedIndex: lastIndex })
    console.error(`imported ${count} pins from ${file}`)
  } finally {
    await state.close()
  }
}

/** Removes this peer's pinset and Raft log: it starts afresh, as a new peer. */
export async function cleanupCommand (folder: string, force: boolean): Promise<void> {
  if (!force) {
    if (process.stdin.isTTY !== true) throw new Error('state cleanup removes this peer\'s pinset and Raft log: add --force to confirm')
    const rl = createInterface({ input: process.stdin, output: process.stderr })
    const answer = await rl.question(`remove the pinset and Raft log in ${folder}? [y/N] `)
    rl.close()
    if (!/^y(es)?$/i.test(answer.trim())) throw new Error('cancelled')
  }
  // opening checks that no daemon holds it
  await (await openState(folder)).close()
  await rm(join(folder, 'raft'), { recursive: true, force: true })
  console.error(`removed the pinset and Raft log of ${folder}`)
}
