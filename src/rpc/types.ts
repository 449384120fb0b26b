import type { PeerId } from '@libp2p/interface'

/** What every handler receives besides its argument. */
export interface CallContext {
  /** Aborts when the caller cancels (locally, or by resetting the remote call) or the server stops. */
  signal: AbortSignal
  /** The calling peer for a remote call; undefined for a call through the local shortcut. */
  peer?: PeerId
}

export type UnaryMethod<A = any, R = any> = (arg: A, ctx: CallContext) => Promise<R>
export type StreamMethod<A = any, R = any> = (arg: A, ctx: CallContext) => AsyncIterable<R>
export type AnyMethod = UnaryMethod | StreamMethod

/**
 * An RPC API: services by name, each a set of methods by name.
 * Declare it as a `type` alias (interfaces have no implicit index signature).
 */
export type ApiShape = Record<string, Record<string, AnyMethod>>

/**
 * Who may call a method remotely:
 * - open: any peer holding the cluster secret (connected through the private network)
 * - trusted: peers the trust provider accepts (the consensus peerset)
 * - closed: nobody remotely; local shortcut only
 */
export type Policy = 'open' | 'trusted' | 'closed'

export type MethodKind<F> = F extends (...args: any[]) => AsyncIterable<any> ? 'stream' : 'unary'

export interface MethodSpec<K extends 'unary' | 'stream' = 'unary' | 'stream'> {
  readonly policy: Policy
  readonly kind: K
}

/**
 * The policy table: one entry per method of the API, with its kind checked
 * against the method's return type. A method without an entry does not compile.
 */
export type MethodTable<Api extends ApiShape> = {
  readonly [S in keyof Api]: {
    readonly [M in keyof Api[S]]: MethodSpec<MethodKind<Api[S][M]>>
  }
}

export type ServiceName<Api extends ApiShape> = keyof Api & string
export type MethodName<Api extends ApiShape, S extends keyof Api> = keyof Api[S] & string

export type UnaryMethodName<Api extends ApiShape, S extends keyof Api> = {
  [M in keyof Api[S]]: MethodKind<Api[S][M]> extends 'unary' ? M : never
}[keyof Api[S]] & string

export type StreamMethodName<Api extends ApiShape, S extends keyof Api> = {
  [M in keyof Api[S]]: MethodKind<Api[S][M]> extends 'stream' ? M : never
}[keyof Api[S]] & string

export type ArgOf<F> = F extends (arg: infer A, ctx: CallContext) => any ? A : never
export type ResultOf<F> = F extends (arg: any, ctx: CallContext) => Promise<infer R>
  ? R
  : F extends (arg: any, ctx: CallContext) => AsyncIterable<infer R> ? R : never

/** One peer's outcome of a multiCall / item of a multiStream. */
export type PeerResult<R> =
  | { peer: PeerId, value: R, error?: undefined }
  | { peer: PeerId, error: Error, value?: undefined }

export interface CallOptions {
  signal?: AbortSignal
}
