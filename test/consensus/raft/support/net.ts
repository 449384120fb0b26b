/**
 * A deterministic in-process network for unit tests: messages are delivered
 * in the order sent, every Ready is handled at once, and links can be cut or
 * messages filtered out. No time passes except through explicit ticks.
 */
import { strict as assert } from 'node:assert'
import { Peer } from './peer.ts'
import type { PeerOptions } from './peer.ts'
import type { MemoryDisk } from './disk.ts'
import type { Message, NodeId } from '../../../../src/consensus/raft/types.ts'

export class Net {
  readonly peers = new Map<NodeId, Peer>()
  /** Every message sent, delivered or not, oldest first. */
  readonly sent: Message[] = []
  /** Drops the messages it returns true for. */
  dropIf: ((m: Message) => boolean) | undefined
  private queue: Message[] = []
  private readonly cuts = new Set<string>()

  constructor (ids: NodeId[], options: PeerOptions = {}) {
    for (const id of ids) this.peers.set(id, new Peer(id, ids, options))
  }

  /** Adds a peer: a fresh joining one (no voters) unless given a disk or voters. */
  add (id: NodeId, options: PeerOptions = {}, disk?: MemoryDisk, voters: NodeId[] = []): Peer {
    const p = new Peer(id, voters, options, disk)
    this.peers.set(id, p)
    return p
  }

  peer (id: NodeId): Peer {
    const p = this.peers.get(id)
    if (p === undefined) throw new Error(`no peer ${id}`)
    return p
  }

  /** Handles the Readies of every peer, queueing what they send. */
  flush (): void {
    for (const p of this.peers.values()) this.enqueue(p.flush())
  }

  /** Delivers until no message is left. */
  deliver (): void {
    this.flush()
    let steps = 0
    while (this.queue.length > 0) {
      assert.ok(++steps < 1_000_000, 'the network does not settle')
      const m = this.queue.shift() as Message
      if (this.cuts.has(`${m.from}>${m.to}`) || this.dropIf?.(m) === true) continue
      const p = this.peers.get(m.to)
      if (p === undefined) continue
      p.core.step(m)
      this.enqueue(p.flush())
    }
  }

  /** Takes the queued messages out without delivering them. */
  take (): Message[] {
    this.flush()
    const out = this.queue
    this.queue = []
    return out
  }

  /** Delivers these messages (e.g. taken earlier) and whatever follows from them. */
  inject (msgs: Message[]): void {
    this.queue.push(...msgs)
    this.deliver()
  }

  tick (id: NodeId, n = 1): void {
    const p = this.peer(id)
    for (let i = 0; i < n; i++) {
      p.core.tick()
      this.enqueue(p.flush())
    }
  }

  /** Ticks every peer n times, delivering after each round. */
  tickAll (n = 1): void {
    for (let i = 0; i < n; i++) {
      for (const p of this.peers.values()) {
        p.core.tick()
        this.enqueue(p.flush())
      }
      this.deliver()
    }
  }

  /** Makes `id` campaign (ticks it through an election timeout) and delivers. */
  campaign (id: NodeId): void {
    const p = this.peer(id)
    const before = p.core.status
    for (let i = 0; i < 1000 && p.core.status.role === before.role && p.core.status.term === before.term; i++) {
      p.core.tick()
      this.enqueue(p.flush())
    }
    this.deliver()
  }

  /** Elects `id` and checks it won. */
  elect (id: NodeId): Peer {
    this.campaign(id)
    const p = this.peer(id)
    assert.equal(p.core.status.role, 'leader', `${id} should have won the election`)
    return p
  }

  leader (): Peer | undefined {
    let best: Peer | undefined
    for (const p of this.peers.values()) {
      const s = p.core.status
      if (s.role === 'leader' && (best === undefined || s.term > best.core.status.term)) best = p
    }
    return best
  }

  propose (id: NodeId, data: string): { index: number, term: number } {
    const at = this.peer(id).core.propose(new TextEncoder().encode(data))
    this.deliver()
    return at
  }

  cut (a: NodeId, b: NodeId): void {
    this.cuts.add(`${a}>${b}`)
    this.cuts.add(`${b}>${a}`)
  }

  isolate (id: NodeId): void {
    for (const other of this.peers.keys()) if (other !== id) this.cut(id, other)
  }

  heal (): void {
    this.cuts.clear()
    this.dropIf = undefined
  }

  private enqueue (msgs: Message[]): void {
    this.sent.push(...msgs)
    this.queue.push(...msgs)
  }
}
