/**
 * The pinset's key layout in its LevelDB (UTF-8 string keys, like a
 * datastore's `Key`s):
 *
 *   /meta/generation      the generation the pinset lives in (decimal; absent: 0)
 *   /meta/applied-index   the last Raft log index applied (decimal; absent: 0)
 *   /pins/<gen>/<cid>     one pin as JSON, <cid> in canonical text
 *
 * Generations make a whole-state replacement (snapshot restore, import,
 * cleanup) atomic without copying: the new pins are written under the next
 * generation, invisible to readers, and one batch switches `/meta/generation`
 * (with the applied index). A replacement that fails midway leaves only an
 * unreferenced generation, which is dropped then or at the next open.
 */

export const GENERATION_KEY = '/meta/generation'
export const APPLIED_INDEX_KEY = '/meta/applied-index'

/** Every pin key of every generation: '/pins/' up to '/pins0' ('0' follows '/'). */
export const ALL_PINS_RANGE = { gte: '/pins/', lt: '/pins0' }

export interface KeyRange {
  gte: string
  lt: string
}

export function generationPrefix (generation: number): string {
  return `/pins/${generation}/`
}

/** The keys of one generation: its prefix up to the prefix with its final '/' replaced by '0'. */
export function generationRange (generation: number): KeyRange {
  return { gte: generationPrefix(generation), lt: `/pins/${generation}0` }
}

export function pinStorageKey (generation: number, cidKey: string): string {
  return generationPrefix(generation) + cidKey
}

/** The generation a pin key belongs to; NaN for a key this code does not write. */
export function generationOf (key: string): number {
  const end = key.indexOf('/', ALL_PINS_RANGE.gte.length)
  if (!key.startsWith(ALL_PINS_RANGE.gte) || end < 0) return NaN
  const text = key.slice(ALL_PINS_RANGE.gte.length, end)
  return /^(0|[1-9]\d{0,14})$/.test(text) ? Number(text) : NaN
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Counters (generation, applied index) are stored as decimal text. */
export function encodeCounter (value: number): Uint8Array {
  return encoder.encode(String(value))
}

export function decodeCounter (key: string, bytes: Uint8Array | undefined): number {
  if (bytes === undefined) return 0
  const value = Number(decoder.decode(bytes))
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`pinset state: ${key} holds ${JSON.stringify(decoder.decode(bytes))}, not a counter`)
  return value
}
