/**
 * UnixFS import of an upload with ipfs-unixfs-importer, with the options
 * Kubo's `add` takes, writing blocks to whatever `put` does with them.
 */
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize, rabin } from 'ipfs-unixfs-importer/chunker'
import { balanced, trickle } from 'ipfs-unixfs-importer/layout'
import { DEFAULT_MHTYPE, hasherFor } from '../ipfsconn/block-cid.ts'
import { leafBuilder } from './leaves.ts'
import { Rehasher } from './rehash.ts'
import type { AddEntry, ChunkerSpec, ImportParams } from './types.ts'
import type { ImportCandidate, ImporterOptions } from 'ipfs-unixfs-importer'
import type { CID } from 'multiformats/cid'
import type { MultihashHasher } from 'multiformats/hashes/interface'

/** Kubo's links per node (balanced and trickle). */
const MAX_CHILDREN_PER_NODE = 174
/** Blocks hashed and handed to `put` at once, within a file. */
const BLOCK_WRITE_CONCURRENCY = 16

export interface ImportedNode {
  /** As the importer gives it: 'dir/file', '' for the wrapping directory. */
  path: string
  cid: CID
  /** The DAG's cumulative size (Kubo's Size). */
  size: number
}

export type PutBlock = (cid: CID, bytes: Uint8Array) => Promise<void>

/**
 * Imports the entries, yielding each file as it is imported, then the
 * directories. `content` wraps each file's bytes (to count them).
 */
export async function * importUnixfs (
  entries: AsyncIterable<AddEntry>,
  params: ImportParams,
  put: PutBlock,
  content: (path: string, bytes: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array> = (_path, bytes) => bytes
): AsyncGenerator<ImportedNode> {
  const rehasher = params.hash === DEFAULT_MHTYPE ? undefined : new Rehasher(hasherOf(params.hash), put)
  const store = rehasher?.put ?? put
  const blockstore = {
    put: async (cid: CID, bytes: Uint8Array): Promise<CID> => {
      await store(cid, bytes)
      return cid
    }
  }
  for await (const node of importer(candidates(entries, content), blockstore, importerOptions(params))) {
    const { cid, size } = rehasher?.final(node.cid, Number(node.size)) ?? { cid: node.cid, size: Number(node.size) }
    yield { path: node.path ?? cid.toString(), cid, size }
  }
}

async function * candidates (
  entries: AsyncIterable<AddEntry>,
  content: (path: string, bytes: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>
): AsyncGenerator<ImportCandidate> {
  for await (const entry of entries) {
    // a nameless file gets no path: the importer names it by its CID, as Kubo does
    const path = entry.path === '' ? undefined : entry.path
    if (entry.symlink != null) yield { path: entry.path, link: entry.symlink }
    else if (entry.content != null) yield { path, content: content(entry.path, entry.content) }
    else yield { path: entry.path }
  }
}

export function importerOptions (params: Pick<ImportParams, 'chunker' | 'rawLeaves' | 'cidVersion' | 'layout' | 'wrapWithDirectory' | 'hash'>): ImporterOptions {
  // Kubo's trickle DAGs without raw leaves have UnixFS 'raw' leaves, even for a single chunk
  const kuboTrickleLeaves = params.layout === 'trickle' && !params.rawLeaves
  return {
    chunker: chunkerOf(params.chunker),
    layout: params.layout === 'trickle' ? trickle({ maxChildrenPerNode: MAX_CHILDREN_PER_NODE }) : balanced({ maxChildrenPerNode: MAX_CHILDREN_PER_NODE }),
    rawLeaves: params.rawLeaves,
    leafType: kuboTrickleLeaves ? 'raw' : 'file',
    reduceSingleLeafToSelf: !kuboTrickleLeaves,
    cidVersion: params.cidVersion,
    bufferImporter: leafBuilder({ cidVersion: params.cidVersion, rawLeaves: params.rawLeaves, leafType: kuboTrickleLeaves ? 'raw' : 'file', hasher: hasherOf(params.hash) }),
    wrapWithDirectory: params.wrapWithDirectory,
    // Kubo's (pre-2025) rules for turning big directories into HAMT shards
    shardSplitStrategy: 'links-bytes',
    // one file at a time: the next file's bytes come after this one's in the request body
    fileImportConcurrency: 1,
    blockWriteConcurrency: BLOCK_WRITE_CONCURRENCY
  }
}

function chunkerOf (spec: ChunkerSpec): NonNullable<ImporterOptions['chunker']> {
  if (spec.kind === 'size') return fixedSize({ chunkSize: spec.size })
  return rabin({ minChunkSize: spec.min, avgChunkSize: spec.avg, maxChunkSize: spec.max })
}

/** params.ts admits only the hashes block-cid.ts has. */
function hasherOf (mhtype: string): MultihashHasher {
  const hasher = hasherFor(mhtype)
  if (hasher == null) throw new Error(`no hasher for ${mhtype}`)
  return hasher
}
