/**
 * `cluster-service state import`: replaces the pinset with the pins of an
 * NDJSON file (one Pin JSON per line, as `exportState` writes it).
 *
 * Every line is validated while it is written to a staging generation of the
 * pinset (see `PinState.replaceAll`), so the file is read once, never held in
 * memory, and the pinset changes only if every line is good: the first bad
 * line aborts the import with a `StateImportError` naming it, and the
 * pinset stays exactly as it was.
 */
import { parsePin } from '../api/pin.ts'
import { StateImportError } from './errors.ts'
import { ndjsonLines } from './ndjson-lines.ts'
import type { PinJson } from '../api/types.ts'
import type { NdjsonFraming } from './ndjson-lines.ts'
import type { AbortOptions, PinState } from './pin-state.ts'

export interface ImportStateOptions extends AbortOptions {
  /**
   * 'chunks' (default): the input is NDJSON text cut anywhere (a read
   * stream's Buffers or strings). 'lines': each item is one line without its
   * newline (readline's output).
   */
  framing?: NdjsonFraming
  /**
   * The applied index to record with the imported pins; absent: keep the
   * current one. The consensus decides what an import means for its log.
   */
  appliedIndex?: number
}

/** Imports `input` into `state`, replacing every pin; resolves to the number of pins imported. */
export async function importState (state: PinState, input: AsyncIterable<string | Uint8Array>, options?: ImportStateOptions): Promise<number> {
  const counter = { pins: 0 }
  await state.replaceAll(pinsOf(input, options?.framing, counter), { signal: options?.signal, appliedIndex: options?.appliedIndex })
  return counter.pins
}

async function * pinsOf (input: AsyncIterable<string | Uint8Array>, framing: NdjsonFraming | undefined, counter: { pins: number }): AsyncGenerator<PinJson> {
  for await (const { number, text } of ndjsonLines(input, framing)) {
    // blank lines (a trailing newline, hand edits) carry nothing
    if (text.trim() === '') continue
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (err) {
      throw new StateImportError(number, `not JSON: ${(err as Error).message}`, { cause: err })
    }
    try {
      yield parsePin(json)
    } catch (err) {
      throw new StateImportError(number, (err as Error).message, { cause: err })
    }
    counter.pins++
  }
}
