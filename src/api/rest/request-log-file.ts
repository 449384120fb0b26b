/**
 * Where the request log goes: appended to `http_log_file` (relative to the
 * config folder unless absolute), else to the `pincluster:restapi:http` debug
 * logger. The file is opened by start(), so a path that cannot be written
 * stops the start with a message naming the key.
 */
import { open } from 'node:fs/promises'
import { logger } from '@libp2p/logger'
import type { RequestLogSink } from './hooks/request-log.ts'
import type { Logger } from '@libp2p/logger'
import type { FileHandle } from 'node:fs/promises'
import type { WriteStream } from 'node:fs'

export class RequestLogFileError extends Error {
  static readonly NAME = 'RequestLogFileError'
  constructor (path: string, reason: string, options?: ErrorOptions) {
    super(`cannot open api.restapi.http_log_file ${JSON.stringify(path)}: ${reason}`, options)
    this.name = RequestLogFileError.NAME
  }
}

export interface RequestLog extends RequestLogSink {
  close(): Promise<void>
}

/** The debug logger when there is no file; undefined when that logger is off too (no line is made). */
export async function openRequestLog (path: string | undefined, log: Logger): Promise<RequestLog | undefined> {
  if (path == null) {
    const httpLog = logger('pincluster:restapi:http')
    if (!httpLog.enabled) return undefined
    return { write: (line) => { httpLog('%s', line) }, close: async () => {} }
  }
  let handle: FileHandle
  try {
    handle = await open(path, 'a', 0o600)
  } catch (err) {
    throw new RequestLogFileError(path, (err as NodeJS.ErrnoException).code ?? (err as Error).message, { cause: err })
  }
  return new RequestLogFile(handle, path, log)
}

class RequestLogFile implements RequestLog {
  private readonly stream: WriteStream
  private failed = false

  constructor (handle: FileHandle, path: string, log: Logger) {
    this.stream = handle.createWriteStream({ encoding: 'utf8' })
    this.stream.on('error', (err) => {
      // once: a full disk would otherwise log a line per request
      if (!this.failed) log.error('cannot write the request log %s: %s', path, err.message)
      this.failed = true
    })
  }

  write (line: string): void {
    if (!this.failed && !this.stream.destroyed) this.stream.write(line + '\n')
  }

  async close (): Promise<void> {
    if (this.stream.closed) return
    await new Promise<void>((resolve) => {
      this.stream.once('close', () => { resolve() })
      this.stream.end()
    })
  }
}
