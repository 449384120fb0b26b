/**
 * Failed answers in Kubo's shape (go-ipfs-cmds): `{"Message": "...", "Code":
 * <n>, "Type": "error"}`. Code 0 (the command failed) answers 500, code 1
 * (the request itself is wrong: a missing argument, a bad option value, a
 * malformed CID or path) answers 400, as go-ipfs-cmds maps them; an unknown
 * command is a 404.
 */
import type { FastifyReply } from 'fastify'

/** go-ipfs-cmds' ErrNormal and ErrClient. */
export const ERR_NORMAL = 0
export const ERR_CLIENT = 1

export interface KuboErrorJson {
  Message: string
  Code: number
  Type: 'error'
}

/** An error with the status and code to answer; handlers throw it. */
export class KuboError extends Error {
  static readonly NAME = 'KuboError'
  readonly statusCode: number
  readonly code: number
  constructor (message: string, statusCode = 500, code = statusCode === 400 ? ERR_CLIENT : ERR_NORMAL) {
    super(message)
    this.name = KuboError.NAME
    this.statusCode = statusCode
    this.code = code
  }
}

/** The request is wrong (400, code 1). */
export function badRequest (message: string): KuboError {
  return new KuboError(message, 400)
}

/**
 * Errors of RPC calls that mean the request was wrong, by name (names
 * survive the RPC wire); anything else is a failed command.
 */
const CLIENT_ERRORS = new Set([
  'AddInputError',
  'InvalidPathError',
  'PinValidationError',
  'IpfsInvalidRequestError'
])

export function statusOf (err: unknown): { status: number, code: number } {
  if (err instanceof KuboError) return { status: err.statusCode, code: err.code }
  const name = err instanceof Error ? err.name : ''
  if (CLIENT_ERRORS.has(name)) return { status: 400, code: ERR_CLIENT }
  return { status: 500, code: ERR_NORMAL }
}

export function errorJson (message: string, code: number): KuboErrorJson {
  return { Message: message, Code: code, Type: 'error' }
}

/** Answers `err`; `status` overrides the one its kind gives (a 502 for a daemon that cannot be reached). */
export function sendKuboError (reply: FastifyReply, err: unknown, status = statusOf(err).status): FastifyReply {
  const { code } = statusOf(err)
  const message = err instanceof Error && err.message !== '' ? err.message : `error ${status}`
  return reply.code(status).type('application/json').send(errorJson(message, code))
}
