/**
 * CIDs of blocks put through BlockPut, computed here so that both connectors
 * answer the same CID (CIDv1, the requested codec and hash) whatever CID
 * version or base the IPFS node would have chosen.
 */
import { CID } from 'multiformats/cid'
import { parseCid as parseAnyBase } from '../api/cid.ts'
import { sha256, sha512 } from 'multiformats/hashes/sha2'
import { IpfsInvalidRequestError } from './errors.ts'
import type { MultihashHasher } from 'multiformats/hashes/interface'

/** Multicodec codes of the block codecs BlockPut accepts. */
export const BLOCK_CODECS: Readonly<Record<string, number>> = Object.freeze({
  raw: 0x55,
  'dag-pb': 0x70,
  'dag-cbor': 0x71,
  'dag-json': 0x0129,
  json: 0x0200
})

const HASHERS: Readonly<Record<string, MultihashHasher>> = Object.freeze({
  'sha2-256': sha256,
  'sha2-512': sha512
})

export const DEFAULT_MHTYPE = 'sha2-256'

/** Every multihash name hasherFor knows. */
export const MHTYPES: readonly string[] = Object.keys(HASHERS)

export function codecCode (codec: string): number {
  const code = BLOCK_CODECS[codec]
  if (code == null) throw new IpfsInvalidRequestError(`unknown block codec ${JSON.stringify(codec)}: expected one of ${Object.keys(BLOCK_CODECS).join(', ')}`)
  return code
}

/** The hasher for a multihash name, or undefined when this code base does not have it. */
export function hasherFor (mhtype: string): MultihashHasher | undefined {
  return HASHERS[mhtype]
}

/** The CIDv1 of `data` with this codec and hash. */
export async function blockCid (data: Uint8Array, codec: string, mhtype: string = DEFAULT_MHTYPE): Promise<CID> {
  const code = codecCode(codec)
  const hasher = hasherFor(mhtype)
  if (hasher == null) throw new IpfsInvalidRequestError(`unsupported multihash ${JSON.stringify(mhtype)}: expected one of ${Object.keys(HASHERS).join(', ')}`)
  return CID.createV1(code, await hasher.digest(data))
}

/** Parses a CID given by a caller (any base, v0 or v1); a bad one is an IpfsInvalidRequestError. */
export function parseCid (text: string): CID {
  try {
    return parseAnyBase(text.trim())
  } catch (err) {
    throw new IpfsInvalidRequestError(`invalid CID ${JSON.stringify(text)}: ${(err as Error).message}`)
  }
}
