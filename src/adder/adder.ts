/**
 * The cluster adder (IPFS Cluster's single-shard adder): imports an upload
 * and sends its blocks to the IPFS nodes of the peers the pin will be
 * allocated to, then pins the root(s) with those allocations.
 *
 * 1. The first entry is read before anything else: a body that is not a
 *    usable upload fails before any block is sent or peer asked.
 * 2. `Cluster.BlockAllocate` says where a pin with these options goes. With
 *    `local`, the blocks go to this peer's IPFS node only, and this peer
 *    takes the last allocation unless the user chose the allocations (the
 *    others fetch the blocks when they pin).
 * 3. Blocks stream to those nodes as they are made (BlockSender).
 * 4. Every file and directory is reported as it is imported; with
 *    `progress`, the bytes read of each file too.
 * 5. Once every block is stored everywhere, each root is pinned through
 *    `Cluster.Pin` (unless `noPin`): the wrapping directory, or each
 *    top-level entry. A failure on the way pins nothing.
 *
 * Shared code, not a component: it holds only the RPC client it is given.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { logger } from '@libp2p/logger'
import { queuelessPushable } from 'it-queueless-pushable'
import { BlockSender } from './block-sender.ts'
import { importCar } from './car.ts'
import { AddInputError } from './errors.ts'
import { importUnixfs } from './unixfs.ts'
import type { AddEntry, AddOutput, AddParams, AddedOutput } from './types.ts'
import type { PutBlock } from './unixfs.ts'
import type { ClusterRpcClient } from '../rpc-api.ts'
import type { PeerId } from '@libp2p/interface'
import type { Logger } from '@libp2p/logger'
import type { Pushable } from 'it-queueless-pushable'

/** Kubo and IPFS Cluster report progress every 256 KiB of a file. */
const PROGRESS_EVERY = 256 * 1024

export interface AdderInit {
  rpc: ClusterRpcClient
  log?: Logger
}

export interface AddOptions {
  signal?: AbortSignal
}

interface Destinations {
  /** The IPFS nodes (of these cluster peers) the blocks go to. */
  blocks: PeerId[]
  /** The pin's allocations ([]: let Cluster.Pin decide). */
  allocations: string[]
}

interface Root {
  name: string
  cid: string
}

export class Adder {
  private readonly rpc: ClusterRpcClient
  private readonly log: Logger

  constructor (init: AdderInit) {
    this.rpc = init.rpc
    this.log = init.log ?? logger('pincluster:adder')
  }

  /**
   * Adds `files` (see AddEntry: each file's content is read before the next
   * entry is asked for), yielding an AddedOutput per file and directory, and
   * progress items with `params.progress`. Errors the client caused are
   * AddInputError (`statusCode` 400).
   */
  async * add (files: AsyncIterable<AddEntry>, params: AddParams, options: AddOptions = {}): AsyncGenerator<AddOutput> {
    const stop = new AbortController()
    const signal = options.signal == null ? stop.signal : AbortSignal.any([options.signal, stop.signal])
    const entries = files[Symbol.asyncIterator]()
    let completed = false
    try {
      const first = await entries.next()
      if (first.done === true) throw new AddInputError('no file in the request')
      const destinations = await this.destinations(params, signal)
      this.log('adding %s to %s (blocks to %s)', first.value.path, destinations.allocations.join(', '),
        destinations.blocks.map(String).join(', '))
      const out = queuelessPushable<AddOutput>()
      // the upload's name, for pins the user did not name: its first top-level entry's
      const uploadName = first.value.path.split('/')[0] ?? ''
      const run = this.run(withFirst(first.value, entries), params, destinations, uploadName, out, signal)
      try {
        yield * out
        completed = true
      } finally {
        // the consumer stopped early or the import failed: calls in flight are cancelled
        if (!completed) stop.abort(new Error('the add was stopped'))
        // the import may be waiting for body bytes that only the request's end or abort will settle
        if (completed) await run
      }
    } finally {
      // returning the entries waits for a read in progress to settle: only when nothing is pending
      if (completed) await entries.return?.()
      else entries.return?.()?.catch(() => {})
    }
  }

  private async destinations (params: AddParams, signal: AbortSignal): Promise<Destinations> {
    const allocations = await this.rpc.call(undefined, 'Cluster', 'BlockAllocate', params.pin, { signal })
    const self = this.rpc.localPeer
    if (params.local) {
      const chosen = [...allocations]
      const userChose = (params.pin.user_allocations?.length ?? 0) > 0
      if (!chosen.includes(self.toString()) && !userChose && chosen.length > 0) chosen[chosen.length - 1] = self.toString()
      return { blocks: [self], allocations: chosen }
    }
    // nobody to send them to (no peer has a valid ping yet): this peer keeps them, the pin is allocated as usual
    if (allocations.length === 0) return { blocks: [self], allocations: [] }
    return { blocks: allocations.map((p) => peerIdFromString(p)), allocations }
  }

  /** Imports, sends and pins, pushing outputs to `out`; never rejects (failures end `out`). */
  private async run (entries: AsyncIterable<AddEntry>, params: AddParams, destinations: Destinations, uploadName: string, out: Pushable<AddOutput>, signal: AbortSignal): Promise<void> {
    const push = async (output: AddOutput): Promise<void> => { await out.push(output, { signal }) }
    const sender = new BlockSender({ rpc: this.rpc, peers: destinations.blocks, signal })
    const put: PutBlock = async (cid, bytes) => sender.put(cid, bytes)
    const allocations = destinations.allocations.length > 0 ? { allocations: destinations.allocations } : {}
    try {
      const roots: Root[] = []
      if (params.format === 'car') {
        roots.push(await this.addCar(entries, params, put, push, allocations))
      } else {
        const progress = params.progress ? (path: string, bytes: AsyncIterable<Uint8Array>) => counted(path, bytes, push) : undefined
        for await (const node of importUnixfs(entries, params, put, progress)) {
          await push({ name: node.path, cid: node.cid.toString(), ...(node.size > 0 ? { size: node.size } : {}), ...allocations })
          const topLevel = params.wrapWithDirectory ? node.path === '' : !node.path.includes('/')
          if (topLevel) roots.push({ name: node.path, cid: node.cid.toString() })
        }
      }
      await sender.flush()
      this.log('sent %d blocks (%d bytes) to %d peers', sender.blocks, sender.bytes, destinations.blocks.length)
      if (!params.noPin) await this.pin(roots, params, destinations, uploadName, signal)
      await out.end(undefined, { signal })
    } catch (err) {
      const failure = signal.aborted && !(err instanceof AddInputError) ? signal.reason : err
      this.log('add failed: %s', (failure as Error)?.message)
      await out.end(failure as Error).catch(() => {})
      // blocks still in flight must not outlive the request
      await sender.flush().catch(() => {})
    }
  }

  private async addCar (entries: AsyncIterable<AddEntry>, params: AddParams, put: PutBlock,
    push: (output: AddOutput) => Promise<void>, allocations: { allocations?: string[] }): Promise<Root> {
    let car: AddEntry | undefined
    let result: Awaited<ReturnType<typeof importCar>> | undefined
    for await (const entry of entries) {
      if (entry.content == null) continue
      if (car != null) throw new AddInputError(`format=car takes one file; ${JSON.stringify(entry.path)} is another`)
      car = entry
      const name = entry.path
      let reported = 0
      result = await importCar(entry.content, put, params.progress
        ? async (bytes) => {
          if (bytes - reported < PROGRESS_EVERY) return
          reported = bytes
          await push({ name, bytes })
        }
        : undefined)
      const output: AddedOutput = { name, cid: result.root.toString(), ...(result.size > 0 ? { size: result.size } : {}), ...allocations }
      await push(output)
    }
    if (car == null || result == null) throw new AddInputError('format=car: no file in the request')
    return { name: car.path, cid: result.root.toString() }
  }

  private async pin (roots: Root[], params: AddParams, destinations: Destinations, fallback: string, signal: AbortSignal): Promise<void> {
    for (const root of roots) {
      const name = params.pin.name != null && params.pin.name !== '' ? params.pin.name : (root.name !== '' ? root.name : fallback)
      const pin = await this.rpc.call(undefined, 'Cluster', 'Pin', {
        cid: root.cid,
        options: { ...params.pin, name },
        allocations: destinations.allocations
      }, { signal })
      this.log('pinned %s (%s) on %s', root.cid, name, pin.allocations.length > 0 ? pin.allocations.join(', ') : 'every peer')
    }
  }
}

/** The entries with the one already read put back in front. */
async function * withFirst (first: AddEntry, rest: AsyncIterator<AddEntry>): AsyncGenerator<AddEntry> {
  yield first
  while (true) {
    const next = await rest.next()
    if (next.done === true) return
    yield next.value
  }
}

/** A file's bytes, reporting how many were read every PROGRESS_EVERY bytes and at the end. */
async function * counted (name: string, bytes: AsyncIterable<Uint8Array>, push: (output: AddOutput) => Promise<void>): AsyncGenerator<Uint8Array> {
  let read = 0
  let reported = 0
  for await (const chunk of bytes) {
    read += chunk.length
    yield chunk
    if (read - reported >= PROGRESS_EVERY) {
      reported = read
      await push({ name, bytes: read })
    }
  }
  await push({ name, bytes: read })
}
