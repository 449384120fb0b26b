/**
 * The pinset's own errors, each with a stable `name` (it survives the RPC
 * wire, so callers test the name, not the message).
 */

/** A snapshot stream handed to `PinState.restoreFrom` did not have the expected shape or content. */
export class StateRestoreError extends Error {
  static readonly NAME = 'StateRestoreError'
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = StateRestoreError.NAME
  }
}

/** A line of an NDJSON state import is not a valid pin; the message starts with `line <n>:`. */
export class StateImportError extends Error {
  static readonly NAME = 'StateImportError'
  /** 1-based line number in the input. */
  readonly line: number
  readonly problem: string

  constructor (line: number, problem: string, options?: ErrorOptions) {
    super(`line ${line}: ${problem}`, options)
    this.name = StateImportError.NAME
    this.line = line
    this.problem = problem
  }
}
