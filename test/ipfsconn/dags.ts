/**
 * Content for the connector tests, built in memory with the UnixFS importer
 * (CIDv1, raw leaves) and handed to a connector block by block (BlockPut).
 */
import { randomBytes } from 'node:crypto'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { concat } from 'uint8arrays/concat'
import type { ClusterApi } from '../../src/rpc-api.ts'
import type { CID } from 'multiformats/cid'

export interface Block {
  cid: CID
  bytes: Uint8Array
}

export interface Dag {
  /** The root (a file, or the directory). */
  root: CID
  blocks: Block[]
  /** Each imported entry by its path (directories included). */
  entries: Map<string, CID>
}

const CODEC_NAMES: Record<number, string> = { 0x55: 'raw', 0x70: 'dag-pb', 0x71: 'dag-cbor' }

async function toBytes (value: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  // a plain Uint8Array (the importer hands out slices of the Buffers it was given)
  if (value instanceof Uint8Array) return new Uint8Array(value)
  const chunks: Uint8Array[] = []
  for await (const chunk of value) chunks.push(chunk)
  return concat(chunks)
}

/** Imports files (`{ path: content }`); with one file and no directory in its path, the root is the file. */
export async function buildDag (files: Record<string, Uint8Array>, options: { chunkSize?: number } = {}): Promise<Dag> {
  const blocks: Block[] = []
  const seen = new Set<string>()
  const store = {
    put: async (cid: CID, bytes: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<CID> => {
      if (!seen.has(cid.toString())) {
        seen.add(cid.toString())
        blocks.push({ cid, bytes: await toBytes(bytes) })
      }
      return cid
    }
  }
  const entries = new Map<string, CID>()
  let root: CID | undefined
  const source = Object.entries(files).map(([path, content]) => ({ path, content }))
  for await (const entry of importer(source, store, { cidVersion: 1, rawLeaves: true, chunker: fixedSize({ chunkSize: options.chunkSize ?? 1024 }) })) {
    entries.set(entry.path ?? '', entry.cid)
    root = entry.cid
  }
  if (root == null) throw new Error('nothing imported')
  return { root, blocks, entries }
}

/** A file of `size` random bytes cut in 1 KiB chunks: size/1024 raw leaves under one dag-pb root. */
export async function randomFileDag (size: number): Promise<Dag> {
  return buildDag({ [`file-${randomBytes(4).toString('hex')}`]: randomBytes(size) })
}

/** Puts every block of the DAG through the connector, checking the CID it answers. */
export async function putDag (svc: ClusterApi['IPFSConnector'], dag: Dag, signal: AbortSignal): Promise<void> {
  for (const block of dag.blocks) {
    const codec = CODEC_NAMES[block.cid.code]
    if (codec == null) throw new Error(`no codec name for ${block.cid.toString()}`)
    const answered = await svc.BlockPut({ data: block.bytes, codec }, { signal })
    if (answered !== block.cid.toString()) throw new Error(`BlockPut answered ${answered} for ${block.cid.toString()}`)
  }
}
