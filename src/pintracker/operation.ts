/**
 * One pin or unpin this peer's tracker has queued, is running, or saw fail.
 * Operations that succeed are forgotten: from then on the status comes from
 * the pinset and the IPFS node (the tracker is stateless, as IPFS Cluster's).
 */
import { OperationCancelledError } from './errors.ts'
import type { PinJson, TrackerStatus } from '../api/types.ts'

/** `remote`: an unpin of a pin that is allocated elsewhere (the IPFS node may still hold it). */
export type OperationType = 'pin' | 'unpin' | 'remote'
export type OperationPhase = 'queued' | 'in_progress' | 'error'

export class Operation {
  readonly pin: PinJson
  readonly type: OperationType
  phase: OperationPhase = 'queued'
  error = ''
  attemptCount: number
  priority: boolean
  /** RFC 3339: the last change of phase. */
  timestamp = new Date().toISOString()
  // made on first use: most queued operations are never cancelled, and a queue may hold a million
  private controller?: AbortController

  constructor (pin: PinJson, type: OperationType, init: { attemptCount?: number, priority?: boolean } = {}) {
    this.pin = pin
    this.type = type
    this.attemptCount = init.attemptCount ?? 0
    this.priority = init.priority ?? false
  }

  get cid (): string {
    return this.pin.cid
  }

  get signal (): AbortSignal {
    this.controller ??= new AbortController()
    return this.controller.signal
  }

  get cancelled (): boolean {
    return this.controller?.signal.aborted === true
  }

  cancel (by: string): void {
    this.controller ??= new AbortController()
    this.controller.abort(new OperationCancelledError(this.cid, by))
  }

  setPhase (phase: OperationPhase, error = ''): void {
    this.phase = phase
    this.error = error
    this.timestamp = new Date().toISOString()
  }

  get status (): TrackerStatus {
    if (this.type === 'remote') return 'remote'
    const pinning = this.type === 'pin'
    switch (this.phase) {
      case 'queued': return pinning ? 'pin_queued' : 'unpin_queued'
      case 'in_progress': return pinning ? 'pinning' : 'unpinning'
      case 'error': return pinning ? 'pin_error' : 'unpin_error'
    }
  }
}
