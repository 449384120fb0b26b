/**
 * The Raft log's key layout in its LevelDB (binary keys):
 *
 *   'e' + index (8 bytes, big-endian)   one entry: keys sort by index
 *   'h'                                  the hard state
 *   's'                                  the latest snapshot
 *   'l'                                  the index the log was last recorded to end at
 *
 * The recorded end lets `load()` tell a log that lost its last entries from a
 * shorter one.
 */

const ENTRY_PREFIX = 0x65 // 'e'
export const ENTRY_KEY_LENGTH = 9

export const HARD_STATE_KEY = Uint8Array.of(0x68) // 'h'
export const SNAPSHOT_KEY = Uint8Array.of(0x73) // 's'
export const LOG_END_KEY = Uint8Array.of(0x6c) // 'l'

/** Every entry key lies in [ENTRY_RANGE_START, ENTRY_RANGE_END). */
export const ENTRY_RANGE_START = Uint8Array.of(ENTRY_PREFIX)
export const ENTRY_RANGE_END = Uint8Array.of(ENTRY_PREFIX + 1)

export function entryKey (index: number): Uint8Array {
  const key = new Uint8Array(ENTRY_KEY_LENGTH)
  key[0] = ENTRY_PREFIX
  new DataView(key.buffer).setBigUint64(1, BigInt(index))
  return key
}

/** The index of an entry key; undefined for a key of the wrong shape. */
export function entryKeyIndex (key: Uint8Array): number | undefined {
  if (key.length !== ENTRY_KEY_LENGTH || key[0] !== ENTRY_PREFIX) return undefined
  const index = new DataView(key.buffer, key.byteOffset, key.byteLength).getBigUint64(1)
  return index <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(index) : undefined
}
