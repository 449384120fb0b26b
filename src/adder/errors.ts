/** Errors of the adder that are the client's fault. */

/**
 * The upload or its parameters cannot be used: a bad parameter value, a
 * malformed multipart body, no file, a bad CAR. `statusCode` is what an HTTP
 * API answers with it.
 */
export class AddInputError extends Error {
  static readonly NAME = 'AddInputError'
  readonly statusCode = 400

  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = AddInputError.NAME
  }
}

/** A 400 for one query parameter, worded as the REST API words its own. */
export function badAddParameter (name: string, problem: string): AddInputError {
  return new AddInputError(`invalid query parameter ${JSON.stringify(name)}: ${problem}`)
}
