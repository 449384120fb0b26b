/**
 * Command arguments and options of the Kubo RPC API: arguments are the
 * repeated `arg` query parameter, options are query parameters by name (or
 * alias), read as go-ipfs-cmds reads them. A value that cannot be read is a
 * 400 naming the option.
 */
import { badRequest } from './kubo-error.ts'
import type { FastifyRequest } from 'fastify'

/** Arguments given in the path (`/api/v0/pin/add/<cid>`), an old form IPFS Cluster's proxy accepts too. */
const pathArgs = new WeakMap<FastifyRequest, string>()

export function setPathArg (request: FastifyRequest, arg: string): void {
  pathArgs.set(request, arg)
}

/** The request's query, repeated parameters kept; an argument given in the path comes first. */
export function queryOf (request: FastifyRequest): URLSearchParams {
  const url = request.url
  const start = url.indexOf('?')
  const query = new URLSearchParams(start < 0 ? '' : url.slice(start + 1))
  const pathArg = pathArgs.get(request)
  if (pathArg == null) return query
  const args = query.getAll('arg')
  query.delete('arg')
  for (const arg of [pathArg, ...args]) query.append('arg', arg)
  return query
}

/** Every `arg`; a 400 (as go-ipfs-cmds answers) when fewer than `min` are given. */
export function argsOf (query: URLSearchParams, name: string, min = 1): string[] {
  const args = query.getAll('arg')
  if (args.length < min) throw badRequest(`argument ${JSON.stringify(name)} is required`)
  return args
}

/** The first value of an option, under its name or one of its aliases; undefined when absent. */
export function optionOf (query: URLSearchParams, names: string[]): string | undefined {
  for (const name of names) {
    const value = query.get(name)
    if (value != null) return value
  }
  return undefined
}

// Go's strconv.ParseBool; an option given without a value (`?recursive`) is set
const TRUE = new Set(['', '1', 't', 'T', 'TRUE', 'true', 'True'])
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False'])

export function boolOption (query: URLSearchParams, names: string[], fallback: boolean): boolean {
  const value = optionOf(query, names)
  if (value === undefined) return fallback
  if (TRUE.has(value)) return true
  if (FALSE.has(value)) return false
  throw badRequest(`could not convert value ${quote(value)} to type "bool" (for option "-${names[0] ?? ''}")`)
}

export function intOption (query: URLSearchParams, names: string[], fallback: number): number {
  const value = optionOf(query, names)
  if (value === undefined || value === '') return fallback
  const n = Number(value)
  if (!/^[+-]?\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw badRequest(`could not convert value ${quote(value)} to type "int" (for option "-${names[0] ?? ''}")`)
  }
  return n
}

export function stringOption (query: URLSearchParams, names: string[], fallback: string): string {
  const value = optionOf(query, names)
  return value === undefined || value === '' ? fallback : value
}

/** A value as it appears in a message: quoted, and short. */
export function quote (text: string): string {
  const shown = JSON.stringify(text)
  return shown.length > 100 ? shown.slice(0, 96) + '..."' : shown
}
