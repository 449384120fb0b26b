/**
 * The RPC server: one per peer. Components register their services here; the
 * server answers remote calls arriving on libp2p streams and, through
 * `localHandler`, gives the client its local shortcut.
 */
import { logger as createLogger } from '@libp2p/logger'
import { RpcAuthorizationError, RpcServerError, RpcUnknownMethodError, toWireError } from './errors.ts'
import { DEFAULT_MAX_FRAME_SIZE, FrameDecoder, FrameType, FrameWriter, STREAM_CREDIT } from './frames.ts'
import { MAX_RPC_STREAMS_PER_CONNECTION, RPC_PROTOCOL } from './protocol.ts'
import type { Frame } from './frames.ts'
import type { AnyMethod, ApiShape, CallContext, MethodSpec, MethodTable, ServiceName } from './types.ts'
import type { Connection, Libp2p, PeerId, Stream, StreamMessageEvent } from '@libp2p/interface'
import type { Logger } from '@libp2p/logger'

/** Decides whether a remote peer is trusted (for `trusted` methods). */
export type TrustCheck = (peer: PeerId, signal: AbortSignal) => boolean | Promise<boolean>

export interface RpcServerInit<Api extends ApiShape> {
  /** Where remote calls arrive; only `handle`/`unhandle` are used. */
  host: Pick<Libp2p, 'handle' | 'unhandle'>
  /** Policy and kind of every method of the API. */
  methods: MethodTable<Api>
  /** Who counts as trusted. Defaults to nobody. */
  isTrusted?: TrustCheck
  protocol?: string
  maxFrameSize?: number
  /** Calls one session may have running at once before the server stops reading from it. */
  maxConcurrentCallsPerSession?: number
  log?: Logger
}

const DEFAULT_MAX_CONCURRENT_CALLS = 256

interface ResolvedMethod {
  spec: MethodSpec
  fn: AnyMethod
  self: object
}

export class RpcServer<Api extends ApiShape> {
  readonly protocol: string
  readonly maxFrameSize: number
  private readonly host: Pick<Libp2p, 'handle' | 'unhandle'>
  private readonly methods: MethodTable<Api>
  private readonly isTrusted: TrustCheck
  private readonly maxConcurrent: number
  private readonly log: Logger
  private readonly services = new Map<string, Record<string, AnyMethod>>()
  /** Every running remote call, so stop() can abort them. */
  private readonly running = new Set<AbortController>()
  private started = false

  constructor (init: RpcServerInit<Api>) {
    this.host = init.host
    this.methods = init.methods
    this.isTrusted = init.isTrusted ?? (() => false)
    this.protocol = init.protocol ?? RPC_PROTOCOL
    this.maxFrameSize = init.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE
    this.maxConcurrent = init.maxConcurrentCallsPerSession ?? DEFAULT_MAX_CONCURRENT_CALLS
    this.log = init.log ?? createLogger('pincluster:rpc:server')
  }

  /** Registers the handlers of one service (all its methods). */
  register<S extends ServiceName<Api>> (service: S, handlers: Api[S]): void {
    if (this.services.has(service)) throw new Error(`service ${service} is already registered`)
    this.services.set(service, handlers)
  }

  unregister (service: ServiceName<Api>): void {
    this.services.delete(service)
  }

  async start (): Promise<void> {
    if (this.started) return
    await this.host.handle(this.protocol, (stream, connection) => { this.onStream(stream, connection) }, {
      maxInboundStreams: MAX_RPC_STREAMS_PER_CONNECTION,
      maxOutboundStreams: MAX_RPC_STREAMS_PER_CONNECTION
    })
    this.started = true
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    await this.host.unhandle(this.protocol)
    const reason = new RpcServerError('the RPC server is stopping')
    for (const controller of this.running) controller.abort(reason)
    this.running.clear()
  }

  /**
   * A registered service's handlers, for the local shortcut (which skips
   * authorization: local calls are trusted), or undefined.
   */
  localService (service: string): Record<string, AnyMethod> | undefined {
    return this.services.get(service)
  }

  /** Kind and policy of a method, or undefined if the API has no such method. */
  spec (service: string, method: string): MethodSpec | undefined {
    const table = this.methods as unknown as Record<string, Record<string, MethodSpec> | undefined>
    const services = Object.hasOwn(table, service) ? table[service] : undefined
    return services != null && Object.hasOwn(services, method) ? services[method] : undefined
  }

  private resolve (service: string, method: string): ResolvedMethod {
    const spec = this.spec(service, method)
    const handlers = this.services.get(service)
    const fn = handlers != null && Object.hasOwn(handlers, method) ? handlers[method] : undefined
    if (spec == null || handlers == null || typeof fn !== 'function') {
      throw new RpcUnknownMethodError(`unknown method ${service}.${method}`)
    }
    return { spec, fn, self: handlers }
  }

  private async authorize (spec: MethodSpec, service: string, method: string, peer: PeerId, signal: AbortSignal): Promise<void> {
    if (spec.policy === 'open') return
    if (spec.policy === 'trusted' && await this.isTrusted(peer, signal)) return
    throw new RpcAuthorizationError(`peer ${peer.toString()} is not authorized to call ${service}.${method}`)
  }

  private onStream (stream: Stream, connection: Connection): void {
    const peer = connection.remotePeer
    const decoder = new FrameDecoder(this.maxFrameSize)
    let mode: Session | StreamCall | undefined

    const onFrame = (frame: Frame): void => {
      if (mode == null) {
        if (frame[0] === FrameType.Call) {
          mode = new Session(this, stream, peer)
        } else if (frame[0] === FrameType.Open) {
          mode = new StreamCall(this, stream, peer)
        } else {
          throw new RpcServerError(`unexpected first frame of type ${frame[0]}`)
        }
      }
      mode.onFrame(frame)
    }
    const onMessage = (evt: StreamMessageEvent): void => {
      try {
        decoder.decode(evt.data, onFrame)
      } catch (err) {
        this.log('resetting RPC stream from %p: %s', peer, (err as Error).message)
        stream.removeEventListener('message', onMessage)
        stream.abort(err as Error)
      }
    }
    stream.addEventListener('message', onMessage)
    stream.addEventListener('close', () => {
      stream.removeEventListener('message', onMessage)
      mode?.onClose()
    }, { once: true })
  }

  /** Runs a remote call: resolves the method, checks the policy, calls the handler. */
  async dispatch (service: string, method: string, kind: 'unary' | 'stream', arg: unknown, controller: AbortController, peer: PeerId): Promise<unknown> {
    const resolved = this.resolve(service, method)
    if (resolved.spec.kind !== kind) {
      throw new RpcServerError(`${service}.${method} is a ${resolved.spec.kind} method`)
    }
    const signal = controller.signal
    await this.authorize(resolved.spec, service, method, peer, signal)
    return (resolved.fn as (this: object, arg: unknown, ctx: CallContext) => unknown).call(resolved.self, arg, { signal, peer })
  }

  /** Tracks a running call so that stopping the server aborts it; returns the untrack function. */
  track (controller: AbortController): () => void {
    this.running.add(controller)
    return () => { this.running.delete(controller) }
  }

  get frameLimit (): number {
    return this.maxFrameSize
  }

  get concurrencyLimit (): number {
    return this.maxConcurrent
  }

  logger (): Logger {
    return this.log
  }
}

type Dispatcher = Pick<RpcServer<any>, 'dispatch' | 'track' | 'frameLimit' | 'concurrencyLimit' | 'logger'>

/** Multiplexed unary calls on one long-lived stream; answers ready together leave in one write. */
class Session {
  private readonly running = new Map<number, AbortController>()
  private paused = false

  private readonly server: Dispatcher
  private readonly stream: Stream
  private readonly peer: PeerId
  private readonly writer: FrameWriter

  constructor (server: Dispatcher, stream: Stream, peer: PeerId) {
    this.server = server
    this.stream = stream
    this.peer = peer
    this.writer = new FrameWriter(stream, server.frameLimit, 'microtask', (err) => {
      server.logger()('could not answer calls from %p: %s', peer, err.message)
    })
  }

  onFrame (frame: Frame): void {
    switch (frame[0]) {
      case FrameType.Call: {
        const [, id, service, method, arg] = frame
        if (this.running.has(id)) throw new RpcServerError(`call id ${id} is already in use`)
        void this.run(id, service, method, arg)
        return
      }
      case FrameType.Cancel:
        this.running.get(frame[1])?.abort(new RpcServerError('the caller cancelled the call'))
        this.running.delete(frame[1])
        this.maybeResume()
        return
      default:
        throw new RpcServerError(`unexpected frame of type ${frame[0]} in a call session`)
    }
  }

  onClose (): void {
    for (const controller of this.running.values()) controller.abort(new RpcServerError('the call session closed'))
    this.running.clear()
  }

  private async run (id: number, service: string, method: string, arg: unknown): Promise<void> {
    const controller = new AbortController()
    this.running.set(id, controller)
    if (this.running.size >= this.server.concurrencyLimit && !this.paused) {
      this.paused = true
      this.stream.pause()
    }
    let reply: Frame
    const untrack = this.server.track(controller)
    try {
      const value = await this.server.dispatch(service, method, 'unary', arg, controller, this.peer)
      reply = [FrameType.Result, id, value]
    } catch (err) {
      reply = [FrameType.Failure, id, toWireError(err)]
    } finally {
      untrack()
    }
    // a cancelled call gets no answer: the caller has already given up on it
    if (this.running.get(id) !== controller) return
    this.running.delete(id)
    this.maybeResume()
    this.reply(reply, id)
  }

  private reply (frame: Frame, id: number): void {
    if (this.stream.writeStatus !== 'writable') return
    try {
      this.writer.write(frame)
    } catch (err) {
      this.writer.write([FrameType.Failure, id, toWireError(new RpcServerError(`cannot send the result: ${(err as Error).message}`))])
    }
  }

  private maybeResume (): void {
    if (this.paused && this.running.size < this.server.concurrencyLimit) {
      this.paused = false
      this.stream.resume()
    }
  }
}

/**
 * One streaming call: the stream is the call; resetting it cancels the call.
 * Items go out as the handler yields them, as long as the client has granted
 * credit; those yielded in one turn leave in one write.
 */
class StreamCall {
  private readonly controller = new AbortController()
  private opened = false
  private credit = STREAM_CREDIT
  private creditArrived: (() => void) | undefined

  private readonly server: Dispatcher
  private readonly stream: Stream
  private readonly peer: PeerId
  private readonly writer: FrameWriter

  constructor (server: Dispatcher, stream: Stream, peer: PeerId) {
    this.server = server
    this.stream = stream
    this.peer = peer
    this.writer = new FrameWriter(stream, server.frameLimit, 'turn', (err) => {
      stream.abort(err)
    })
  }

  onFrame (frame: Frame): void {
    if (frame[0] === FrameType.Credit && this.opened) {
      this.credit += frame[1]
      this.creditArrived?.()
      return
    }
    if (frame[0] !== FrameType.Open || this.opened) {
      throw new RpcServerError(`unexpected frame of type ${frame[0]} in a streaming call`)
    }
    this.opened = true
    const [, service, method, arg] = frame
    void this.run(service, method, arg)
  }

  onClose (): void {
    this.controller.abort(new RpcServerError('the caller closed the streaming call'))
  }

  private async run (service: string, method: string, arg: unknown): Promise<void> {
    const untrack = this.server.track(this.controller)
    try {
      await this.serve(service, method, arg, this.controller.signal)
    } finally {
      untrack()
    }
  }

  private async waitForCredit (signal: AbortSignal): Promise<void> {
    // what is queued goes now: the client grants more as it consumes it
    this.writer.flush()
    const { promise, resolve, reject } = Promise.withResolvers<void>()
    const onAbort = (): void => { reject(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
    this.creditArrived = resolve
    try {
      await promise
    } finally {
      this.creditArrived = undefined
      signal.removeEventListener('abort', onAbort)
    }
  }

  private async serve (service: string, method: string, arg: unknown, signal: AbortSignal): Promise<void> {
    const writer = this.writer
    try {
      const items = await this.server.dispatch(service, method, 'stream', arg, this.controller, this.peer) as AsyncIterable<unknown>
      for await (const item of items) {
        signal.throwIfAborted()
        while (this.credit <= 0) await this.waitForCredit(signal)
        writer.write([FrameType.Item, item])
        this.credit--
        if (writer.needsDrain) await writer.drained(signal)
      }
      writer.write([FrameType.End])
    } catch (err) {
      if (signal.aborted) return
      try {
        writer.write([FrameType.Error, toWireError(err)])
      } catch (sendErr) {
        this.stream.abort(sendErr as Error)
        return
      }
    }
    writer.flush()
    try {
      await this.stream.close({ signal })
    } catch (err) {
      this.stream.abort(err as Error)
    }
  }
}
