/**
 * RPC frames: a varint length prefix, then one CBOR-encoded tuple.
 *
 * A stream carries either a session of multiplexed unary calls (frames with a
 * call id) or exactly one streaming call (no ids: the stream is the call), as
 * decided by its first frame.
 */
import { LengthPrefixedDecoder } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import { Uint8ArrayList } from 'uint8arraylist'
import { decode, encode } from './codec.ts'
import type { WireError } from './errors.ts'
import type { Stream } from '@libp2p/interface'

export const FrameType = {
  /** client -> server, session: [t, id, service, method, arg] */
  Call: 0,
  /** client -> server, session: [t, id] */
  Cancel: 1,
  /** server -> client, session: [t, id, value] */
  Result: 2,
  /** server -> client, session: [t, id, error] */
  Failure: 3,
  /** client -> server, first and only client frame of a streaming call: [t, service, method, arg] */
  Open: 4,
  /** server -> client, streaming: [t, value] */
  Item: 5,
  /** server -> client, streaming: [t] */
  End: 6,
  /** server -> client, streaming: [t, error] */
  Error: 7,
  /** client -> server, streaming: [t, n]: the client consumed n more items, the server may send n more */
  Credit: 8
} as const

type T = typeof FrameType

export type Frame =
  | [T['Call'], number, string, string, unknown]
  | [T['Cancel'], number]
  | [T['Result'], number, unknown]
  | [T['Failure'], number, WireError]
  | [T['Open'], string, string, unknown]
  | [T['Item'], unknown]
  | [T['End']]
  | [T['Error'], WireError]
  | [T['Credit'], number]

/**
 * Items a streaming call may have in flight before the client grants more.
 * The application does its own flow control because pausing a yamux stream
 * does not stop the sender: its window updates go on and the paused stream's
 * buffer overflows.
 */
export const STREAM_CREDIT = 64

/** Default cap on one frame's size (bytes, after the length prefix). */
export const DEFAULT_MAX_FRAME_SIZE = 4 * 1024 * 1024

export class FrameTooLargeError extends Error {
  static readonly NAME = 'FrameTooLargeError'
  constructor (size: number, max: number) {
    super(`frame of ${size} bytes exceeds the ${max}-byte cap`)
    this.name = FrameTooLargeError.NAME
  }
}

export class MalformedFrameError extends Error {
  static readonly NAME = 'MalformedFrameError'
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = MalformedFrameError.NAME
  }
}

/** Encodes a frame with its length prefix; refuses one above the cap. */
export function encodeFrame (frame: Frame, maxFrameSize: number): Uint8Array {
  const body = encode(frame)
  if (body.byteLength > maxFrameSize) throw new FrameTooLargeError(body.byteLength, maxFrameSize)
  // one contiguous buffer: each piece handed to the muxer may become its own encrypted frame and write
  const prefixLength = varint.encodingLength(body.byteLength)
  const bytes = new Uint8Array(prefixLength + body.byteLength)
  varint.encodeUint8Array(body.byteLength, bytes)
  bytes.set(body, prefixLength)
  return bytes
}

function checkFrame (x: unknown): Frame {
  if (!Array.isArray(x) || typeof x[0] !== 'number') throw new MalformedFrameError('frame is not a tagged tuple')
  const t = x[0] as number
  const ok = (() => {
    switch (t) {
      case FrameType.Call: return x.length === 5 && typeof x[1] === 'number' && typeof x[2] === 'string' && typeof x[3] === 'string'
      case FrameType.Cancel: return x.length === 2 && typeof x[1] === 'number'
      case FrameType.Result: return x.length === 3 && typeof x[1] === 'number'
      case FrameType.Failure: return x.length === 3 && typeof x[1] === 'number' && typeof x[2] === 'object'
      case FrameType.Open: return x.length === 4 && typeof x[1] === 'string' && typeof x[2] === 'string'
      case FrameType.Item: return x.length === 2
      case FrameType.End: return x.length === 1
      case FrameType.Error: return x.length === 2 && typeof x[1] === 'object'
      case FrameType.Credit: return x.length === 2 && Number.isSafeInteger(x[1]) && (x[1] as number) > 0
      default: return false
    }
  })()
  if (!ok) throw new MalformedFrameError(`malformed frame of type ${String(t)}`)
  return x as Frame
}

/**
 * Splits incoming bytes into frames. Throws FrameTooLargeError for a length
 * prefix above the cap (before buffering the body) and MalformedFrameError
 * for bytes that do not decode to a frame.
 */
export class FrameDecoder {
  private readonly decoder: LengthPrefixedDecoder

  constructor (maxFrameSize: number) {
    this.decoder = new LengthPrefixedDecoder({
      maxDataLength: maxFrameSize,
      // one partial frame plus one chunk from the muxer (bounded by its window)
      maxBufferSize: maxFrameSize + 16 * 1024 * 1024,
      lengthDecoder: (data) => {
        const length = varint.decode(data)
        if (length > maxFrameSize) throw new FrameTooLargeError(length, maxFrameSize)
        return length
      }
    })
  }

  * decode (chunk: Uint8Array | Uint8ArrayList): Generator<Frame> {
    let bodies: Generator<Uint8ArrayList>
    try {
      bodies = this.decoder.decode(chunk)
    } catch (err) {
      throw this.wrap(err)
    }
    while (true) {
      let next: IteratorResult<Uint8ArrayList>
      try {
        next = bodies.next()
      } catch (err) {
        throw this.wrap(err)
      }
      if (next.done === true) return
      let value: unknown
      try {
        value = decode(next.value.subarray())
      } catch (err) {
        throw new MalformedFrameError('frame is not valid CBOR', { cause: err })
      }
      yield checkFrame(value)
    }
  }

  private wrap (err: unknown): Error {
    if (err instanceof FrameTooLargeError) return err
    return new MalformedFrameError(err instanceof Error ? err.message : String(err), { cause: err })
  }
}

/** Sends one frame; resolves once the stream can take more (honours backpressure). */
export async function sendFrame (stream: Stream, frame: Frame, maxFrameSize: number, signal?: AbortSignal): Promise<void> {
  if (!stream.send(encodeFrame(frame, maxFrameSize))) {
    await stream.onDrain({ signal })
  }
}
