/**
 * The importer's leaf builder (its `bufferImporter` option), doing what its
 * default one does (a raw block, or a UnixFS node around the chunk, hashed
 * with the asked hasher) without keeping the chunks in memory.
 *
 * The balanced and trickle layouts keep every leaf's result until its
 * parent is made (174 leaves a parent: 44 MiB of 256 KiB chunks), and the
 * default builder's result holds the UnixFS node with the chunk as its
 * `data`, of which the parent only reads the length. Here that `data` is a
 * view of shared zeros of the same length once the block is stored.
 */
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { MAX_CHUNK_SIZE } from './params.ts'
import type { BufferImporter } from 'ipfs-unixfs-importer'
import type { Version } from 'multiformats/cid'
import type { MultihashHasher } from 'multiformats/hashes/interface'

const ZEROS = new Uint8Array(MAX_CHUNK_SIZE)

export interface LeafOptions {
  cidVersion: Version
  rawLeaves: boolean
  leafType: 'file' | 'raw'
  hasher: MultihashHasher
}

export function leafBuilder (options: LeafOptions): BufferImporter {
  return async function * buildLeaves (file, blockstore) {
    for await (const chunk of file.content) {
      yield async () => {
        if (options.rawLeaves) {
          // raw leaves are CIDv1 whatever the version asked, as the importer makes them
          const cid = CID.createV1(raw.code, await options.hasher.digest(chunk))
          await blockstore.put(cid, chunk)
          return { cid, size: BigInt(chunk.length), block: chunk }
        }
        const unixfs = new UnixFS({ type: options.leafType, data: chunk })
        const block = dagPb.encode({ Data: unixfs.marshal(), Links: [] })
        const cid = CID.create(options.cidVersion, dagPb.code, await options.hasher.digest(block))
        await blockstore.put(cid, block)
        unixfs.data = chunk.length <= ZEROS.length ? ZEROS.subarray(0, chunk.length) : unixfs.data
        return { cid, unixfs, size: BigInt(block.length), block }
      }
    }
  }
}
