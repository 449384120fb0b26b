/**
 * The IPFS node's direct and recursive pins, keyed by multihash so that a
 * CIDv0 and a CIDv1 of the same block match (IPFS lists either form). Loaded
 * once per full status scan, as IPFS Cluster's stateless tracker does: one
 * `pin ls` instead of one request per pin.
 */
import { toString } from 'uint8arrays/to-string'
import { parseCid } from '../api/cid.ts'
import type { IpfsPinType } from '../api/types.ts'
import type { IpfsPinLsItem } from '../rpc-api.ts'

export function blockKey (cid: string): string {
  return toString(parseCid(cid).multihash.bytes, 'base64')
}

export class IpfsPinset {
  private readonly pins = new Map<string, 'recursive' | 'direct'>()

  static async load (items: AsyncIterable<IpfsPinLsItem>): Promise<IpfsPinset> {
    const set = new IpfsPinset()
    for await (const item of items) {
      const key = blockKey(item.cid)
      // a block pinned both ways counts as recursive
      if (set.pins.get(key) !== 'recursive') set.pins.set(key, item.type)
    }
    return set
  }

  typeOf (cid: string): IpfsPinType {
    return this.pins.get(blockKey(cid)) ?? 'unpinned'
  }
}
