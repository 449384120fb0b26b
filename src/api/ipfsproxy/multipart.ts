/**
 * The file parts of a multipart body (`block/put`, `dag/put`), each read
 * whole, one at a time: the body is read no faster than the parts are used.
 * A part over `maxPartBytes` or a body that is not multipart is a 400.
 */
import { Busboy } from '@fastify/busboy'
import { concat } from 'uint8arrays/concat'
import { badRequest } from './kubo-error.ts'
import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'

/** Parts read ahead of the one in use. */
const READ_AHEAD = 2

export interface PartsInit {
  maxPartBytes: number
  /** The argument's name in Kubo's message when there is no part. */
  argument: string
}

export async function * fileParts (headers: IncomingHttpHeaders, body: Readable | undefined, init: PartsInit): AsyncGenerator<Uint8Array> {
  const contentType = headers['content-type']
  if (body == null || contentType == null || !/^multipart\//i.test(contentType)) {
    throw badRequest(`file argument ${JSON.stringify(init.argument)} is required`)
  }
  let parser
  try {
    parser = Busboy({ headers: { ...headers, 'content-type': contentType }, limits: { fileSize: init.maxPartBytes } })
  } catch (err) {
    throw badRequest(`cannot read the multipart body: ${(err as Error).message}`)
  }

  const queue: Array<Uint8Array | Error> = []
  let finished = false
  let wake: (() => void) | undefined
  const notify = (): void => {
    wake?.()
    wake = undefined
  }
  const push = (item: Uint8Array | Error): void => {
    queue.push(item)
    notify()
  }
  parser.on('file', (_field, stream) => {
    const chunks: Uint8Array[] = []
    stream.on('data', (chunk: Uint8Array) => { chunks.push(chunk) })
    stream.on('limit', () => { push(badRequest(`a part of the body is larger than ${init.maxPartBytes} bytes`)) })
    stream.on('end', () => { if (!stream.truncated) push(concat(chunks)) })
  })
  parser.on('finish', () => {
    finished = true
    notify()
  })
  parser.on('error', (err: Error) => { push(badRequest(`cannot read the multipart body: ${err.message}`)) })

  // the body flows while few parts wait and the parser keeps up
  let parserFull = false
  const flow = (): void => {
    if (!parserFull && queue.length <= READ_AHEAD) body.resume()
    else body.pause()
  }
  const onData = (chunk: Uint8Array): void => {
    if (!parser.write(chunk)) {
      parserFull = true
      parser.once('drain', () => {
        parserFull = false
        flow()
      })
    }
    flow()
  }
  const onEnd = (): void => { parser.end() }
  const onError = (err: Error): void => { push(badRequest(`cannot read the request body: ${err.message}`)) }
  body.on('data', onData)
  body.once('end', onEnd)
  body.once('error', onError)

  let parts = 0
  try {
    while (true) {
      const item = queue.shift()
      flow()
      if (item instanceof Error) throw item
      if (item != null) {
        parts++
        yield item
        continue
      }
      if (finished) break
      await new Promise<void>((resolve) => { wake = resolve })
    }
    if (parts === 0) throw badRequest(`file argument ${JSON.stringify(init.argument)} is required`)
  } finally {
    body.off('data', onData)
    body.off('end', onEnd)
    body.off('error', onError)
    // what is left of the body is read and dropped, so the answer can go out
    body.resume()
  }
}
