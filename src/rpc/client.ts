/**
 * The RPC client: the one way components reach any service, their own peer's
 * or another's. A call to no peer or to the local peer takes the local
 * shortcut (the registered handler, called directly); any other goes over
 * libp2p: unary calls share a call session per peer, streaming calls get a
 * stream each.
 */
import { logger as createLogger } from '@libp2p/logger'
import { LocalStream } from './local-stream.ts'
import { RpcAbortError, RpcClientError, RpcServerError, RpcUnknownMethodError, fromWireError, isWireError } from './errors.ts'
import { ClientSession } from './client-session.ts'
import { FrameQueue } from './frame-queue.ts'
import { FrameType, FrameWriter } from './frames.ts'
import { encode } from './codec.ts'
import { mergeIterables } from './merge.ts'
import { MAX_RPC_STREAMS_PER_CONNECTION } from './protocol.ts'
import type { RpcServer } from './server.ts'
import type { AnyMethod, ApiShape, ArgOf, CallContext, CallOptions, PeerResult, ResultOf, ServiceName, StreamMethodName, UnaryMethodName } from './types.ts'
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { Logger } from '@libp2p/logger'

export interface RpcClientInit<Api extends ApiShape> {
  /** Opens streams to other peers; `peerId` identifies the local peer. */
  host: Pick<Libp2p, 'peerId' | 'dialProtocol'>
  /** The local server: the local shortcut calls its handlers. */
  server: RpcServer<Api>
  log?: Logger
}

function isAborted (signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}

/** A signal that never aborts, for local calls made without one. */
const NEVER = new AbortController().signal
const LOCAL_CONTEXT: CallContext = Object.freeze({ signal: NEVER })

type LocalMethod = (this: unknown, arg: unknown, ctx: CallContext) => unknown

export class RpcClient<Api extends ApiShape> {
  private readonly host: Pick<Libp2p, 'peerId' | 'dialProtocol'>
  private readonly server: RpcServer<Api>
  private readonly log: Logger
  private readonly sessions = new Map<string, Promise<ClientSession>>()
  /** The sessions of `sessions` that are open, by peer, for calls that need not wait. */
  private readonly ready = new Map<string, ClientSession>()
  private readonly streams = new Set<Stream>()
  private stopped = false

  constructor (init: RpcClientInit<Api>) {
    this.host = init.host
    this.server = init.server
    this.log = init.log ?? createLogger('pincluster:rpc:client')
  }

  get localPeer (): PeerId {
    return this.host.peerId
  }

  /** True when a call to `peer` takes the local shortcut. */
  isLocal (peer: PeerId | undefined): boolean {
    return peer == null || peer === this.host.peerId || peer.equals(this.host.peerId)
  }

  /** One unary call. `peer` undefined (or the local peer) means this peer. */
  call<S extends ServiceName<Api>, M extends UnaryMethodName<Api, S>> (
    peer: PeerId | undefined, service: S, method: M, arg: ArgOf<Api[S][M]>, options?: CallOptions
  ): Promise<ResultOf<Api[S][M]>> {
    // not an async function: the local shortcut hands back the handler's own promise
    if (this.isLocal(peer)) return this.localCall(service, method, arg, options?.signal) as Promise<ResultOf<Api[S][M]>>
    return this.remoteCall(peer as PeerId, service, method, arg, undefined, options?.signal) as Promise<ResultOf<Api[S][M]>>
  }

  /**
   * The same call to many peers at once: one result per peer, in the order
   * given, each a value or an error. Never rejects as a whole.
   */
  async multiCall<S extends ServiceName<Api>, M extends UnaryMethodName<Api, S>> (
    peers: PeerId[], service: S, method: M, arg: ArgOf<Api[S][M]>, options: CallOptions = {}
  ): Promise<Array<PeerResult<ResultOf<Api[S][M]>>>> {
    type Result = PeerResult<ResultOf<Api[S][M]>>
    const signal = options.signal
    // the argument is encoded once, for every remote peer
    let encoded: Uint8Array | undefined
    let encodeError: Error | undefined
    const results = peers.map(async (peer): Promise<Result> => {
      try {
        let value: unknown
        if (this.isLocal(peer)) {
          value = await this.localCall(service, method, arg, signal)
        } else {
          if (encoded == null && encodeError == null) {
            try {
              encoded = encode(arg)
            } catch (err) {
              encodeError = err as Error
            }
          }
          if (encodeError != null) throw encodeError
          value = await this.remoteCall(peer, service, method, undefined, encoded, signal)
        }
        return { peer, value } as Result
      } catch (err) {
        return { peer, error: err as Error }
      }
    })
    return Promise.all(results)
  }

  /** A streaming call: items arrive as the handler produces them. Breaking out of the loop cancels it. */
  stream<S extends ServiceName<Api>, M extends StreamMethodName<Api, S>> (
    peer: PeerId | undefined, service: S, method: M, arg: ArgOf<Api[S][M]>, options: CallOptions = {}
  ): AsyncGenerator<ResultOf<Api[S][M]>> {
    if (this.isLocal(peer)) return this.localStream(service, method, arg, options.signal) as AsyncGenerator<ResultOf<Api[S][M]>>
    return this.remoteStream(peer as PeerId, service, method, arg, options.signal) as AsyncGenerator<ResultOf<Api[S][M]>>
  }

  /**
   * The same streaming call to many peers; items are tagged with their peer and
   * interleaved as they arrive. A peer that fails yields one `{ peer, error }`
   * and the others go on.
   */
  multiStream<S extends ServiceName<Api>, M extends StreamMethodName<Api, S>> (
    peers: PeerId[], service: S, method: M, arg: ArgOf<Api[S][M]>, options: CallOptions = {}
  ): AsyncGenerator<PeerResult<ResultOf<Api[S][M]>>> {
    const tagged = async function * (client: RpcClient<Api>, peer: PeerId): AsyncGenerator<PeerResult<ResultOf<Api[S][M]>>> {
      try {
        for await (const value of client.stream(peer, service, method, arg, options)) yield { peer, value }
      } catch (err) {
        yield { peer, error: err as Error }
      }
    }
    return mergeIterables(peers.map((peer) => tagged(this, peer)))
  }

  /** Closes every session and stream this client opened. */
  async stop (): Promise<void> {
    this.stopped = true
    const reason = new RpcClientError('the RPC client is stopping')
    const sessions = [...this.sessions.values()]
    this.sessions.clear()
    this.ready.clear()
    await Promise.allSettled(sessions.map(async (s) => { (await s).close(reason) }))
    for (const stream of this.streams) stream.abort(reason)
    this.streams.clear()
  }

  /** Allows use again after stop (a restarted component). */
  start (): void {
    this.stopped = false
  }

  private checkKind (service: string, method: string, kind: 'unary' | 'stream'): void {
    const spec = this.server.spec(service, method)
    if (spec == null) throw new RpcUnknownMethodError(`unknown method ${service}.${method}`)
    if (spec.kind !== kind) throw new RpcClientError(`${service}.${method} is a ${spec.kind} method`)
  }

  private localCall (service: string, method: string, arg: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    const handlers = this.server.localService(service)
    const fn = handlers?.[method]
    if (typeof fn !== 'function') return Promise.reject(new RpcUnknownMethodError(`unknown method ${service}.${method}`))
    try {
      if (signal == null) return (fn as LocalMethod).call(handlers, arg, LOCAL_CONTEXT) as Promise<unknown>
      return this.localCallWithSignal(fn.bind(handlers), arg, signal)
    } catch (err) {
      return Promise.reject(err as Error)
    }
  }

  private async localCallWithSignal (fn: AnyMethod, arg: unknown, signal: AbortSignal): Promise<unknown> {
    if (signal.aborted) throw new RpcAbortError()
    // the caller is released at once on abort, as for a remote call
    const { promise: aborted, reject } = Promise.withResolvers<never>()
    const onAbort = (): void => { reject(new RpcAbortError()) }
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      return await Promise.race([fn(arg, { signal }), aborted])
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }

  /** A remote unary call; `encoded`, when given, is the argument already encoded (multiCall). */
  private remoteCall (peer: PeerId, service: string, method: string, arg: unknown, encoded: Uint8Array | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    try {
      this.checkKind(service, method, 'unary')
      if (isAborted(signal)) return Promise.reject(new RpcAbortError())
      const call = (session: ClientSession): Promise<unknown> => encoded != null
        ? session.callEncoded(service, method, encoded, signal)
        : session.call(service, method, arg, signal)
      // an open session takes the call at once, without a turn through an await
      const ready = this.ready.get(peer.toString())
      if (ready?.usable === true) return call(ready)
      return this.session(peer, signal).then(call)
    } catch (err) {
      return Promise.reject(err as Error)
    }
  }

  private localStream (service: string, method: string, arg: unknown, signal: AbortSignal | undefined): AsyncGenerator<unknown> {
    return new LocalStream(() => {
      this.checkKind(service, method, 'stream')
      const handlers = this.server.localService(service)
      const fn = handlers?.[method]
      if (typeof fn !== 'function') throw new RpcUnknownMethodError(`unknown method ${service}.${method}`)
      return (fn as LocalMethod).call(handlers, arg, signal == null ? LOCAL_CONTEXT : { signal }) as AsyncIterable<unknown>
    }, signal)
  }

  private async session (peer: PeerId, signal: AbortSignal | undefined): Promise<ClientSession> {
    const key = peer.toString()
    let session = this.sessions.get(key)
    if (session == null) {
      session = this.openStream(peer, signal).then((stream) => {
        const opened: ClientSession = new ClientSession(stream, this.server.maxFrameSize, () => {
          this.streams.delete(stream)
          if (this.sessions.get(key) === session) this.sessions.delete(key)
          if (this.ready.get(key) === opened) this.ready.delete(key)
        })
        if (this.sessions.get(key) === session) this.ready.set(key, opened)
        return opened
      })
      this.sessions.set(key, session)
      session.catch(() => { if (this.sessions.get(key) === session) this.sessions.delete(key) })
    }
    const s = await session
    if (!s.usable) {
      if (this.sessions.get(key) === session) this.sessions.delete(key)
      return this.session(peer, signal)
    }
    return s
  }

  private async openStream (peer: PeerId, signal: AbortSignal | undefined): Promise<Stream> {
    if (this.stopped) throw new RpcClientError('the RPC client is stopped')
    try {
      const stream = await this.host.dialProtocol(peer, this.server.protocol, {
        signal,
        negotiateFully: false,
        maxOutboundStreams: MAX_RPC_STREAMS_PER_CONNECTION
      })
      this.streams.add(stream)
      stream.addEventListener('close', () => { this.streams.delete(stream) }, { once: true })
      return stream
    } catch (err) {
      if (isAborted(signal)) throw new RpcAbortError()
      this.log('cannot open an RPC stream to %p: %s', peer, (err as Error).message)
      throw new RpcClientError(`cannot reach peer ${peer.toString()}: ${(err as Error).message}`, { cause: err })
    }
  }

  private async * remoteStream (peer: PeerId, service: string, method: string, arg: unknown, signal: AbortSignal | undefined): AsyncGenerator<unknown> {
    this.checkKind(service, method, 'stream')
    if (isAborted(signal)) throw new RpcAbortError()
    const stream = await this.openStream(peer, signal)
    const limit = this.server.maxFrameSize
    const writer = new FrameWriter(stream, limit, 'turn', (err) => { stream.abort(err) })
    const frames = new FrameQueue(stream, limit, (n) => {
      // at once: the server may be close to the end of its credit
      writer.write([FrameType.Credit, n])
      writer.flush()
    })
    let finished = false
    try {
      writer.write([FrameType.Open, service, method, arg])
      writer.flush()
      while (true) {
        const frame = frames.poll() ?? await frames.next(signal)
        if (frame[0] === FrameType.Item) {
          if (isAborted(signal)) throw new RpcAbortError()
          yield frame[1]
        } else if (frame[0] === FrameType.End) {
          finished = true
          return
        } else if (frame[0] === FrameType.Error) {
          finished = true
          throw isWireError(frame[1]) ? fromWireError(frame[1]) : new RpcServerError('malformed error frame')
        } else {
          throw new RpcClientError(`unexpected frame of type ${frame[0]} in a streaming call`)
        }
      }
    } catch (err) {
      if (isAborted(signal)) throw new RpcAbortError()
      throw err
    } finally {
      frames.dispose()
      // stopping early (break, abort, error) resets the stream, which aborts the remote handler
      if (!finished) stream.abort(new RpcAbortError('the caller stopped the streaming call'))
      else await stream.close().catch((err: Error) => { stream.abort(err) })
    }
  }
}
