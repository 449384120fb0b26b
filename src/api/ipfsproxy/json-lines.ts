/** The JSON values of an NDJSON body (a Kubo daemon's streamed answer), one by one as they arrive. */
import type { Readable } from 'node:stream'

export async function * jsonLines (body: Readable): AsyncGenerator<unknown> {
  const decoder = new TextDecoder()
  let buffered = ''
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true })
    let newline = buffered.indexOf('\n')
    while (newline !== -1) {
      const text = buffered.slice(0, newline).trim()
      buffered = buffered.slice(newline + 1)
      if (text !== '') yield JSON.parse(text)
      newline = buffered.indexOf('\n')
    }
  }
  const last = (buffered + decoder.decode()).trim()
  if (last !== '') yield JSON.parse(last)
}
