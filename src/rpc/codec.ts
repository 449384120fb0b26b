/**
 * The one codec for every RPC frame: CBOR as in dag-cbor (tag 42 for CIDs),
 * extended so that everything our services pass round-trips:
 * `undefined`, `Date` (tag 1, epoch seconds as a float), `bigint`, `Uint8Array`,
 * and libp2p peer ids (private tag 0x7065 "pe", the peer id's multihash bytes).
 */
import { encodeOptions as dagEncodeOptions, decodeOptions as dagDecodeOptions } from '@ipld/dag-cbor'
import { peerIdFromMultihash } from '@libp2p/peer-id'
import { isPeerId } from '@libp2p/interface'
import * as cborg from 'cborg'
import * as Digest from 'multiformats/hashes/digest'
import type { TagDecoder } from 'cborg'
import type { OptionalTypeEncoder } from 'cborg/interface'

const DATE_TAG = 1
const PEER_ID_TAG = 0x7065

const dagObjectEncoder = dagEncodeOptions.typeEncoders?.Object as OptionalTypeEncoder | undefined

function objectEncoder (obj: any, typ: string, options: cborg.EncodeOptions, refStack?: any): ReturnType<OptionalTypeEncoder> {
  if (isPeerId(obj)) {
    return [new cborg.Token(cborg.Type.tag, PEER_ID_TAG), new cborg.Token(cborg.Type.bytes, obj.toMultihash().bytes)]
  }
  return dagObjectEncoder != null ? dagObjectEncoder(obj, typ, options, refStack) : null
}

function dateEncoder (date: Date): cborg.Token[] {
  return [new cborg.Token(cborg.Type.tag, DATE_TAG), new cborg.Token(cborg.Type.float, date.getTime() / 1000)]
}

const encodeOptions: cborg.EncodeOptions = {
  float64: true,
  typeEncoders: {
    ...dagEncodeOptions.typeEncoders,
    Object: objectEncoder,
    Date: dateEncoder,
    undefined: () => null
  }
}

const tags: Record<number, TagDecoder> = {
  ...dagDecodeOptions.tags,
  [DATE_TAG]: (decode) => new Date(Math.round((decode() as number) * 1000)),
  [PEER_ID_TAG]: (decode) => peerIdFromMultihash(Digest.decode(decode() as Uint8Array))
}

const decodeOptions: cborg.DecodeOptions = {
  ...dagDecodeOptions,
  coerceUndefinedToNull: false,
  allowUndefined: true,
  tags
}

export function encode (value: unknown): Uint8Array {
  return cborg.encode(value, encodeOptions)
}

export function decode<T = unknown> (bytes: Uint8Array): T {
  return cborg.decode(bytes, decodeOptions) as T
}
