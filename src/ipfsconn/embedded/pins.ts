/**
 * Pins on the embedded Helia node, with Kubo's behaviour:
 * - a pin fails when no new block arrived for pin_timeout. The DAG is first
 *   fetched with a graph walk (each block arriving is progress), then pinned
 *   from local blocks: Helia's `pins.add` counts every block it walks as
 *   pinned before it records the pin, so aborting it midway would leave
 *   blocks counted as pinned by a pin that does not exist;
 * - pinning what is already pinned succeeds; recursive over direct upgrades it;
 * - Helia keeps pins by CIDv1: a CIDv0 pin carries `cidVersion: 0` in its
 *   metadata, so PinLs answers the CID it was given.
 */
import { depthFirstWalker } from '@helia/utils'
import { CID } from 'multiformats/cid'
import { PinTimeoutError } from '../errors.ts'
import { InactivityTimeout, withInactivityTimeout } from '../inactivity.ts'
import type { EmbeddedHelia } from './node.ts'
import type { IpfsPinType, PinMode } from '../../api/types.ts'
import type { IpfsPinLsItem } from '../../rpc-api.ts'
import type { Logger } from '@libp2p/logger'
import type { MultihashDigest } from 'multiformats'

const DAG_PB = 0x70

function depthOf (mode: PinMode): number {
  return mode === 'recursive' ? Infinity : 0
}

function typeOfDepth (depth: number): 'recursive' | 'direct' {
  return depth === 0 ? 'direct' : 'recursive'
}

/** How the node holds `cid`: a pin of its own (recursive, direct), below another pin (indirect), or not. */
export async function pinType (helia: EmbeddedHelia, cid: CID, signal: AbortSignal): Promise<IpfsPinType> {
  try {
    const pin = await helia.pins.get(cid, { signal })
    return typeOfDepth(pin.depth)
  } catch (err) {
    if ((err as Error).name !== 'NotFoundError') throw err
  }
  return await helia.pins.isPinned(cid, { signal }) ? 'indirect' : 'unpinned'
}

export interface EmbeddedPinOptions {
  cid: CID
  mode: PinMode
  pinTimeout: number
  signal: AbortSignal
  log: Logger
}

export async function pin (helia: EmbeddedHelia, opts: EmbeddedPinOptions): Promise<void> {
  const { cid, mode, pinTimeout, log } = opts
  const now = await pinType(helia, cid, opts.signal)
  if (now === 'recursive' || (mode === 'direct' && now === 'direct')) return
  const depth = depthOf(mode)
  try {
    await withInactivityTimeout(opts.signal, pinTimeout, async (signal, progress) => {
      const walker = depthFirstWalker()({ blockstore: helia.blockstore, getCodec: helia.getCodec })
      let blocks = 0
      for await (const _node of walker.walk(cid, { depth, signal })) {
        blocks++
        progress()
      }
      log('pin %s: %d blocks present', cid, blocks)
      if (now === 'direct') {
        // recursive over direct: Helia refuses to pin a CID twice
        for await (const _cid of helia.pins.rm(cid, { signal })) progress()
      }
      const metadata: Record<string, number> = cid.version === 0 ? { cidVersion: 0 } : {}
      for await (const _cid of helia.pins.add(cid, { depth, metadata, signal })) progress()
    })
  } catch (err) {
    if ((err as Error).name === InactivityTimeout.NAME) throw new PinTimeoutError(cid.toString(), pinTimeout)
    throw err
  }
}

/** Removes a recursive or direct pin; nothing to do for a CID that is not pinned itself. */
export async function unpin (helia: EmbeddedHelia, cid: CID, signal: AbortSignal): Promise<boolean> {
  const now = await pinType(helia, cid, signal)
  if (now !== 'recursive' && now !== 'direct') return false
  for await (const _cid of helia.pins.rm(cid, { signal })) signal.throwIfAborted()
  return true
}

export async function * listPins (helia: EmbeddedHelia, type: 'recursive' | 'direct' | 'all', signal: AbortSignal): AsyncGenerator<IpfsPinLsItem> {
  for await (const pin of helia.pins.ls({ signal })) {
    const kind = typeOfDepth(pin.depth)
    if (type !== 'all' && type !== kind) continue
    const cid = pin.metadata.cidVersion === 0 && pin.cid.code === DAG_PB ? CID.createV0(pin.cid.multihash as MultihashDigest<0x12>) : pin.cid
    yield { cid: cid.toString(), type: kind }
  }
}
