/**
 * What a pinset snapshot stream carries: one header with the Raft index the
 * pinset reflects, then every pin in key order.
 */
import type { PinJson } from '../api/types.ts'

export interface SnapshotHeader {
  /** The last Raft log index applied to the pins that follow (0: none). */
  appliedIndex: number
}

export type SnapshotItem = SnapshotHeader | PinJson

export function isSnapshotHeader (item: SnapshotItem): item is SnapshotHeader {
  return typeof (item as Partial<SnapshotHeader>).appliedIndex === 'number' && !('cid' in item)
}
