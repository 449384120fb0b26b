/**
 * The few Kubo RPC requests kubo-rpc-client cannot make as needed: `pin/add`
 * with `progress=true` (its reader expects CIDs only and chokes on
 * `{"Progress": n}` lines) and `repo/stat?size-only=true` (its reader turns
 * the missing NumObjects into BigInt(undefined)). Plain fetch, NDJSON read
 * line by line as it arrives.
 */
import { IpfsRequestError } from '../errors.ts'

async function errorMessage (response: Response): Promise<string> {
  const text = await response.text().catch(() => '')
  try {
    const body = JSON.parse(text) as { Message?: unknown }
    if (typeof body.Message === 'string') return body.Message
  } catch {
    // not JSON: the text itself
  }
  return text.trim() === '' ? `HTTP ${response.status} ${response.statusText}` : text.trim()
}

/** POSTs `<api>/<path>?<params>`; a non-2xx answer is an IpfsRequestError with the daemon's message. */
export async function kuboPost (api: URL, path: string, params: Array<[string, string]>, signal: AbortSignal): Promise<Response> {
  const url = new URL(`${api.pathname.replace(/\/$/, '')}/${path}`, api)
  for (const [name, value] of params) url.searchParams.append(name, value)
  const response = await fetch(url, { method: 'POST', signal })
  if (!response.ok) throw new IpfsRequestError(await errorMessage(response))
  return response
}

/** The answer's NDJSON objects, one by one as they arrive; a stream error (X-Stream-Error trailer) is thrown at the end. */
export async function * ndjson (response: Response, signal: AbortSignal): AsyncGenerator<unknown> {
  if (response.body == null) return
  const decoder = new TextDecoder()
  let buffered = ''
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    signal.throwIfAborted()
    buffered += decoder.decode(chunk, { stream: true })
    let newline = buffered.indexOf('\n')
    while (newline !== -1) {
      const line = buffered.slice(0, newline).trim()
      buffered = buffered.slice(newline + 1)
      if (line !== '') yield JSON.parse(line)
      newline = buffered.indexOf('\n')
    }
  }
  const last = (buffered + decoder.decode()).trim()
  if (last !== '') yield JSON.parse(last)
}

/** Reads a line of a streamed Kubo answer that reports an error in band (`{"Message": ..., "Type": "error"}`). */
export function inBandError (item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null) return undefined
  const { Type, Message } = item as { Type?: unknown, Message?: unknown }
  return Type === 'error' && typeof Message === 'string' ? Message : undefined
}
