/** Query parameters: read as Go's `url.Values` reads them, and refused with a 400 naming them. */
import { HttpError } from './errors.ts'
import type { FastifyRequest } from 'fastify'

/** The request's query (`get` answers the first of repeated values, as Go's `Values.Get` does). */
export function queryOf (request: FastifyRequest): URLSearchParams {
  const url = request.url
  const start = url.indexOf('?')
  return new URLSearchParams(start < 0 ? '' : url.slice(start + 1))
}

/** A 400 for one query parameter: `invalid query parameter "<name>": <problem>`. */
export function badParameter (name: string, problem: string): HttpError {
  return new HttpError(400, `invalid query parameter ${quote(name)}: ${problem}`)
}

/** A value as it appears in a message: quoted, and short. */
export function quote (text: string): string {
  const shown = JSON.stringify(text)
  return shown.length > 100 ? shown.slice(0, 96) + '..."' : shown
}
