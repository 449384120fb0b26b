/**
 * The kinds of values service.json holds: how each is read from the file's
 * JSON, written back, and read from an environment variable's text. Readers
 * throw ValueProblem naming the expected type; they never quote the value of
 * a secret kind.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { fromString } from 'uint8arrays/from-string'
import { toString } from 'uint8arrays/to-string'
import { formatGoDuration, parseGoDuration } from './duration.ts'
import { ValueProblem } from './errors.ts'
import { formatJsonProblem, parseJsonText } from './json-syntax.ts'
import type { BasicAuthCredentials } from './types.ts'

export interface Kind<T> {
  /** Reads the value of the key in the file. */
  read: (json: unknown) => T
  /** The JSON written to the file. */
  write: (value: T) => unknown
  /** Turns an environment variable's text into what `read` takes. */
  fromEnv: (text: string) => unknown
  /** Whether `null` is a value of this kind; otherwise null means "use the default". */
  nullable?: boolean
  /** Whether "" means "use the default" (Go durations, as IPFS Cluster treats them). */
  emptyIsDefault?: boolean
}

export const SECRET_BYTES = 32

/** "a string", "an array" ... for "expected X, got Y". */
export function describeJson (json: unknown): string {
  if (json === null) return 'null'
  if (Array.isArray(json)) return 'an array'
  if (typeof json === 'object') return 'an object'
  if (typeof json === 'number') return Number.isInteger(json) ? 'an integer' : 'a number'
  return `a ${typeof json}`
}

function expected (what: string, json: unknown): ValueProblem {
  return new ValueProblem(`expected ${what}, got ${describeJson(json)}`)
}

function envJson (text: string): unknown {
  const parsed = parseJsonText(text)
  if ('problem' in parsed) throw new ValueProblem(formatJsonProblem(parsed.problem))
  return parsed.value
}

/** A JSON array, or a comma-separated list as Go's envconfig reads slices. */
function envList (text: string): unknown {
  return text.trimStart().startsWith('[') ? envJson(text) : text.split(',').map(item => item.trim())
}

function readStringArray (json: unknown, what: string): string[] {
  if (!Array.isArray(json)) throw expected(what, json)
  return json.map((item: unknown, index) => {
    if (typeof item !== 'string') throw new ValueProblem(`item ${index}: expected a string, got ${describeJson(item)}`)
    return item
  })
}

export const stringKind: Kind<string> = {
  read: json => {
    if (typeof json !== 'string') throw expected('a string', json)
    return json
  },
  write: value => value,
  fromEnv: text => text
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True'])
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False'])

export const booleanKind: Kind<boolean> = {
  read: json => {
    if (typeof json !== 'boolean') throw expected('a boolean (true or false)', json)
    return json
  },
  write: value => value,
  // the spellings Go's strconv.ParseBool accepts, as IPFS Cluster reads them
  fromEnv: text => {
    if (TRUE.has(text)) return true
    if (FALSE.has(text)) return false
    throw new ValueProblem('expected true or false')
  }
}

export const integerKind: Kind<number> = {
  read: json => {
    if (typeof json !== 'number' || !Number.isSafeInteger(json)) throw expected('an integer', json)
    return json
  },
  write: value => value,
  fromEnv: text => {
    if (!/^[+-]?\d+$/.test(text.trim())) throw new ValueProblem('expected an integer')
    return Number(text)
  }
}

export const durationKind: Kind<number> = {
  read: json => {
    if (typeof json !== 'string') throw expected('a duration string such as "5m0s"', json)
    return parseGoDuration(json)
  },
  write: value => formatGoDuration(value),
  fromEnv: text => text,
  emptyIsDefault: true
}

export function parseMultiaddr (text: string): string {
  let parsed
  try {
    parsed = multiaddr(text)
  } catch (err) {
    throw new ValueProblem(`${JSON.stringify(text)} is not a valid multiaddr: ${(err as Error).message}`)
  }
  if (parsed.getComponents().length === 0) throw new ValueProblem(`${JSON.stringify(text)} is not a valid multiaddr: it is empty`)
  return parsed.toString()
}

/** One multiaddr or an array of them, as IPFS Cluster accepts for listen addresses. */
export const multiaddrsKind: Kind<string[]> = {
  read: json => {
    const list = typeof json === 'string' ? [json] : readStringArray(json, 'a multiaddr string or an array of them')
    return list.map((text, index) => {
      try {
        return parseMultiaddr(text)
      } catch (err) {
        throw list.length > 1 ? new ValueProblem(`item ${index}: ${(err as Error).message}`) : err
      }
    })
  },
  write: value => [...value],
  fromEnv: envList
}

/** Multiaddrs ending in /p2p/<peer id>. */
export const peerMultiaddrsKind: Kind<string[]> = {
  read: json => readStringArray(json, 'an array of multiaddrs').map((text, index) => {
    try {
      const parsed = parseMultiaddr(text)
      if (multiaddr(parsed).getComponents().at(-1)?.name !== 'p2p') throw new ValueProblem(`${JSON.stringify(text)} does not end with /p2p/<peer id>`)
      return parsed
    } catch (err) {
      throw new ValueProblem(`item ${index}: ${(err as Error).message}`)
    }
  }),
  write: value => [...value],
  fromEnv: envList
}

export const stringListKind: Kind<string[]> = {
  read: json => readStringArray(json, 'an array of strings'),
  write: value => [...value],
  fromEnv: envList
}

export const secretKind: Kind<Uint8Array> = {
  read: json => {
    if (typeof json !== 'string') throw expected(`a string of ${SECRET_BYTES * 2} hexadecimal characters`, json)
    if (!/^[0-9a-fA-F]*$/.test(json) || json.length !== SECRET_BYTES * 2) {
      throw new ValueProblem(`must be ${SECRET_BYTES * 2} hexadecimal characters (${SECRET_BYTES} bytes)`)
    }
    return fromString(json.toLowerCase(), 'base16')
  },
  write: value => toString(value, 'base16'),
  fromEnv: text => text
}

/** Parses hex text as a cluster secret; throws ValueProblem. */
export function parseSecret (hex: string): Uint8Array {
  return secretKind.read(hex)
}

/** null (no authentication) or user -> password. Passwords are never quoted in errors. */
export const credentialsKind: Kind<BasicAuthCredentials | null> = {
  read: json => {
    if (json === null) return null
    if (typeof json !== 'object' || Array.isArray(json)) throw expected('null or an object of user names to passwords', json)
    const credentials: BasicAuthCredentials = {}
    for (const [user, password] of Object.entries(json)) {
      if (typeof password !== 'string') throw new ValueProblem(`the password of user ${JSON.stringify(user)} must be a string, got ${describeJson(password)}`)
      credentials[user] = password
    }
    return credentials
  },
  write: value => value === null ? null : { ...value },
  // JSON, or envconfig's "user:password,user2:password2"
  fromEnv: text => {
    const trimmed = text.trim()
    if (trimmed.startsWith('{') || trimmed === 'null') return envJson(text)
    const credentials: BasicAuthCredentials = {}
    for (const pair of text.split(',')) {
      const colon = pair.indexOf(':')
      if (colon <= 0) throw new ValueProblem('expected a JSON object or user:password pairs separated by commas')
      credentials[pair.slice(0, colon)] = pair.slice(colon + 1)
    }
    return credentials
  },
  nullable: true
}

export const headersKind: Kind<Record<string, string[]>> = {
  read: json => {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw expected('an object of header names to arrays of strings', json)
    const headers: Record<string, string[]> = {}
    for (const [name, values] of Object.entries(json)) {
      try {
        headers[name] = readStringArray(values, 'an array of strings')
      } catch (err) {
        throw new ValueProblem(`header ${JSON.stringify(name)}: ${(err as Error).message}`)
      }
    }
    return headers
  },
  write: value => Object.fromEntries(Object.entries(value).map(([name, values]) => [name, [...values]])),
  fromEnv: envJson
}

/** A single multiaddr (e.g. the IPFS node's API address). */
export const multiaddrKind: Kind<string> = {
  read: json => {
    if (typeof json !== 'string') throw expected('a multiaddr string', json)
    return parseMultiaddr(json)
  },
  write: value => value,
  fromEnv: text => text
}

/** An object of string values (informer tags). */
export const stringMapKind: Kind<Record<string, string>> = {
  read: json => {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw expected('an object of strings', json)
    const map: Record<string, string> = {}
    for (const [name, value] of Object.entries(json)) {
      if (typeof value !== 'string') throw new ValueProblem(`${JSON.stringify(name)}: expected a string, got ${describeJson(value)}`)
      map[name] = value
    }
    return map
  },
  write: value => ({ ...value }),
  fromEnv: envJson
}

/** One of a fixed set of strings. */
export function enumKind<T extends string> (...values: T[]): Kind<T> {
  return {
    read: json => {
      if (typeof json !== 'string') throw expected('a string', json)
      if (!(values as string[]).includes(json)) throw new ValueProblem(`${JSON.stringify(json)} is not one of ${values.map((v) => JSON.stringify(v)).join(', ')}`)
      return json as T
    },
    write: value => value,
    fromEnv: text => text
  }
}
