/**
 * The RPC client: the one way components reach any service, their own peer's
 * or another's. A call to no peer or to the local peer takes the local
 * shortcut (the registered handler, called directly); any other goes over
 * libp2p: unary calls share a call session per peer, streaming calls get a
 * stream each.
 */
import { logger as createLogger } from '@libp2p/logger'
import { RpcAbortError, RpcClientError, RpcServerError, RpcUnknownMethodError, fromWireError, isWireError } from './errors.ts'
import { ClientSession } from './client-session.ts'
import { FrameQueue } from './frame-queue.ts'
import { FrameType, encodeFrame, sendFrame } from './frames.ts'
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
    return this.remoteCall(peer as PeerId, service, method, arg, options?.signal) as Promise<ResultOf<Api[S][M]>>
  }

  /**
   * The same call to many peers at once: one result per peer, in the order
   * given, each a value or an error. Never rejects as a whole.
   */
  async multiCall<S extends ServiceName<Api>, M extends UnaryMethodName<Api, S>> (
    peers: PeerId[], service: S, method: M, arg: ArgOf<Api[S][M]>, options: CallOptions = {}
  ): Promise<Array<PeerResult<ResultOf<Api[S][M]>>>> {
    return Promise.all(peers.map(async (peer): Promise<PeerResult<ResultOf<Api[S][M]>>> => {
      try {
        return { peer, value: await this.call(peer, service, method, arg, options) }
      } catch (err) {
        return { peer, error: err as Error }
      }
    }))
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

  private async remoteCall (peer: PeerId, service: string, method: string, arg: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    this.checkKind(service, method, 'unary')
    if (isAborted(signal)) throw new RpcAbortError()
    const session = await this.session(peer, signal)
    return session.call(service, method, arg, signal)
  }

  private async * localStream (service: string, method: string, arg: unknown, signal: AbortSignal | undefined): AsyncGenerator<unknown> {
    this.checkKind(service, method, 'stream')
    const handlers = this.server.localService(service)
    const fn = handlers?.[method]
    if (typeof fn !== 'function') throw new RpcUnknownMethodError(`unknown method ${service}.${method}`)
    if (isAborted(signal)) throw new RpcAbortError()
    for await (const item of (fn as LocalMethod).call(handlers, arg, signal == null ? LOCAL_CONTEXT : { signal }) as AsyncIterable<unknown>) {
      if (isAborted(signal)) throw new RpcAbortError()
      yield item
    }
  }

  private async session (peer: PeerId, signal: AbortSignal | undefined): Promise<ClientSession> {
    const key = peer.toString()
    let session = this.sessions.get(key)
    if (session == null) {
      session = this.openStream(peer, signal).then((stream) => {
        return new ClientSession(stream, this.server.maxFrameSize, () => {
          this.streams.delete(stream)
          if (this.sessions.get(key) === session) this.sessions.delete(key)
        })
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
    const frames = new FrameQueue(stream, limit, (n) => {
      try {
        if (stream.writeStatus === 'writable') stream.send(encodeFrame([FrameType.Credit, n], limit))
      } catch (err) {
        stream.abort(err as Error)
      }
    })
    let finished = false
    try {
      await sendFrame(stream, [FrameType.Open, service, method, arg], limit, signal)
      while (true) {
        const frame = await frames.next(signal)
        if (frame[0] === FrameType.Item) {
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
