/** What the adder takes and gives: shared by the REST API's /add and the IPFS proxy's add. */
import type { PinOptionsJson } from '../api/types.ts'

/**
 * One item of an upload, in the order the client sent it. A directory has
 * no content; a symlink has its target. A file's content must be read to
 * its end (or abandoned) before the next item is asked for: it streams
 * from the request body.
 */
export interface AddEntry {
  /** Relative, '/'-separated ('dir/sub/file.txt'); '' for a nameless file. */
  path: string
  content?: AsyncIterable<Uint8Array>
  /** The target of a symlink. */
  symlink?: string
}

export type Layout = 'balanced' | 'trickle'
export type AddFormat = 'unixfs' | 'car'

/** The chunker as parsed: fixed-size chunks or rabin fingerprinting (sizes in bytes). */
export type ChunkerSpec =
  | { kind: 'size', size: number }
  | { kind: 'rabin', min: number, avg: number, max: number }

/** How the upload is imported (see params.ts for the query parameters they come from). */
export interface ImportParams {
  format: AddFormat
  chunker: ChunkerSpec
  rawLeaves: boolean
  cidVersion: 0 | 1
  layout: Layout
  /** Multihash name of the blocks (for UnixFS imports, one of block-cid.ts's MHTYPES). */
  hash: string
  wrapWithDirectory: boolean
  /** Blocks go to this peer's IPFS node only; the pin is allocated as usual. */
  local: boolean
  /** Blocks are added but nothing is pinned. */
  noPin: boolean
  /** Also yield progress items ({name, bytes}) while files are read. */
  progress: boolean
  /** Read by clients walking a folder; accepted and ignored here. */
  hidden: boolean
  recursive: boolean
}

export interface AddParams extends ImportParams {
  /** The options of the pin(s) made at the end; a missing name becomes the upload's top-level name. */
  pin: Partial<PinOptionsJson>
}

/**
 * IPFS Cluster's AddedOutput: one per file and directory once imported,
 * fields in its order, zero values left out as Go's `omitempty` does.
 */
export interface AddedOutput {
  name: string
  cid: string
  size?: number
  allocations?: string[]
}

/** A progress item (`progress=true`): bytes of a file read so far. */
export interface AddProgress {
  name: string
  bytes: number
}

export type AddOutput = AddedOutput | AddProgress

export function isProgress (output: AddOutput): output is AddProgress {
  return !('cid' in output)
}
