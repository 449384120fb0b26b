/**
 * A JSON request body read whatever its Content-Type, as IPFS Cluster's Go
 * handlers decode theirs (its client sends none on `POST /peers`). For routes
 * registered with `ignoresBody` (see routes/ignored-bodies.ts), whose body
 * fastify leaves unread.
 */
import { HttpError } from './errors.ts'
import type { FastifyRequest } from 'fastify'

/** fastify's default bodyLimit. */
const MAX_BODY_BYTES = 1024 * 1024

/** The parsed body: 413 above MAX_BODY_BYTES, 400 when it is not JSON (an empty body included). */
export async function readJsonBody (request: FastifyRequest): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request.raw) {
    size += (chunk as Buffer).byteLength
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body larger than ${MAX_BODY_BYTES} bytes`)
    chunks.push(chunk as Buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new HttpError(400, `the request body is not JSON: ${(err as Error).message}`)
  }
}
