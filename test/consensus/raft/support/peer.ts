/**
 * One member in a test: a RaftCore, its disk, and an application that records
 * what it applies. `flush()` handles every Ready the way the contract says
 * (persist, send, apply, advance) and checks on the way that nothing is handed
 * out for applying before it is on disk.
 */
import { strict as assert } from 'node:assert'
import { RaftCore } from '../../../../src/consensus/raft/core.ts'
import { MemoryDisk } from './disk.ts'
import type { RaftCoreInit } from '../../../../src/consensus/raft/core.ts'
import type { Entry, Message, NodeId, Ready, Snapshot } from '../../../../src/consensus/raft/types.ts'

export type PeerOptions = Partial<Omit<RaftCoreInit, 'id' | 'voters' | 'restore'>>

export const defaults = { electionTick: 10, heartbeatTick: 1 }

export class Peer {
  readonly id: NodeId
  readonly options: PeerOptions
  readonly disk: MemoryDisk
  core: RaftCore
  /** Every entry the app applied, in order, since it started or installed a snapshot. */
  applied: Entry[] = []
  appliedIndex = 0
  installed: Snapshot[] = []
  /** Every Ready handled, oldest first. */
  readies: Ready[] = []

  constructor (id: NodeId, voters: NodeId[], options: PeerOptions = {}, disk = new MemoryDisk()) {
    this.id = id
    this.options = options
    this.disk = disk
    this.core = new RaftCore({ ...defaults, random: () => 0, ...options, id, voters, restore: disk.load() })
    this.appliedIndex = this.core.status.applied
  }

  /** Handles every Ready; returns the messages to send. */
  flush (): Message[] {
    const out: Message[] = []
    while (this.core.hasReady()) {
      const rd = this.core.ready()
      this.readies.push(rd)
      this.disk.save(rd)
      out.push(...rd.messages)
      if (rd.snapshot !== undefined) {
        this.installed.push(rd.snapshot)
        this.appliedIndex = rd.snapshot.meta.index
      }
      for (const e of rd.committedEntries) {
        assert.equal(e.index, this.appliedIndex + 1, `${this.id} applies ${e.index} after ${this.appliedIndex}`)
        assert.equal(this.disk.term(e.index), e.term, `${this.id} applies ${e.index} before it is on disk`)
        this.applied.push(e)
        this.appliedIndex = e.index
      }
      this.core.advance()
    }
    return out
  }

  /** Crashes (losing whatever was not flushed) and restarts from the disk. */
  restart (options: PeerOptions = {}): void {
    this.core = new RaftCore({ ...defaults, random: () => 0, ...this.options, ...options, id: this.id, voters: [], restore: this.disk.load() })
    this.applied = []
    this.appliedIndex = this.core.status.applied
  }

  /** The data of the normal, non-empty entries applied, as strings. */
  appliedData (): string[] {
    return this.applied.filter((e) => e.type === 'normal' && e.data.byteLength > 0).map((e) => new TextDecoder().decode(e.data))
  }
}
