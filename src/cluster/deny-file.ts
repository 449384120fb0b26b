/**
 * Fault injection for tests of real processes: when the environment names a
 * file (PINCLUSTER_DENY_PEERS_FILE), the peer refuses connections to and
 * from the peer ids listed in it (a JSON array), re-reading it as it changes.
 * Writing the right lists into the peers' files cuts a cluster in two; an
 * empty list heals it. Without the variable nothing is watched.
 */
import { readFile } from 'node:fs/promises'
import { unwatchFile, watchFile } from 'node:fs'
import { logger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerGate } from '../host/peer-gate.ts'
import type { Libp2p } from '@libp2p/interface'

const log = logger('pincluster:cluster:deny-file')

export const DENY_FILE_ENV = 'PINCLUSTER_DENY_PEERS_FILE'

export class DenyFile {
  readonly name = 'deny-file'
  private readonly path: string | undefined
  private readonly gate: PeerGate
  private readonly host: Pick<Libp2p, 'hangUp'>
  private denied = new Set<string>()

  constructor (gate: PeerGate, host: Pick<Libp2p, 'hangUp'>, env: Record<string, string | undefined> = process.env) {
    this.gate = gate
    this.host = host
    this.path = env[DENY_FILE_ENV] !== '' ? env[DENY_FILE_ENV] : undefined
  }

  async start (): Promise<void> {
    if (this.path == null) return
    await this.apply()
    watchFile(this.path, { interval: 100 }, () => { void this.apply() })
  }

  async stop (): Promise<void> {
    if (this.path != null) unwatchFile(this.path)
  }

  private async apply (): Promise<void> {
    let ids: string[]
    try {
      ids = JSON.parse(await readFile(this.path ?? '', 'utf8')) as string[]
    } catch {
      ids = []
    }
    const next = new Set(ids)
    for (const id of this.denied) {
      if (!next.has(id)) this.gate.allow(peerIdFromString(id))
    }
    for (const id of next) {
      if (this.denied.has(id)) continue
      const peer = peerIdFromString(id)
      this.gate.deny(peer)
      await this.host.hangUp(peer).catch(() => {})
    }
    if (next.size !== this.denied.size || [...next].some((id) => !this.denied.has(id))) log('denied peers: %s', [...next].join(', ') || '(none)')
    this.denied = next
  }
}
