/**
 * CIDs as users write them: CIDv0 (`Qm...`) or CIDv1 in any multibase
 * (`bafy...`, `z...`, `m...`, `k...`). multiformats' `CID.parse` only knows
 * base32, base36 and base58btc without help, so it is given a decoder for
 * every base multiformats ships.
 */
import { bases } from 'multiformats/basics'
import { CID } from 'multiformats/cid'
import type { MultibaseDecoder } from 'multiformats'

/** Every multibase decoder, by its prefix (one code point: base256emoji's is an emoji). */
const decoders = new Map(Object.values(bases).map((base) => [base.prefix as string, base.decoder]))

const anyBase: MultibaseDecoder<string> = {
  decode (text: string): Uint8Array<ArrayBuffer> {
    const prefix = String.fromCodePoint(text.codePointAt(0) ?? 0)
    const decoder = decoders.get(prefix)
    if (decoder == null) throw new Error(`unknown multibase prefix ${JSON.stringify(prefix)}`)
    return decoder.decode(text)
  }
}

/** Parses a CID in any base; throws multiformats' error when it is not one. */
export function parseCid (text: string): CID {
  // v0 has no multibase prefix: CID.parse recognises it by its 'Q'
  return text.startsWith('Q') ? CID.parse(text) : CID.parse(text, anyBase)
}

/**
 * The CID's canonical text: base58btc for v0, base32 for v1, which is what
 * IPFS Cluster prints (Go's `cid.String()`). v0 and v1 of the same content
 * stay different, as they are different pins in IPFS Cluster.
 */
export function canonicalCid (text: string): string {
  return parseCid(text).toString()
}
