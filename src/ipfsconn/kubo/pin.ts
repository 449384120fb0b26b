/**
 * A Kubo pin that fails when no new block arrived for pin_timeout. Two
 * steps, both under one inactivity timer:
 * 1. fetch the blocks with progress: `refs -r --unique` for a recursive pin
 *    (one line per block reached), `block/stat` of the root for a direct one;
 * 2. `pin/add?progress=true`: Kubo reports `{"Progress": n}` as it walks the
 *    now local DAG; js-ipfs ignores `progress` and answers once, quickly,
 *    since the blocks are local.
 * Kubo alone could do with step 2, but `refs` is what works on every Kubo RPC
 * implementation, and step 2 walking local blocks costs little.
 */
import { IpfsRequestError, PinTimeoutError } from '../errors.ts'
import { InactivityTimeout, withInactivityTimeout } from '../inactivity.ts'
import { inBandError, kuboPost, ndjson } from './raw-post.ts'
import type { PinMode } from '../../api/types.ts'
import type { Logger } from '@libp2p/logger'
import type { KuboRPCClient } from 'kubo-rpc-client'
import type { CID } from 'multiformats/cid'

export interface KuboPinOptions {
  client: KuboRPCClient
  api: URL
  cid: CID
  mode: PinMode
  /** Longest time without a new block. */
  pinTimeout: number
  signal: AbortSignal
  log: Logger
}

async function fetchBlocks (opts: KuboPinOptions, signal: AbortSignal, progress: () => void): Promise<void> {
  const { client, cid, mode } = opts
  if (mode === 'direct') {
    await client.block.stat(cid, { signal })
    progress()
    return
  }
  let blocks = 0
  for await (const ref of opts.client.refs(`/ipfs/${cid.toString()}`, { recursive: true, unique: true, signal })) {
    const err = ref.err as unknown
    if (typeof err === 'string' ? err !== '' : err != null) throw new IpfsRequestError(`fetching ${cid.toString()}: ${String(err)}`)
    blocks++
    progress()
  }
  opts.log('pin %s: %d blocks below the root fetched', cid, blocks)
}

async function pinAdd (opts: KuboPinOptions, signal: AbortSignal, progress: () => void): Promise<void> {
  const params: Array<[string, string]> = [
    ['arg', opts.cid.toString()],
    ['recursive', String(opts.mode === 'recursive')],
    ['progress', 'true']
  ]
  const response = await kuboPost(opts.api, 'pin/add', params, signal)
  for await (const item of ndjson(response, signal)) {
    const message = inBandError(item)
    if (message != null) throw new IpfsRequestError(message)
    progress()
  }
}

export async function kuboPin (opts: KuboPinOptions): Promise<void> {
  const { cid, pinTimeout } = opts
  try {
    await withInactivityTimeout(opts.signal, pinTimeout, async (signal, progress) => {
      await fetchBlocks(opts, signal, progress)
      await pinAdd(opts, signal, progress)
    })
  } catch (err) {
    if ((err as Error).name === InactivityTimeout.NAME) throw new PinTimeoutError(cid.toString(), pinTimeout)
    throw err
  }
}
