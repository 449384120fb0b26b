/** The hash functions a UnixFS import can use, by Kubo's names. */
import { sha256, sha512 } from 'multiformats/hashes/sha2'
import type { MultihashHasher } from 'multiformats/hashes/interface'

export const DEFAULT_HASH = 'sha2-256'

const HASHERS = new Map<string, MultihashHasher<number>>([['sha2-256', sha256], ['sha2-512', sha512]])

/** Every name hasherOf takes. */
export const HASH_NAMES: readonly string[] = [...HASHERS.keys()]

export function hasherOf (name: string): MultihashHasher<number> {
  const hasher = HASHERS.get(name)
  if (hasher == null) throw new Error(`no hasher named ${name}`)
  return hasher
}
