/**
 * `cluster-service state cleanup`: removes every pin and the applied index
 * (atomically; see `PinState.clear`). The consensus's own data (its Raft log)
 * is the consensus's to clean.
 */
import type { AbortOptions, PinState } from './pin-state.ts'

export async function cleanupState (state: PinState, options?: AbortOptions): Promise<void> {
  await state.clear(options)
}
