/**
 * `cluster-service state export`: the pinset as NDJSON, one Pin JSON per
 * line in key order, the stored bytes passed through without re-encoding.
 */
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { AbortOptions, PinState } from './pin-state.ts'

/** Receives one line of JSON, without its newline; a returned promise is awaited before the next line. */
export type LineSink = (line: string) => void | Promise<void>

/** Lines are gathered into writes of about this size. */
const WRITE_SIZE = 64 * 1024
const NEWLINE = new Uint8Array([0x0a])

/**
 * Writes every pin of `state` to `out` and resolves to the number of pins
 * written. A stream is written with its backpressure honoured and is left
 * open (it may be stdout); a failing stream rejects the export.
 */
export async function exportState (state: PinState, out: NodeJS.WritableStream | LineSink, options?: AbortOptions): Promise<number> {
  const counter = { pins: 0 }
  if (typeof out === 'function') {
    const decoder = new TextDecoder()
    for await (const value of state.listRaw(options)) {
      await out(decoder.decode(value))
      counter.pins++
    }
    return counter.pins
  }
  const source = Readable.from(ndjsonChunks(state, counter, options), { objectMode: false })
  await pipeline(source, out, { signal: options?.signal, end: false })
  return counter.pins
}

async function * ndjsonChunks (state: PinState, counter: { pins: number }, options?: AbortOptions): AsyncGenerator<Uint8Array> {
  let parts: Uint8Array[] = []
  let size = 0
  for await (const value of state.listRaw(options)) {
    parts.push(value, NEWLINE)
    size += value.length + 1
    counter.pins++
    if (size >= WRITE_SIZE) {
      yield Buffer.concat(parts, size)
      parts = []
      size = 0
    }
  }
  if (size > 0) yield Buffer.concat(parts, size)
}
