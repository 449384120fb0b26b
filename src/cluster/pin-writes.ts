/**
 * The pinset's write path: Cluster.Pin -> allocation -> Consensus.LogPin, as
 * the founding design orders it, plus pin-update, pins by IPFS path and
 * re-allocation of a lost peer's pins.
 */
import { logger } from '@libp2p/logger'
import { PinValidationError, parsePin } from '../api/pin.ts'
import { PinNotFoundError } from '../consensus/consensus.ts'
import { allocate } from './allocate.ts'
import { ZERO_TIME } from '../api/types.ts'
import { PING_METRIC } from '../informer/ping.ts'
import type { PinJson, PinOptionsJson } from '../api/types.ts'
import type { ClusterRpcClient, PinPathRequest, PinRequest } from '../rpc-api.ts'

const log = logger('pincluster:cluster:pins')

const PATH_PREFIXES = ['/ipfs/', '/ipns/', '/ipld/']

export interface PinWritesInit {
  rpc: ClusterRpcClient
  /** Replication factors for pins that ask for the default (0). */
  replication: { min: number, max: number }
}

export class PinWrites {
  private readonly rpc: ClusterRpcClient
  private readonly replication: { min: number, max: number }

  constructor (init: PinWritesInit) {
    this.rpc = init.rpc
    this.replication = init.replication
  }

  async pin ({ cid, options, allocations }: PinRequest, signal: AbortSignal): Promise<PinJson> {
    let pin = parsePin({ ...options, cid, type: 'pin', allocations: [], reference: null, timestamp: new Date().toISOString() })
    if (pin.pin_update != null) pin = await this.updateOf(pin, signal)
    if (pin.replication_factor_min === 0) pin.replication_factor_min = this.replication.min
    if (pin.replication_factor_max === 0) pin.replication_factor_max = this.replication.max
    checkReplication(pin)
    const existing = await this.stored(pin.cid, signal)
    // preset allocations (the adder's) are where the blocks already are: kept, as IPFS Cluster does
    const preset = pin.replication_factor_min !== -1 && allocations != null && allocations.length > 0
    pin.allocations = preset
      ? [...new Set(allocations)]
      : await this.allocationsFor(pin, existing?.allocations ?? pin.allocations, [], signal)
    if (existing != null && samePin(existing, pin)) return existing
    await this.rpc.call(undefined, 'Consensus', 'LogPin', pin, { signal })
    return pin
  }

  /**
   * IPFS Cluster's BlockAllocate: the peers a new pin with these options would
   * be allocated to now; with -1 replication, every member with a valid ping.
   */
  async blockAllocate (options: Partial<PinOptionsJson>, signal: AbortSignal): Promise<string[]> {
    const factors = {
      replication_factor_min: options.replication_factor_min ?? 0,
      replication_factor_max: options.replication_factor_max ?? 0
    }
    if (factors.replication_factor_min === 0) factors.replication_factor_min = this.replication.min
    if (factors.replication_factor_max === 0) factors.replication_factor_max = this.replication.max
    checkReplication(factors)
    const voters = await this.rpc.call(undefined, 'Consensus', 'Peers', undefined, { signal })
    if (factors.replication_factor_min === -1) {
      const alive = new Set((await this.rpc.call(undefined, 'PeerMonitor', 'LatestMetrics', PING_METRIC, { signal }))
        .filter((m) => m.valid).map((m) => m.peer))
      return voters.filter((p) => alive.has(p))
    }
    return allocate(this.rpc, {
      cid: '(content being added)',
      rmin: factors.replication_factor_min,
      rmax: factors.replication_factor_max,
      current: [],
      userAllocations: options.user_allocations ?? null,
      peers: voters,
      signal
    })
  }

  async unpin (cid: string, signal: AbortSignal): Promise<PinJson> {
    const key = parsePin({ cid }).cid
    const pin = await this.synced(key, signal)
    if (pin == null) throw new PinNotFoundError(key)
    await this.rpc.call(undefined, 'Consensus', 'LogUnpin', pin, { signal })
    return pin
  }

  async pinPath ({ path, options }: PinPathRequest, signal: AbortSignal): Promise<PinJson> {
    return this.pin({ cid: await this.resolve(path, signal), options }, signal)
  }

  async unpinPath (path: string, signal: AbortSignal): Promise<PinJson> {
    return this.unpin(await this.resolve(path, signal), signal)
  }

  /**
   * Moves the pins allocated to a lost peer to others, keeping their other
   * allocations. Pins that cannot be re-allocated stay as they are (logged).
   */
  async repinFrom (lost: string, signal: AbortSignal): Promise<number> {
    let moved = 0
    for await (const pin of this.rpc.stream(undefined, 'Consensus', 'Pins', undefined, { signal })) {
      if (!pin.allocations.includes(lost)) continue
      try {
        const allocations = await this.allocationsFor(pin, pin.allocations.filter((p) => p !== lost), [lost], signal)
        await this.rpc.call(undefined, 'Consensus', 'LogPin', { ...pin, allocations }, { signal })
        moved++
      } catch (err) {
        if (signal.aborted) throw err
        log.error('could not re-allocate %s away from %s: %s', pin.cid, lost, (err as Error).message)
      }
    }
    return moved
  }

  private async allocationsFor (pin: PinJson, current: string[], exclude: string[], signal: AbortSignal): Promise<string[]> {
    const voters = await this.rpc.call(undefined, 'Consensus', 'Peers', undefined, { signal })
    return allocate(this.rpc, {
      cid: pin.cid,
      rmin: pin.replication_factor_min,
      rmax: pin.replication_factor_max,
      current,
      userAllocations: pin.user_allocations,
      peers: voters.filter((p) => !exclude.includes(p)),
      signal
    })
  }

  /** A pin-update: the options and allocations of the pin it updates, with the name, expiry and metadata asked for. */
  private async updateOf (pin: PinJson, signal: AbortSignal): Promise<PinJson> {
    const from = await this.synced(parsePin({ cid: pin.pin_update }).cid, signal)
    if (from == null) throw new PinNotFoundError(pin.pin_update ?? '')
    return {
      ...from,
      cid: pin.cid,
      pin_update: from.cid,
      name: pin.name !== '' ? pin.name : from.name,
      expire_at: pin.expire_at !== ZERO_TIME ? pin.expire_at : from.expire_at,
      metadata: pin.metadata != null ? { ...from.metadata, ...pin.metadata } : from.metadata,
      timestamp: pin.timestamp
    }
  }

  /** A pin as the leader has it: a follower that has not applied it yet catches up first. */
  private async synced (cid: string, signal: AbortSignal): Promise<PinJson | undefined> {
    const pin = await this.stored(cid, signal)
    if (pin != null) return pin
    await this.rpc.call(undefined, 'Consensus', 'WaitForSync', undefined, { signal })
    return this.stored(cid, signal)
  }

  private async stored (cid: string, signal: AbortSignal): Promise<PinJson | undefined> {
    try {
      return await this.rpc.call(undefined, 'Consensus', 'PinGet', cid, { signal })
    } catch (err) {
      if ((err as Error).name === 'PinNotFoundError') return undefined
      throw err
    }
  }

  private async resolve (path: string, signal: AbortSignal): Promise<string> {
    if (!PATH_PREFIXES.some((p) => path.startsWith(p)) || path.length <= 6) {
      throw new PinValidationError('path', `${JSON.stringify(path)} is not an IPFS path: it must start with /ipfs/, /ipns/ or /ipld/`)
    }
    return this.rpc.call(undefined, 'IPFSConnector', 'Resolve', path, { signal })
  }
}

function checkReplication (pin: Pick<PinJson, 'replication_factor_min' | 'replication_factor_max'>): void {
  const min = pin.replication_factor_min
  const max = pin.replication_factor_max
  if (min < -1 || max < -1) throw new PinValidationError('replication_factor_min', 'must be -1 (every peer) or more')
  if ((min === -1) !== (max === -1)) throw new PinValidationError('replication_factor_min', `is ${min} and replication_factor_max is ${max}: both must be -1 when one is`)
  if (min > max) throw new PinValidationError('replication_factor_min', `${min} is more than replication_factor_max ${max}`)
}

/** Whether committing `next` would change nothing but the timestamp (IPFS Cluster skips such re-pins). */
function samePin (stored: PinJson, next: PinJson): boolean {
  return JSON.stringify({ ...stored, timestamp: '' }) === JSON.stringify({ ...next, timestamp: '' })
}
