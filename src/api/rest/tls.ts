/**
 * The certificate and key of `ssl_cert_file` / `ssl_key_file` (PEM, relative
 * to the config folder unless absolute), read and checked by start(): a file
 * that cannot be read, or a pair that does not fit, stops the start with a
 * message naming the key.
 */
import { readFile } from 'node:fs/promises'
import { createSecureContext } from 'node:tls'
import type { RestApiSection } from '../../config/types.ts'

export interface TlsFiles {
  cert: Buffer
  key: Buffer
}

export class TlsConfigError extends Error {
  static readonly NAME = 'TlsConfigError'
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = TlsConfigError.NAME
  }
}

/** undefined when TLS is off (both keys empty). `resolvePath` makes a config path absolute. */
export async function readTlsFiles (config: RestApiSection, resolvePath: (path: string) => string, signal?: AbortSignal): Promise<TlsFiles | undefined> {
  if (config.ssl_cert_file === '' && config.ssl_key_file === '') return undefined
  for (const name of ['ssl_cert_file', 'ssl_key_file'] as const) {
    if (config[name] === '') throw new TlsConfigError(`api.restapi.${name} is empty: TLS needs both ssl_cert_file and ssl_key_file`)
  }
  const certPath = resolvePath(config.ssl_cert_file)
  const keyPath = resolvePath(config.ssl_key_file)
  const cert = await readOne('ssl_cert_file', certPath, signal)
  const key = await readOne('ssl_key_file', keyPath, signal)
  try {
    createSecureContext({ cert, key })
  } catch (err) {
    throw new TlsConfigError(`api.restapi.ssl_cert_file and ssl_key_file (${certPath}, ${keyPath}) are not a usable PEM certificate and private key: ${(err as Error).message}`, { cause: err })
  }
  return { cert, key }
}

async function readOne (name: string, path: string, signal: AbortSignal | undefined): Promise<Buffer> {
  try {
    return await readFile(path, { signal })
  } catch (err) {
    signal?.throwIfAborted()
    throw new TlsConfigError(`cannot read api.restapi.${name} ${JSON.stringify(path)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err })
  }
}
