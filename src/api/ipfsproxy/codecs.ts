/**
 * The IPLD codecs the proxy reads and writes for `dag/put`, `dag/get` and
 * `refs` on the embedded node, by multicodec name (Kubo's option values)
 * and by code (a CID's).
 */
import * as dagCbor from '@ipld/dag-cbor'
import * as dagJson from '@ipld/dag-json'
import * as dagPb from '@ipld/dag-pb'
import * as json from 'multiformats/codecs/json'
import * as raw from 'multiformats/codecs/raw'
import { badRequest } from './kubo-error.ts'
import type { BlockCodec } from 'multiformats/codecs/interface'

export type AnyCodec = BlockCodec<number, any>

const CODECS: AnyCodec[] = [raw, dagPb, dagCbor, dagJson, json]

/** Kubo's older names of the same codecs. */
const ALIASES: Readonly<Record<string, string>> = { protobuf: 'dag-pb', cbor: 'dag-cbor', v0: 'dag-pb' }

export function codecNamed (name: string, option: string): AnyCodec {
  const wanted = ALIASES[name] ?? name
  const codec = CODECS.find((c) => c.name === wanted)
  if (codec == null) throw badRequest(`unsupported ${option} ${JSON.stringify(name)}: expected one of ${CODECS.map((c) => c.name).join(', ')}`)
  return codec
}

export function codecOf (code: number): AnyCodec {
  const codec = CODECS.find((c) => c.code === code)
  if (codec == null) throw new Error(`no codec for multicodec 0x${code.toString(16)}`)
  return codec
}
