/**
 * The pin tracker, first form: it keeps, in memory, the pins the consensus
 * told it to track and this peer's part in each (`pin_queued` when allocated
 * here — every peer when allocations are empty — else `remote`). Pinning them
 * on the IPFS node, retries and state sync come with the IPFS connector; this
 * component's RPC service is the interface those build on.
 */
import { logger } from '@libp2p/logger'
import type { PinJson } from '../api/types.ts'
import type { ClusterApi, Component, ComponentInit } from '../rpc-api.ts'

const log = logger('pincluster:pintracker')

export type TrackerStatus = 'pin_queued' | 'remote'

export interface TrackedPin {
  cid: string
  status: TrackerStatus
  /** When the tracker last changed this entry (RFC 3339). */
  timestamp: string
}

export interface PinTrackerInit extends ComponentInit {
  /** This peer's id, to tell pins allocated here from remote ones. */
  self: string
}

export class PinTracker implements Component {
  readonly name = 'pintracker'
  private readonly self: string
  private readonly tracked = new Map<string, TrackedPin>()

  constructor (init: PinTrackerInit) {
    this.self = init.self
  }

  async start (): Promise<void> {}

  async stop (): Promise<void> {
    this.tracked.clear()
  }

  service (): ClusterApi['PinTracker'] {
    return {
      Track: async (pin) => { this.track(pin) },
      Untrack: async (cid) => { this.tracked.delete(cid) },
      Status: async (cid) => this.tracked.get(cid) ?? null,
      StatusAll: (_arg, { signal }) => this.statusAll(signal)
    }
  }

  private track (pin: PinJson): void {
    const here = pin.allocations.length === 0 || pin.allocations.includes(this.self)
    this.tracked.set(pin.cid, { cid: pin.cid, status: here ? 'pin_queued' : 'remote', timestamp: new Date().toISOString() })
    log('tracking %s (%s)', pin.cid, here ? 'allocated here' : 'remote')
  }

  private async * statusAll (signal: AbortSignal): AsyncGenerator<TrackedPin> {
    for (const entry of this.tracked.values()) {
      signal.throwIfAborted()
      yield entry
    }
  }
}
