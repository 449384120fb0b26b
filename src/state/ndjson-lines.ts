/**
 * Splits NDJSON input into numbered lines without holding more than one line
 * in memory. Input comes either as chunks (a file read stream: Buffers cut
 * anywhere, even inside a UTF-8 sequence) or as lines already split (readline
 * output, without their newline). Lines are cut on the bytes before decoding,
 * so invalid UTF-8 is reported on the exact line that holds it.
 */
import { concat } from 'uint8arrays/concat'
import { StateImportError } from './errors.ts'

export type NdjsonFraming = 'chunks' | 'lines'

export interface NumberedLine {
  /** 1-based. */
  number: number
  /** Without its line ending. */
  text: string
}

/** A line this long is a broken file, not a pin: refuse it before it fills the memory. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024

const NEWLINE = 0x0a
const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

export async function * ndjsonLines (input: AsyncIterable<string | Uint8Array>, framing: NdjsonFraming = 'chunks'): AsyncGenerator<NumberedLine> {
  let number = 1
  if (framing === 'lines') {
    for await (const item of input) {
      yield { number, text: stripLineEnding(typeof item === 'string' ? item : decodeLine(item, number)) }
      number++
    }
    return
  }

  // the start of a line whose end has not arrived yet
  let partial: Uint8Array[] = []
  let partialBytes = 0
  for await (const item of input) {
    const chunk = typeof item === 'string' ? encoder.encode(item) : item
    let start = 0
    for (let end = chunk.indexOf(NEWLINE); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
      const tail = chunk.subarray(start, end)
      const line = partial.length === 0 ? tail : concat([...partial, tail], partialBytes + tail.length)
      partial = []
      partialBytes = 0
      yield { number, text: stripLineEnding(decodeLine(line, number)) }
      number++
      start = end + 1
    }
    if (start < chunk.length) {
      // copied: the producer may reuse its buffer once it has handed it over
      partial.push(chunk.slice(start))
      partialBytes += chunk.length - start
      if (partialBytes > MAX_LINE_BYTES) throw new StateImportError(number, `longer than ${MAX_LINE_BYTES} bytes`)
    }
  }
  // a last line without a final newline
  if (partialBytes > 0) yield { number, text: stripLineEnding(decodeLine(concat(partial, partialBytes), number)) }
}

function decodeLine (bytes: Uint8Array, line: number): string {
  try {
    return decoder.decode(bytes)
  } catch (err) {
    throw new StateImportError(line, 'not valid UTF-8', { cause: err })
  }
}

function stripLineEnding (text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2)
  if (text.endsWith('\n') || text.endsWith('\r')) return text.slice(0, -1)
  return text
}
