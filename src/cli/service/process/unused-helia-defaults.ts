/**
 * Stands in for the Helia modules the daemon never loads (lean-imports.ts):
 * the same exports, failing loudly if anything ever calls them.
 */
class NotLoadedError extends Error {
  static readonly NAME = 'NotLoadedError'
  constructor (name: string) {
    super(`${name} is not loaded in cluster-service (see src/cli/service/process/lean-imports.ts)`)
    this.name = NotLoadedError.NAME
  }
}

export function libp2pDefaults (): never {
  throw new NotLoadedError('@helia/libp2p libp2pDefaults()')
}

export function withHTTP (): never {
  throw new NotLoadedError('helia withHTTP()')
}
