/**
 * Keeps this peer connected to every member of the peerset. Members learn
 * each other's addresses from the members they are connected to (their ID's
 * cluster_peers_addresses) and remember them in the `peerstore` file of the
 * configuration folder, so a restarted peer finds the others even when the
 * peer it first joined through is gone.
 */
import { readFile, writeFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { logger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { ClusterHost } from '../host/host.ts'
import type { ClusterRpcClient } from '../rpc-api.ts'
import type { PeerId } from '@libp2p/interface'

const log = logger('pincluster:cluster:peers')

export const PEERSTORE_FILE = 'peerstore'

export interface PeerWatchInit {
  host: ClusterHost
  rpc: ClusterRpcClient
  folder: string
  interval: number
  dialTimeout: number
}

export class PeerWatch {
  readonly name = 'peer-watch'
  private readonly host: ClusterHost
  private readonly rpc: ClusterRpcClient
  private readonly path: string
  private readonly interval: number
  private readonly dialTimeout: number
  private timer?: ReturnType<typeof setTimeout>
  private running?: Promise<void>
  private stopped = true
  private saved = ''

  constructor (init: PeerWatchInit) {
    this.host = init.host
    this.rpc = init.rpc
    this.path = join(init.folder, PEERSTORE_FILE)
    this.interval = init.interval
    this.dialTimeout = init.dialTimeout
  }

  /** Loads the remembered addresses; call before anything dials members. */
  async load (): Promise<void> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch {
      return
    }
    for (const line of text.split('\n')) {
      const addr = line.trim()
      if (addr === '') continue
      try {
        const ma = multiaddr(addr)
        const id = ma.getComponents().find((c) => c.name === 'p2p')?.value
        if (id == null) continue
        await this.host.peerStore.merge(peerIdFromString(id), { multiaddrs: [ma.decapsulateCode(421)] })
      } catch (err) {
        log('ignoring peerstore line %s: %s', addr, (err as Error).message)
      }
    }
  }

  async start (): Promise<void> {
    this.stopped = false
    this.schedule(0)
  }

  async stop (): Promise<void> {
    this.stopped = true
    if (this.timer != null) clearTimeout(this.timer)
    await this.running
  }

  /** Connects to the members now; resolves when done. */
  async connectMembers (signal?: AbortSignal): Promise<void> {
    const self = this.host.peerId.toString()
    const voters = (await this.rpc.call(undefined, 'Consensus', 'Peers', undefined, { signal })).filter((v) => v !== self)
    const missing = voters.filter((v) => this.host.getConnections(peerIdFromString(v)).length === 0).map((v) => peerIdFromString(v))
    if (missing.length > 0) {
      const unreached = await this.dialAll(missing)
      if (unreached.length > 0) {
        await this.learnAddresses(voters.map((v) => peerIdFromString(v)).filter((p) => !unreached.some((u) => u.equals(p))), signal)
        await this.dialAll(unreached)
      }
    }
    await this.save(voters)
  }

  private schedule (delay: number): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.running = this.connectMembers(AbortSignal.timeout(this.interval + this.dialTimeout))
        .catch((err: Error) => { log('peer watch: %s', err.message) })
        .finally(() => { this.schedule(this.interval) })
    }, delay)
  }

  private async dialAll (peers: PeerId[]): Promise<PeerId[]> {
    const results = await Promise.allSettled(peers.map(async (p) => this.host.dial(p, { signal: AbortSignal.timeout(this.dialTimeout) })))
    return peers.filter((_, i) => results[i]?.status === 'rejected')
  }

  /** Asks connected members for the addresses they know. */
  private async learnAddresses (from: PeerId[], signal?: AbortSignal): Promise<void> {
    const connected = from.filter((p) => this.host.getConnections(p).length > 0)
    const answers = await this.rpc.multiCall(connected, 'Cluster', 'ID', undefined, { signal })
    for (const answer of answers) {
      for (const addr of answer.value?.cluster_peers_addresses ?? []) {
        try {
          const ma = multiaddr(addr)
          const id = ma.getComponents().find((c) => c.name === 'p2p')?.value
          if (id == null || id === this.host.peerId.toString()) continue
          await this.host.peerStore.merge(peerIdFromString(id), { multiaddrs: [ma.decapsulateCode(421)] })
        } catch (err) {
          log('ignoring address %s: %s', addr, (err as Error).message)
        }
      }
    }
  }

  /** Remembers the members' addresses (written only when they change). */
  private async save (voters: string[]): Promise<void> {
    const lines: string[] = []
    for (const v of voters) {
      try {
        const peer = await this.host.peerStore.get(peerIdFromString(v))
        for (const a of peer.addresses) lines.push(a.multiaddr.encapsulate(`/p2p/${v}`).toString())
      } catch {
        // not known yet
      }
    }
    const text = lines.sort().join('\n') + '\n'
    if (text === this.saved) return
    const temporary = `${this.path}.tmp`
    await writeFile(temporary, text, { mode: 0o600 })
    await rename(temporary, this.path)
    this.saved = text
  }
}
