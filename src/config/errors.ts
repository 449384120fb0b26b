/**
 * Every configuration failure is a `ConfigError` whose message names where the
 * value came from (a file or an environment variable), the key and the
 * problem. Messages never quote secret values (the cluster secret, passwords,
 * private keys).
 */

export interface ConfigErrorInit {
  /** Where the value came from: a file path or `environment variable NAME`. */
  source: string
  /** Dotted key, e.g. `cluster.listen_multiaddress`; '' for the whole file. */
  key?: string
  problem: string
  cause?: unknown
}

export class ConfigError extends Error {
  static readonly NAME = 'ConfigError'
  readonly source: string
  readonly key: string
  readonly problem: string

  constructor (init: ConfigErrorInit) {
    const key = init.key ?? ''
    super(key === '' ? `${init.source}: ${init.problem}` : `${init.source}: ${key}: ${init.problem}`, { cause: init.cause })
    this.name = ConfigError.NAME
    this.source = init.source
    this.key = key
    this.problem = init.problem
  }
}

/**
 * Thrown by value readers, which know the problem but not the key or the
 * source; the caller turns it into a ConfigError.
 */
export class ValueProblem extends Error {
  constructor (problem: string) {
    super(problem)
    this.name = 'ValueProblem'
  }
}
