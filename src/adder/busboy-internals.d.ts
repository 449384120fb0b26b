/**
 * Types for the two modules of @fastify/busboy the multipart reader uses
 * directly (the package ships no declarations reachable at these paths).
 */
declare module '@fastify/busboy/deps/dicer/lib/Dicer.js' {
  import type { Readable, Writable } from 'node:stream'

  interface DicerConfig {
    boundary: string
    maxHeaderPairs?: number
    maxHeaderSize?: number
    /** highWaterMark of each part's stream. */
    partHwm?: number
  }

  /** A part: its headers arrive in a 'header' event (lowercased names, each with its values). */
  export interface DicerPart extends Readable {
    on(event: 'header', listener: (header: Record<string, string[]>) => void): this
    on(event: string | symbol, listener: (...args: any[]) => void): this
  }

  export default class Dicer extends Writable {
    constructor (config: DicerConfig)
    on(event: 'part', listener: (part: DicerPart) => void): this
    on(event: string | symbol, listener: (...args: any[]) => void): this
  }
}

declare module '@fastify/busboy/lib/utils/parseParams.js' {
  /** `type; a=1; b="two"` to `['type', ['a', '1'], ['b', 'two']]` (RFC 2231 `b*=` values decoded). */
  export default function parseParams (header: string): [string, ...Array<[string, string]>]
}
