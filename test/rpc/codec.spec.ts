import { strict as assert } from 'node:assert'
import { decodeOptions as dagDecodeOptions } from '@ipld/dag-cbor'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import * as cborg from 'cborg'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { concat } from 'uint8arrays/concat'
import { Uint8ArrayList } from 'uint8arraylist'
import { CborDecodeError, decode, encode, encodeGeneral } from '../../src/rpc/codec.ts'
import {
  FrameDecoder, FrameTooLargeError, FrameType, MalformedFrameError,
  FrameWriter, encodeBody, encodeCallBody, encodeFrame
} from '../../src/rpc/frames.ts'
import type { Frame, FrameBody } from '../../src/rpc/frames.ts'
import type { PeerId, Stream } from '@libp2p/interface'

/** A frame body's bytes, end to end. */
function joined (body: FrameBody): Uint8Array {
  return body instanceof Uint8Array ? body : concat([...body])
}

/** cborg with the decoding options the codec used before it had its own decoder. */
function cborgDecode (bytes: Uint8Array): unknown {
  return cborg.decode(bytes, {
    ...dagDecodeOptions,
    coerceUndefinedToNull: false,
    allowUndefined: true,
    tags: {
      ...dagDecodeOptions.tags,
      1: (d) => new Date(Math.round((d() as number) * 1000)),
      0x7065: (d) => d() as Uint8Array // the multihash bytes: compared as bytes below
    }
  })
}

/** Like deepEqual, but peer ids and CIDs compare by value, and a peer id matches its multihash bytes (cborg side). */
function same (a: unknown, b: unknown, path = '$'): void {
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    // a bigint within 2^53 comes back as a number, as it did with cborg
    assert.ok((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number') && BigInt(a) === BigInt(b), `${path}: integers differ`)
    return
  }
  if (a instanceof CID || b instanceof CID) {
    assert.ok(a instanceof CID && b instanceof CID && a.equals(b), `${path}: CIDs differ`)
    return
  }
  if (isPeer(a)) {
    if (isPeer(b)) assert.ok(a.equals(b), `${path}: peer ids differ`)
    else assert.deepEqual(b, a.toMultihash().bytes, `${path}: peer id bytes differ`)
    return
  }
  if (a instanceof Date || b instanceof Date) {
    assert.ok(a instanceof Date && b instanceof Date && a.getTime() === b.getTime(), `${path}: dates differ`)
    return
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    assert.deepEqual(a, b, `${path}: bytes differ`)
    return
  }
  if (Array.isArray(a)) {
    assert.ok(Array.isArray(b) && a.length === b.length, `${path}: arrays differ`)
    a.forEach((x, i) => { same(x, b[i], `${path}[${i}]`) })
    return
  }
  if (a !== null && typeof a === 'object') {
    assert.ok(b !== null && typeof b === 'object', `${path}: not an object`)
    const ka = Object.keys(a).sort()
    const kb = Object.keys(b).sort()
    assert.deepEqual(ka, kb, `${path}: keys differ`)
    for (const k of ka) same((a as any)[k], (b as any)[k], `${path}.${k}`)
    return
  }
  assert.equal(a, b, `${path}: values differ`)
}

function isPeer (x: unknown): x is PeerId {
  return x != null && typeof (x as PeerId).toMultihash === 'function' && typeof (x as PeerId).equals === 'function'
}

describe('rpc codec', function () {
  let peer: PeerId
  const cid = CID.parse('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')

  before(async function () {
    peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  })

  function samples (): unknown[] {
    const ints = [0, 1, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1]
    return [
      ...ints, ...ints.map((n) => -n - 1),
      0.5, -1.25, 1e300, 2 ** 60, Number.MIN_VALUE,
      0n, 5n, -5n, 2n ** 60n, -(2n ** 60n), 2n ** 64n - 1n, -(2n ** 64n),
      '', 'a', 'x'.repeat(23), 'x'.repeat(24), 'x'.repeat(255), 'x'.repeat(256), 'x'.repeat(70_000),
      'é', 'snowman ☃ and 😀', '😀'.repeat(30), 'a\u0000b',
      true, false, null, undefined,
      new Uint8Array(0), new Uint8Array([0, 1, 255]), new Uint8Array(70_000).fill(7),
      [], [1, [2, [3, []]]], [undefined, null],
      {}, { a: 1, bb: 2, c: { d: [1, 'two', null, true] } },
      { 'ключ': 'значение', [`k${'y'.repeat(40)}`]: 1, missing: undefined },
      cid, peer, new Date('2024-01-02T03:04:05.678Z'),
      {
        cid,
        peer,
        bytes: new Uint8Array([0, 1, 2, 255]),
        date: new Date('2024-01-02T03:04:05.678Z'),
        big: 2n ** 60n,
        missing: undefined,
        list: [1, 'two', null, true],
        nested: { cids: [cid, cid], peers: [peer] }
      },
      [FrameType.Call, 7, 'Test', 'Echo', { x: [cid] }]
    ]
  }

  it('round-trips every supported type through its own encoder and decoder', function () {
    for (const v of samples()) same(decode(encode(v)), v)
  })

  it('writes CBOR that cborg (dag-cbor options) reads back, and reads what cborg writes', function () {
    for (const v of samples()) {
      same(v, cborgDecode(encode(v)))
      same(decode(encodeGeneral(v)), v)
    }
  })

  it('writes the same bytes as cborg where cborg has no map order to impose', function () {
    for (const v of samples()) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)) continue
      if (Array.isArray(v) && v.some((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) continue
      assert.deepEqual(encode(v), encodeGeneral(v), `bytes differ for ${String(v).slice(0, 40)}`)
    }
  })

  it('leaves other values to cborg, with cborg\'s behaviour', function () {
    class Point {
      x = 1
      y = 2
    }
    same(decode(encode(new Point())), { x: 1, y: 2 })
    same(decode(encode(new Map([['a', 1]]))), { a: 1 })
    assert.throws(() => encode({ f: () => 1 }))
    assert.throws(() => encode(NaN))
    assert.throws(() => encode({ n: Infinity }))
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    assert.throws(() => encode(cyclic))
    assert.throws(() => encode(2n ** 64n))
  })

  it('refuses malformed input with a CborDecodeError', function () {
    const bad: Array<[string, number[]]> = [
      ['truncated', [0x62, 0x61]],
      ['trailing bytes', [0x01, 0x02]],
      ['indefinite array', [0x9f, 0x01, 0xff]],
      ['unknown tag', [0xc2, 0x41, 0x00]],
      ['non-string key', [0xa1, 0x01, 0x02]],
      ['duplicate key', [0xa2, 0x61, 0x61, 0x01, 0x61, 0x61, 0x02]],
      ['huge array length', [0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
      ['huge string length', [0x7a, 0xff, 0xff, 0xff, 0xff]],
      ['NaN', [0xf9, 0x7e, 0x00]],
      ['break', [0xff]],
      ['reserved additional information', [0x1c]],
      ['CID without its 0 prefix', [0xd8, 0x2a, 0x41, 0x01]],
      ['deep nesting', new Array(1000).fill(0x81)]
    ]
    for (const [what, bytes] of bad) {
      assert.throws(() => decode(new Uint8Array(bytes)), { name: CborDecodeError.NAME }, what)
    }
  })

  it('decodes a __proto__ key as a plain property', function () {
    const out = decode<Record<string, unknown>>(encode(JSON.parse('{"__proto__": {"polluted": true}}')))
    assert.equal(Object.getPrototypeOf(out), Object.prototype)
    assert.deepEqual(Object.keys(out), ['__proto__'])
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
  })
})

describe('rpc frames', function () {
  const frames: Frame[] = [
    [FrameType.Call, 0, 'Test', 'Echo', 'x'.repeat(300)],
    [FrameType.Result, 0, new Uint8Array(200_000).fill(1)],
    [FrameType.Cancel, 1],
    [FrameType.Item, { a: 1 }],
    [FrameType.End],
    [FrameType.Credit, 5]
  ]
  const wire = (): Uint8Array => {
    const parts = frames.map((f) => encodeFrame(f, 1 << 20))
    const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
    let o = 0
    for (const p of parts) { out.set(p, o); o += p.byteLength }
    return out
  }

  it('decodes frames whatever the chunking, with their sizes on the wire', function () {
    const bytes = wire()
    for (const step of [1, 2, 3, 7, 100, 65_536, bytes.byteLength]) {
      const decoder = new FrameDecoder(1 << 20)
      const got: Array<[Frame, number]> = []
      for (let i = 0; i < bytes.byteLength; i += step) decoder.decode(bytes.subarray(i, i + step), (f, size) => { got.push([f, size]) })
      assert.equal(got.length, frames.length, `step ${step}`)
      got.forEach(([f, size], i) => {
        same(f, frames[i])
        assert.equal(size, encodeFrame(frames[i] as Frame, 1 << 20).byteLength)
      })
    }
  })

  it('refuses an oversized frame from its prefix, before its body arrives', function () {
    const decoder = new FrameDecoder(1000)
    assert.throws(() => { decoder.decode(new Uint8Array([0xe9, 0x07]), () => {}) }, { name: FrameTooLargeError.NAME })
    assert.throws(() => { new FrameDecoder(1000).decode(new Uint8Array(9).fill(0x80), () => {}) }, { name: MalformedFrameError.NAME })
    assert.throws(() => { new FrameDecoder(1000).decode(new Uint8Array([2, 0x82, 0x05]), () => {}) }, { name: MalformedFrameError.NAME })
    assert.throws(() => encodeFrame([FrameType.Item, new Uint8Array(2000)], 1000), { name: FrameTooLargeError.NAME })
  })

  it('builds the same Call body from an argument encoded beforehand', function () {
    const digest = Digest.create(0x12, new Uint8Array(32).fill(3))
    for (const arg of [undefined, 1, 'x'.repeat(1000), { c: CID.createV1(0x55, digest) }, new Uint8Array(70_000)]) {
      for (const id of [0, 23, 24, 300, 70_000, 2 ** 32 + 5]) {
        assert.deepEqual(joined(encodeCallBody(id, 'Svc', 'Method', encode(arg), 1 << 20)), encodeBody([FrameType.Call, id, 'Svc', 'Method', arg], 1 << 20))
      }
    }
    assert.throws(() => encodeCallBody(1, 'S', 'M', new Uint8Array(2000), 1000), { name: FrameTooLargeError.NAME })
  })
})

describe('FrameWriter', function () {
  /** A stream that keeps what is sent. */
  function sink (): { stream: Stream, sent: Array<Uint8Array | Uint8ArrayList> } {
    const sent: Array<Uint8Array | Uint8ArrayList> = []
    const stream = { writeStatus: 'writable', writableNeedsDrain: false, send: (data: Uint8Array | Uint8ArrayList) => { sent.push(data); return true } }
    return { stream: stream as unknown as Stream, sent }
  }

  it('sends small frames joined in one buffer', function () {
    const { stream, sent } = sink()
    const writer = new FrameWriter(stream, 1 << 20, 'microtask', (err) => { throw err })
    const frames: Frame[] = [[FrameType.Result, 1, 'a'], [FrameType.Result, 2, { b: 1 }], [FrameType.End]]
    for (const frame of frames) writer.write(frame)
    writer.flush()
    assert.equal(sent.length, 1)
    assert.ok(sent[0] instanceof Uint8Array)
    const decoded: Frame[] = []
    new FrameDecoder(1 << 20).decode(sent[0], (frame) => decoded.push(frame))
    assert.deepEqual(decoded, frames)
  })

  it('sends a large argument as it is, between the small frames around it, in order', function () {
    const { stream, sent } = sink()
    const writer = new FrameWriter(stream, 1 << 20, 'microtask', (err) => { throw err })
    const block = new Uint8Array(256 * 1024).fill(7)
    const arg = encode({ data: block })
    writer.write([FrameType.Cancel, 1])
    writer.writeBody(encodeCallBody(2, 'IPFSConnector', 'BlockPut', arg, 1 << 20))
    writer.write([FrameType.Cancel, 3])
    writer.flush()
    const lists = sent.filter((data) => data instanceof Uint8ArrayList)
    assert.equal(lists.length, 1)
    assert.ok([...(lists[0] as Uint8ArrayList)].includes(arg), 'the encoded argument itself is sent, not a copy')
    const decoded: Frame[] = []
    const decoder = new FrameDecoder(1 << 20)
    for (const data of sent) decoder.decode(data, (frame) => decoded.push(frame))
    assert.deepEqual(decoded, [[FrameType.Cancel, 1], [FrameType.Call, 2, 'IPFSConnector', 'BlockPut', { data: block }], [FrameType.Cancel, 3]])
  })
})
