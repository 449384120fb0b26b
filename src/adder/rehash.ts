/**
 * UnixFS DAGs hashed with another function than sha2-256.
 *
 * ipfs-unixfs-importer hashes the nodes it builds (file roots, directories,
 * HAMT shards) with sha2-256 and takes no other hasher; the leaves are ours
 * (leaves.ts) and are hashed as asked. A `Rehasher` sits between the importer
 * and the block store: it receives every block after its children (the
 * importer writes bottom-up), so it can point each node's links at its
 * children's new CIDs, recount their cumulative sizes (longer CIDs make
 * bigger nodes) and hash the node again. The result is the DAG Kubo makes
 * with `--hash`.
 */
import * as dagPb from '@ipld/dag-pb'
import { CID } from 'multiformats/cid'
import type { MultihashHasher } from 'multiformats/hashes/interface'

type PutBlock = (cid: CID, bytes: Uint8Array) => Promise<void>

interface Renamed {
  cid: CID
  /** The block's size plus its descendants' (a link's Tsize). */
  cumulativeSize: number
}

export class Rehasher {
  private readonly hasher: MultihashHasher
  private readonly putBlock: PutBlock
  /** The importer's sha2-256 CIDs of the nodes rehashed so far, by text. */
  private readonly renamed = new Map<string, Renamed>()

  constructor (hasher: MultihashHasher, putBlock: PutBlock) {
    this.hasher = hasher
    this.putBlock = putBlock
  }

  /** Stores the block under its new CID (a leaf, already hashed as asked, goes through as it is). */
  readonly put = async (cid: CID, bytes: Uint8Array): Promise<void> => {
    if (cid.multihash.code === this.hasher.code || cid.code !== dagPb.code) {
      await this.putBlock(cid, bytes)
      return
    }
    const node = dagPb.decode(bytes)
    let linked = 0
    const links = node.Links.map((link) => {
      const child = this.renamed.get(link.Hash.toString())
      const size = child?.cumulativeSize ?? link.Tsize ?? 0
      linked += size
      return child == null ? link : { ...link, Hash: child.cid, Tsize: child.cumulativeSize }
    })
    const block = dagPb.encode(dagPb.prepare({ ...node, Links: links }))
    const renamed = CID.create(1, dagPb.code, await this.hasher.digest(block))
    this.renamed.set(cid.toString(), { cid: renamed, cumulativeSize: block.byteLength + linked })
    await this.putBlock(renamed, block)
  }

  /** The CID and cumulative size an imported node ends up with. */
  final (cid: CID, size: number): { cid: CID, size: number } {
    const renamed = this.renamed.get(cid.toString())
    return renamed == null ? { cid, size } : { cid: renamed.cid, size: renamed.cumulativeSize }
  }
}
