/**
 * The IPFS node's direct and recursive pins, keyed by multihash so that a
 * CIDv0 and a CIDv1 of the same block match (IPFS lists either form). Loaded
 * once per full status scan, as IPFS Cluster's stateless tracker does: one
 * `pin ls` instead of one request per pin.
 */
import { base32 } from 'multiformats/bases/base32'
import { base58btc } from 'multiformats/bases/base58'
import { parseCid } from '../api/cid.ts'
import type { IpfsPinType } from '../api/types.ts'
import type { IpfsPinLsItem } from '../rpc-api.ts'

/**
 * The multihash of a CID as a map key. The two canonical forms (v0 base58btc,
 * v1 base32) are decoded straight to bytes, skipping the CID object: a scan
 * computes one key per pin, and CID.parse costs several times more.
 */
export function blockKey (cid: string): string {
  let multihash: Uint8Array
  if (cid.length === 46 && cid.startsWith('Qm')) {
    multihash = base58btc.baseDecode(cid)
  } else if (cid.startsWith('b')) {
    const bytes = base32.baseDecode(cid.slice(1))
    // skip the version and codec varints
    let i = 0
    while (((bytes[i] ?? 0) & 0x80) !== 0) i++
    i++
    while (((bytes[i] ?? 0) & 0x80) !== 0) i++
    multihash = bytes.subarray(i + 1)
  } else {
    multihash = parseCid(cid).multihash.bytes
  }
  return Buffer.from(multihash.buffer, multihash.byteOffset, multihash.byteLength).toString('latin1')
}

export class IpfsPinset {
  private readonly pins = new Map<string, 'recursive' | 'direct'>()
  /** The listed CIDs as listed: most lookups are for one of them, and need no decoding. */
  private readonly listed = new Map<string, 'recursive' | 'direct'>()

  static async load (items: AsyncIterable<IpfsPinLsItem>): Promise<IpfsPinset> {
    const set = new IpfsPinset()
    for await (const item of items) {
      const key = blockKey(item.cid)
      // a block pinned both ways counts as recursive
      if (set.pins.get(key) !== 'recursive') set.pins.set(key, item.type)
      if (set.listed.get(item.cid) !== 'recursive') set.listed.set(item.cid, item.type)
    }
    return set
  }

  typeOf (cid: string): IpfsPinType {
    if (this.listed.get(cid) === 'recursive') return 'recursive'
    // a node that pins nothing (yet: a new peer catching up) needs no key for each pin of the scan
    if (this.pins.size === 0) return 'unpinned'
    return this.pins.get(blockKey(cid)) ?? 'unpinned'
  }
}
