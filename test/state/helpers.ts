/** Pins and temp folders for the pinset state tests. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { defaultPinOptions } from '../../src/api/pin.ts'
import { PinState } from '../../src/state/pin-state.ts'
import type { PinJson } from '../../src/api/types.ts'

/** A temp folder per test, removed afterwards (call `cleanup` in afterEach). */
export class TempFolders {
  private readonly made: string[] = []

  async make (prefix = 'pincluster-state-'): Promise<string> {
    const folder = await mkdtemp(join(tmpdir(), prefix))
    this.made.push(folder)
    return folder
  }

  async cleanup (): Promise<void> {
    await Promise.all(this.made.splice(0).map(async (f) => rm(f, { recursive: true, force: true })))
  }
}

export async function openState (folders: TempFolders): Promise<PinState> {
  const state = new PinState({ path: join(await folders.make(), 'pinset') })
  await state.open()
  return state
}

/** A CIDv1 (raw, sha2-256) for the number `n`, different for every n. */
export function cidOf (n: number): string {
  const digest = sha256.digest(new TextEncoder().encode(`pin ${n}`))
  if (digest instanceof Promise) throw new Error('sha256 is expected to be synchronous in Node')
  return CID.createV1(raw.code, digest).toString()
}

/** A plain pin with default options, as the consensus would store it. */
export function simplePin (n: number, extra: Partial<PinJson> = {}): PinJson {
  return {
    ...defaultPinOptions(),
    cid: cidOf(n),
    type: 'pin',
    allocations: [],
    max_depth: -1,
    reference: null,
    timestamp: '2024-05-01T10:00:00Z',
    ...extra
  }
}

export async function peerIds (n: number): Promise<string[]> {
  return Promise.all(Array.from({ length: n }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
}

/** A pin with every field away from its default, in IPFS Cluster's field order. */
export async function fullPin (): Promise<PinJson> {
  const [a, b, c] = await peerIds(3) as [string, string, string]
  return {
    replication_factor_min: 2,
    replication_factor_max: 3,
    name: 'my pin ✓ "quoted"',
    mode: 'direct',
    shard_size: 104857600,
    user_allocations: [a, b],
    expire_at: '2030-01-02T03:04:05.123456789+02:00',
    metadata: { owner: 'alice', 'x-empty': '' },
    pin_update: 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG',
    origins: [`/ip4/10.0.0.1/tcp/4001/p2p/${c}`],
    cid: cidOf(999_999_999),
    type: 'shard-pin',
    allocations: [a, c],
    max_depth: 0,
    reference: cidOf(999_999_998),
    timestamp: '2022-12-07T16:12:39+08:00'
  }
}

export async function collect<T> (items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

/** Stores pins 0..n-1 in batches. */
export async function fill (state: PinState, n: number, from = 0): Promise<void> {
  const size = 5000
  for (let start = from; start < from + n; start += size) {
    const count = Math.min(size, from + n - start)
    await state.batch(Array.from({ length: count }, (_, i) => ({ type: 'put' as const, pin: simplePin(start + i) })))
  }
}
