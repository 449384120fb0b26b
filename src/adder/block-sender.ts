/**
 * Sends the blocks of an upload to the IPFS nodes of the peers it is
 * allocated to (`IPFSConnector.BlockPut` through RPC, one multiCall per block,
 * its argument encoded once for every remote peer).
 *
 * `put()` returns as soon as the block is on its way, while fewer than
 * MAX_BLOCKS_IN_FLIGHT blocks and MAX_BYTES_IN_FLIGHT bytes are: the importer
 * keeps chunking and hashing while the network works, and memory stays
 * bounded whatever the upload's size. The first failure fails every later
 * `put()` and `flush()`.
 */
import { CID } from 'multiformats/cid'
import { AddInputError } from './errors.ts'
import type { BlockPutRequest, ClusterRpcClient } from '../rpc-api.ts'
import type { PeerId } from '@libp2p/interface'

const MAX_BLOCKS_IN_FLIGHT = 32
const MAX_BYTES_IN_FLIGHT = 8 * 1024 * 1024

/** Multicodec names BlockPut takes, by code. */
const CODECS: ReadonlyMap<number, string> = new Map([
  [0x55, 'raw'], [0x70, 'dag-pb'], [0x71, 'dag-cbor'], [0x0129, 'dag-json'], [0x0200, 'json']
])
/** Multihash names BlockPut verifies, by code. */
const HASHES: ReadonlyMap<number, string> = new Map([[0x12, 'sha2-256'], [0x13, 'sha2-512']])
const IDENTITY_HASH = 0x00

/** A peer's IPFS node did not store a block. */
export class BlockPutError extends Error {
  static readonly NAME = 'BlockPutError'
  /** 400 when the node refused the block itself (a CAR with a bad block), else 502: the peer or its IPFS node failed. */
  readonly statusCode: number

  constructor (peer: PeerId, cid: CID, cause: Error) {
    super(`cannot store block ${cid.toString()} on peer ${peer.toString()}: ${cause.message}`, { cause })
    this.name = BlockPutError.NAME
    this.statusCode = cause.name === 'IpfsInvalidRequestError' ? 400 : 502
  }
}

export interface BlockSenderInit {
  rpc: ClusterRpcClient
  /** Where every block goes; the local peer takes the RPC's local shortcut. */
  peers: PeerId[]
  signal: AbortSignal
}

export class BlockSender {
  private readonly rpc: ClusterRpcClient
  private readonly peers: PeerId[]
  private readonly controller = new AbortController()
  private readonly signal: AbortSignal
  private readonly inFlight = new Set<Promise<void>>()
  private bytesInFlight = 0
  private failure: Error | undefined
  /** put() calls waiting for room (the importer writes several blocks at once). */
  private waiting: Array<() => void> = []
  /** Blocks and bytes sent so far (each block counted once, whatever the number of peers). */
  blocks = 0
  bytes = 0

  constructor (init: BlockSenderInit) {
    this.rpc = init.rpc
    this.peers = init.peers
    this.signal = AbortSignal.any([init.signal, this.controller.signal])
  }

  async put (cid: CID, data: Uint8Array): Promise<void> {
    this.check()
    // the content is in the CID itself: nothing to store
    if (cid.multihash.code === IDENTITY_HASH) return
    const request = blockPutRequest(cid, data)
    while (this.inFlight.size > 0 && (this.inFlight.size >= MAX_BLOCKS_IN_FLIGHT || this.bytesInFlight + data.length > MAX_BYTES_IN_FLIGHT)) {
      await new Promise<void>((resolve) => { this.waiting.push(resolve) })
      this.check()
    }
    this.bytesInFlight += data.length
    const sending = this.send(cid, request)
      .catch((err: Error) => {
        this.failure ??= this.signal.aborted && !this.controller.signal.aborted ? this.signal.reason : err
        this.controller.abort(this.failure)
      })
      .finally(() => {
        this.inFlight.delete(sending)
        this.bytesInFlight -= data.length
        const waiting = this.waiting
        this.waiting = []
        for (const wake of waiting) wake()
      })
    this.inFlight.add(sending)
    this.blocks++
    this.bytes += data.length
  }

  /** Resolves once every block put so far is stored on every peer; rejects with the first failure. */
  async flush (): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight)
    this.check()
  }

  private check (): void {
    if (this.failure != null) throw this.failure
    this.signal.throwIfAborted()
  }

  private async send (cid: CID, request: BlockPutRequest): Promise<void> {
    const expected = CID.createV1(cid.code, cid.multihash).toString()
    const results = await this.rpc.multiCall(this.peers, 'IPFSConnector', 'BlockPut', request, { signal: this.signal })
    for (const result of results) {
      if (result.error != null) throw new BlockPutError(result.peer, cid, result.error)
      if (result.value !== expected) {
        throw new BlockPutError(result.peer, cid, new Error(`the IPFS node stored it as ${result.value}`))
      }
    }
  }
}

/** BlockPut's argument for a block; a codec or hash BlockPut does not take is the upload's fault (a CAR's). */
function blockPutRequest (cid: CID, data: Uint8Array): BlockPutRequest {
  const codec = CODECS.get(cid.code)
  if (codec == null) throw new AddInputError(`block ${cid.toString()}: codec 0x${cid.code.toString(16)} is not supported (${[...CODECS.values()].join(', ')})`)
  const mhtype = HASHES.get(cid.multihash.code)
  if (mhtype == null) throw new AddInputError(`block ${cid.toString()}: multihash 0x${cid.multihash.code.toString(16)} is not supported (${[...HASHES.values()].join(', ')})`)
  return { data, codec, mhtype }
}
