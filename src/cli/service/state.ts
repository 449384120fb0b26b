/**
 * `cluster-service state export|import|cleanup`: offline operations on this
 * peer's pinset. The daemon must be stopped (LevelDB allows one process).
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { createInterface } from 'node:readline/promises'
import { join } from 'node:path'
import { pinStatePath, raftLogPath } from '../../consensus/paths.ts'
import { RaftCore } from '../../consensus/raft/core.ts'
import { RaftStorage } from '../../consensus/storage/raft-storage.ts'
import { loadConfig } from '../../config/index.ts'
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
 * Replaces the pinset with the file's, and turns the Raft log into a snapshot
 * of it: the imported pins are in no log entry, so a peer that joins later
 * must get them from a snapshot, and nothing in the old log may replay over
 * them. Run it on every peer, with the same file, while the cluster is
 * stopped.
 */
export async function importCommand (folder: string, file: string): Promise<void> {
  const { service, identity } = await loadConfig(folder)
  const storage = new RaftStorage(raftLogPath(folder))
  await storage.open()
  try {
    const restore = await storage.load()
    const entries = restore.entries ?? []
    const last = entries.at(-1)
    const fresh = last == null && restore.snapshot == null
    // the configuration as of the end of the log, computed by the Raft core itself
    const voters = fresh
      ? (service.consensus.raft.init_peerset.length > 0 ? service.consensus.raft.init_peerset : [identity.id])
      : new RaftCore({ id: identity.id, voters: [], electionTick: 10, heartbeatTick: 1, random: Math.random, restore }).status.voters
    const index = Math.max(1, last?.index ?? restore.snapshot?.meta.index ?? 0)
    const term = Math.max(1, last?.term ?? restore.snapshot?.meta.term ?? 0)

    const state = await openState(folder)
    try {
      const count = await importState(state, createReadStream(file), { appliedIndex: index })
      console.error(`imported ${count} pins from ${file}`)
    } finally {
      await state.close()
    }
    const hs = restore.hardState
    await storage.save({
      snapshot: { meta: { index, term, voters }, data: new TextEncoder().encode(identity.id) },
      hardState: { term: Math.max(term, hs?.term ?? 0), vote: hs?.vote ?? '', commit: Math.max(index, hs?.commit ?? 0) },
      entries: []
    })
  } finally {
    await storage.close()
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
