/**
 * A pin is stored as its JSON text (UTF-8), fields in IPFS Cluster's order:
 * listing is a `JSON.parse`, and an HTTP answer or an export can pass the
 * stored bytes through untouched.
 */
import { canonicalPin } from '../api/pin.ts'
import type { PinJson } from '../api/types.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function encodePin (pin: PinJson): Uint8Array {
  return encoder.encode(JSON.stringify(canonicalPin(pin)))
}

/** Stored pins were validated before they were written: this only parses. */
export function decodePin (bytes: Uint8Array): PinJson {
  return JSON.parse(decoder.decode(bytes)) as PinJson
}
