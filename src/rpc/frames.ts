/**
 * RPC frames: a varint length prefix, then one CBOR-encoded tuple.
 *
 * A stream carries either a session of multiplexed unary calls (frames with a
 * call id) or exactly one streaming call (no ids: the stream is the call), as
 * decided by its first frame.
 *
 * Frames are cheap; what costs is each `stream.send()`: every send is one
 * yamux frame, one Noise encryption, one XSalsa20 pass (pnet) and one socket
 * write, and each yamux frame received makes the receiver send a window
 * update back. So frames are written through a FrameWriter, which sends the
 * frames that are ready together with a single `send()`.
 */
import { decode, encode } from './codec.ts'
import type { WireError } from './errors.ts'
import type { Stream, StreamCloseEvent } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'

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
  /** client -> server, streaming: [t, n]: the server may send n more items */
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
 * Items a streaming call may have in flight before the client grants more:
 * the server starts with this much credit (part of the wire protocol). The
 * client then grants as it consumes, sizing its window in bytes (see
 * STREAM_WINDOW). The application does its own flow control because pausing
 * a yamux stream does not stop the sender: its window updates go on and the
 * paused stream's buffer overflows.
 */
export const STREAM_CREDIT = 64

/**
 * What a streaming call's consumer lets the server have in flight, counted
 * as the frames' bytes plus ITEM_OVERHEAD each: about 2,800 status items of
 * 300 B, or the initial 64 items of 16 KiB. Small items need many in flight
 * to keep the connection busy; large ones must not pile up in memory.
 */
export const STREAM_WINDOW = 1024 * 1024
/** Per-item cost added to a frame's size when sizing the window (the decoded object's own weight). */
export const ITEM_OVERHEAD = 64
/** The most items the client lets in flight, however small. */
export const MAX_STREAM_CREDIT = 8192

/** Default cap on one frame's size (bytes, after the length prefix). */
export const DEFAULT_MAX_FRAME_SIZE = 4 * 1024 * 1024

/** A FrameWriter sends at once when this many bytes are queued, without waiting for the end of the turn. */
export const FLUSH_BYTES = 64 * 1024

/**
 * A frame body part at least this large is sent as it is, next to the
 * others, rather than copied into the flush's buffer: a block of an upload
 * is 256 KiB, and every copy of it is garbage the daemon holds until a GC.
 */
const SEND_UNCOPIED_BYTES = 16 * 1024

/** An encoded frame body: one buffer, or parts that are the body end to end (encodeCallBody). */
export type FrameBody = Uint8Array | readonly Uint8Array[]

function bodyLength (body: FrameBody): number {
  if (body instanceof Uint8Array) return body.byteLength
  let n = 0
  for (const part of body) n += part.byteLength
  return n
}

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

function varintLength (n: number): number {
  let length = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    length++
  }
  return length
}

function writeVarint (n: number, target: Uint8Array, offset: number): number {
  while (n >= 0x80) {
    target[offset++] = (n & 0x7f) | 0x80
    n = Math.floor(n / 0x80)
  }
  target[offset++] = n
  return offset
}

/** Encodes a frame's body (no length prefix); refuses one above the cap. */
export function encodeBody (frame: Frame, maxFrameSize: number): Uint8Array {
  const body = encode(frame)
  if (body.byteLength > maxFrameSize) throw new FrameTooLargeError(body.byteLength, maxFrameSize)
  return body
}

/** Encodes a frame with its length prefix, in one buffer; refuses one above the cap. */
export function encodeFrame (frame: Frame, maxFrameSize: number): Uint8Array {
  return prefixed(encodeBody(frame, maxFrameSize))
}

function prefixed (body: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(varintLength(body.byteLength) + body.byteLength)
  bytes.set(body, writeVarint(body.byteLength, bytes, 0))
  return bytes
}

const utf8 = new TextEncoder()

/** CBOR head (major type + argument, minimal form) of a safe integer. */
function cborHead (major: number, n: number): number[] {
  const m = major << 5
  if (n < 24) return [m | n]
  if (n < 0x100) return [m | 24, n]
  if (n < 0x10000) return [m | 25, n >> 8, n & 0xff]
  if (n < 0x100000000) return [m | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]
  const head = [m | 27]
  for (let shift = 7; shift >= 0; shift--) head.push(Math.floor(n / 2 ** (shift * 8)) & 0xff)
  return head
}

/**
 * The body of a Call frame from an argument already encoded on its own, so
 * that a multiCall encodes its argument once for all peers. The bytes are the
 * ones `encodeBody` would produce (a CBOR array is its head then its items),
 * in two parts: the frame's head, then the argument itself, never copied.
 */
export function encodeCallBody (id: number, service: string, method: string, arg: Uint8Array, maxFrameSize: number): FrameBody {
  const s = utf8.encode(service)
  const m = utf8.encode(method)
  const head = [
    ...cborHead(4, 5), FrameType.Call, ...cborHead(0, id),
    ...cborHead(3, s.byteLength)
  ]
  const methodHead = cborHead(3, m.byteLength)
  const headSize = head.length + s.byteLength + methodHead.length + m.byteLength
  const size = headSize + arg.byteLength
  if (size > maxFrameSize) throw new FrameTooLargeError(size, maxFrameSize)
  const start = new Uint8Array(headSize)
  start.set(head, 0)
  let o = head.length
  start.set(s, o)
  o += s.byteLength
  start.set(methodHead, o)
  o += methodHead.length
  start.set(m, o)
  return [start, arg]
}

function checkFrame (x: unknown): Frame {
  if (!Array.isArray(x) || typeof x[0] !== 'number') throw new MalformedFrameError('frame is not a tagged tuple')
  const t = x[0] as number
  let ok: boolean
  switch (t) {
    case FrameType.Call: ok = x.length === 5 && typeof x[1] === 'number' && typeof x[2] === 'string' && typeof x[3] === 'string'; break
    case FrameType.Cancel: ok = x.length === 2 && typeof x[1] === 'number'; break
    case FrameType.Result: ok = x.length === 3 && typeof x[1] === 'number'; break
    case FrameType.Failure: ok = x.length === 3 && typeof x[1] === 'number' && typeof x[2] === 'object'; break
    case FrameType.Open: ok = x.length === 4 && typeof x[1] === 'string' && typeof x[2] === 'string'; break
    case FrameType.Item: ok = x.length === 2; break
    case FrameType.End: ok = x.length === 1; break
    case FrameType.Error: ok = x.length === 2 && typeof x[1] === 'object'; break
    case FrameType.Credit: ok = x.length === 2 && Number.isSafeInteger(x[1]) && (x[1] as number) > 0; break
    default: ok = false
  }
  if (!ok) throw new MalformedFrameError(`malformed frame of type ${String(t)}`)
  return x as Frame
}

/** Receives each decoded frame with its size on the wire (prefix included). */
export type OnFrame = (frame: Frame, size: number) => void

/**
 * Splits incoming bytes into frames. Throws FrameTooLargeError for a length
 * prefix above the cap (before buffering the body) and MalformedFrameError
 * for bytes that do not decode to a frame; frames before the bad one have
 * been delivered.
 *
 * It keeps at most one partial frame, decodes complete frames straight from
 * the chunk that holds them, and never throws to find out that a chunk ended
 * (building an exception per received chunk costs more than decoding it).
 */
export class FrameDecoder {
  private readonly maxFrameSize: number
  /** Bytes of the frame being assembled. */
  private parts: Uint8Array[] = []
  private buffered = 0
  /** Size (prefix included) of the frame being assembled, once its prefix is known; else -1. */
  private needed = -1

  constructor (maxFrameSize: number) {
    this.maxFrameSize = maxFrameSize
  }

  decode (chunk: Uint8Array | Uint8ArrayList, onFrame: OnFrame): void {
    if (chunk instanceof Uint8Array) {
      this.push(chunk, onFrame)
    } else {
      for (const piece of chunk) this.push(piece, onFrame)
    }
  }

  private push (piece: Uint8Array, onFrame: OnFrame): void {
    if (piece.byteLength === 0) return
    if (this.buffered === 0) {
      this.scan(piece, onFrame)
      return
    }
    this.parts.push(piece)
    this.buffered += piece.byteLength
    // wait for the whole frame when its size is known; while the prefix itself is split, retry on every piece
    if (this.needed >= 0 && this.buffered < this.needed) return
    const joined = new Uint8Array(this.buffered)
    let o = 0
    for (const p of this.parts) {
      joined.set(p, o)
      o += p.byteLength
    }
    this.parts = []
    this.buffered = 0
    this.needed = -1
    this.scan(joined, onFrame)
  }

  /** Decodes the complete frames of `buf`; keeps the incomplete rest. */
  private scan (buf: Uint8Array, onFrame: OnFrame): void {
    let offset = 0
    const end = buf.byteLength
    while (offset < end) {
      // the length prefix
      let length = 0
      let scale = 1
      let p = offset
      let complete = false
      while (p < end) {
        const byte = buf[p++] as number
        length += (byte & 0x7f) * scale
        if (byte < 0x80) {
          complete = true
          break
        }
        scale *= 0x80
        if (p - offset >= 8) throw new MalformedFrameError('frame length prefix is too long')
      }
      if (!complete) {
        this.keep(buf.subarray(offset), -1)
        return
      }
      if (length > this.maxFrameSize) throw new FrameTooLargeError(length, this.maxFrameSize)
      if (p + length > end) {
        this.keep(buf.subarray(offset), p - offset + length)
        return
      }
      let value: unknown
      try {
        value = decode(buf.subarray(p, p + length))
      } catch (err) {
        throw new MalformedFrameError('frame is not valid CBOR', { cause: err })
      }
      onFrame(checkFrame(value), p + length - offset)
      offset = p + length
    }
  }

  private keep (rest: Uint8Array, needed: number): void {
    this.parts = [rest]
    this.buffered = rest.byteLength
    this.needed = needed
  }
}

/** Writers in 'turn' mode with frames queued, flushed together at the end of the current turn. */
let pending: FrameWriter[] = []
let flushScheduled = false

function flushPending (): void {
  flushScheduled = false
  const writers = pending
  pending = []
  for (const writer of writers) writer.flush()
}

/**
 * When a FrameWriter sends what it has queued (unless FLUSH_BYTES are queued first):
 * - 'microtask': once the code that queued the first frame and the promise
 *   continuations already queued with it have run. Calls and answers made
 *   together (a Promise.all of calls, the answers to every call that arrived
 *   in one chunk, which run their handlers in step) leave together, without
 *   waiting for the next turn of the event loop. For call sessions.
 * - 'turn': at the end of the current turn of the event loop (setImmediate),
 *   after every microtask: what an async generator yields takes a few
 *   microtasks per item, so only this collects a run of items. For streams.
 */
export type FlushMode = 'microtask' | 'turn'

/**
 * Queues frames for one stream and sends those queued together with one
 * `stream.send()` (one yamux frame, one encryption, one socket write).
 */
export class FrameWriter {
  private readonly stream: Stream
  private readonly maxFrameSize: number
  private readonly onError: (err: Error) => void
  private readonly mode: FlushMode
  private bodies: FrameBody[] = []
  private bytes = 0
  /** Whether a queued body has a part sent uncopied. */
  private large = false
  private queued = false
  private readonly flushNow = (): void => { this.flush() }

  /** `onError` hears of a send that threw (the stream is closing or gone); the frames are dropped. */
  constructor (stream: Stream, maxFrameSize: number, mode: FlushMode, onError: (err: Error) => void) {
    this.stream = stream
    this.maxFrameSize = maxFrameSize
    this.mode = mode
    this.onError = onError
  }

  /** Encodes and queues a frame; returns its size on the wire. Throws FrameTooLargeError, queuing nothing. */
  write (frame: Frame): number {
    return this.writeBody(encodeBody(frame, this.maxFrameSize))
  }

  /** Queues an encoded body (from encodeBody / encodeCallBody); returns its size on the wire. */
  writeBody (body: FrameBody): number {
    const length = bodyLength(body)
    const size = varintLength(length) + length
    this.bodies.push(body)
    this.bytes += size
    if (length >= SEND_UNCOPIED_BYTES) this.large = true
    if (this.bytes >= FLUSH_BYTES) {
      this.flush()
    } else if (!this.queued) {
      this.queued = true
      if (this.mode === 'microtask') {
        queueMicrotask(this.flushNow)
      } else {
        pending.push(this)
        if (!flushScheduled) {
          flushScheduled = true
          setImmediate(flushPending)
        }
      }
    }
    return size
  }

  /** True while the stream asks its writers to wait for 'drain' (see `drained`). */
  get needsDrain (): boolean {
    return this.stream.writableNeedsDrain
  }

  /** Sends what is queued now. */
  flush (): void {
    this.queued = false
    if (this.bodies.length === 0) return
    const data = this.large ? this.joinedExceptLarge() : this.joined()
    this.bodies = []
    this.bytes = 0
    this.large = false
    if (this.stream.writeStatus !== 'writable') return
    try {
      this.stream.send(data)
    } catch (err) {
      this.onError(err as Error)
    }
  }

  /** The queued frames in one buffer: many small frames, one send. */
  private joined (): Uint8Array {
    const bytes = new Uint8Array(this.bytes)
    let o = 0
    for (const body of this.bodies) {
      o = writeVarint(bodyLength(body), bytes, o)
      // many small frames per flush: no array per frame
      if (body instanceof Uint8Array) {
        bytes.set(body, o)
        o += body.byteLength
        continue
      }
      for (const part of body) {
        bytes.set(part, o)
        o += part.byteLength
      }
    }
    return bytes
  }

  /** The queued frames with their large parts as they are and the small pieces between them joined. */
  private joinedExceptLarge (): Uint8ArrayList {
    const list = new Uint8ArrayList()
    let run: Uint8Array[] = []
    let runBytes = 0
    const endRun = (): void => {
      if (run.length === 0) return
      const bytes = new Uint8Array(runBytes)
      let o = 0
      for (const piece of run) {
        bytes.set(piece, o)
        o += piece.byteLength
      }
      list.append(bytes)
      run = []
      runBytes = 0
    }
    for (const body of this.bodies) {
      const length = bodyLength(body)
      const prefix = new Uint8Array(varintLength(length))
      writeVarint(length, prefix, 0)
      for (const piece of [prefix, ...(body instanceof Uint8Array ? [body] : body)]) {
        if (piece.byteLength >= SEND_UNCOPIED_BYTES) {
          endRun()
          list.append(piece)
        } else {
          run.push(piece)
          runBytes += piece.byteLength
        }
      }
    }
    endRun()
    return list
  }

  /**
   * Resolves once the stream can take more. (Not `stream.onDrain()`: its
   * promise is never renewed, so after the first drain it resolves at once.)
   */
  async drained (signal?: AbortSignal): Promise<void> {
    if (!this.stream.writableNeedsDrain) return
    signal?.throwIfAborted()
    const stream = this.stream
    const { promise, resolve, reject } = Promise.withResolvers<void>()
    const onDrain = (): void => { cleanup(); resolve() }
    const onClose = (evt: StreamCloseEvent): void => { cleanup(); reject(evt.error ?? new Error('the stream closed')) }
    const onAbort = (): void => { cleanup(); reject(signal?.reason) }
    const cleanup = (): void => {
      stream.removeEventListener('drain', onDrain)
      stream.removeEventListener('close', onClose)
      signal?.removeEventListener('abort', onAbort)
    }
    stream.addEventListener('drain', onDrain)
    stream.addEventListener('close', onClose)
    signal?.addEventListener('abort', onAbort)
    return promise
  }
}
