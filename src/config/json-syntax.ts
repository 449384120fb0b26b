/**
 * Parses JSON text with errors that say where the problem is without quoting
 * the text: V8's "Unexpected token" messages include an excerpt of the input,
 * which could hold the cluster secret or a password.
 */

export interface JsonSyntaxProblem {
  description: string
  /** Unknown only if JSON.parse refused what the scanner below accepts. */
  line?: number
  column?: number
}

/** JSON.parse, or a problem with its line and column. */
export function parseJsonText (text: string): { value: unknown } | { problem: JsonSyntaxProblem } {
  try {
    return { value: JSON.parse(text) }
  } catch (err) {
    return { problem: locateJsonError(text) ?? { description: sanitizeV8Message(err) } }
  }
}

export function formatJsonProblem (problem: JsonSyntaxProblem): string {
  const where = problem.line === undefined ? '' : ` at line ${problem.line} column ${problem.column ?? 1}`
  return `is not valid JSON: ${problem.description}${where}`
}

/** Only reached if the scanner below accepts what JSON.parse refused. */
function sanitizeV8Message (err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  // V8 quotes the input between double quotes: keep what comes before
  return (message.split('"')[0] ?? '').replace(/[,\s.]*$/, '')
}

function showChar (ch: string): string {
  return /^[\x21-\x7e]$/.test(ch) ? `'${ch}'` : `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
}

class Failure {
  readonly description: string
  readonly at: number
  constructor (description: string, at: number) {
    this.description = description
    this.at = at
  }
}

/** Finds the first syntax error in `text` (RFC 8259), or undefined if there is none. */
export function locateJsonError (text: string): JsonSyntaxProblem | undefined {
  let i = 0

  const fail = (description: string, at = i): never => { throw new Failure(description, at) }
  const unexpected = (what: string): never => i >= text.length
    ? fail(`unexpected end of input, expected ${what}`)
    : fail(`unexpected character ${showChar(text[i] ?? '')}, expected ${what}`)
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] ?? '')) i++
  }

  const string = (): void => {
    const start = i
    i++ // opening quote
    for (;;) {
      if (i >= text.length) fail('unterminated string', start)
      const ch = text[i] ?? ''
      if (ch === '"') { i++; return }
      if (ch < ' ') fail(`control character ${showChar(ch)} in a string (escape it)`)
      if (ch === '\\') {
        const escape = text[i + 1] ?? ''
        if ('"\\/bfnrt'.includes(escape) && escape !== '') i += 2
        else if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6
        else fail('bad escape sequence in a string')
      } else {
        i++
      }
    }
  }

  const number = (): void => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i))
    if (match === null) unexpected('a value')
    i += match?.[0].length ?? 0
  }

  const value = (): void => {
    skipSpace()
    const ch = text[i] ?? ''
    if (ch === '{') object()
    else if (ch === '[') array()
    else if (ch === '"') string()
    else if (ch === '-' || (ch >= '0' && ch <= '9')) number()
    else {
      const literal = ['true', 'false', 'null'].find(l => text.startsWith(l, i))
      if (literal === undefined) unexpected('a value')
      i += literal?.length ?? 0
    }
    skipSpace()
  }

  const object = (): void => {
    i++
    skipSpace()
    if (text[i] === '}') { i++; return }
    for (;;) {
      skipSpace()
      if (text[i] !== '"') unexpected('a double-quoted property name')
      string()
      skipSpace()
      if (text[i] !== ':') unexpected("':' after a property name")
      i++
      value()
      if (text[i] === '}') { i++; return }
      if (text[i] !== ',') unexpected("',' or '}' after a property value")
      i++
    }
  }

  const array = (): void => {
    i++
    skipSpace()
    if (text[i] === ']') { i++; return }
    for (;;) {
      value()
      if (text[i] === ']') { i++; return }
      if (text[i] !== ',') unexpected("',' or ']' after an array element")
      i++
    }
  }

  try {
    value()
    if (i < text.length) unexpected('the end of the input')
    return undefined
  } catch (err) {
    if (!(err instanceof Failure)) throw err
    const before = text.slice(0, err.at).split(/\r\n|\r|\n/)
    return { description: err.description, line: before.length, column: (before.at(-1)?.length ?? 0) + 1 }
  }
}
