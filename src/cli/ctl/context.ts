/**
 * What commands run with: the API client, the output and the signal that
 * ends the command (--timeout, or the user cancelling). Set up from the
 * global options right before a command's action runs.
 */
import { ClusterClient } from './client.ts'
import { basicAuthorization } from './credentials.ts'
import { withHttps } from './global-options.ts'
import { Output } from './output.ts'
import type { PromptTerminal } from './credentials.ts'
import type { GlobalOptions } from './global-options.ts'
import type { Writer } from './output.ts'

export interface CtlEnvironment {
  stdout: Writer
  stderr: Writer
  env: Record<string, string | undefined>
  /** Aborts when the user cancels (SIGINT). */
  cancel?: AbortSignal
  /** Milliseconds between status polls of `--wait` (default 1000, as ipfs-cluster-ctl); tests shorten it. */
  waitPollInterval?: number
  /** Where to ask for a password --basic-auth left out; undefined: nowhere (it is an error). */
  terminal?: PromptTerminal
}

interface Configured {
  client: ClusterClient
  output: Output
  signal: AbortSignal
  timeout?: AbortSignal
  timeoutSeconds: number
}

export class CommandContext {
  readonly environment: CtlEnvironment
  /** Set by --debug. */
  debug = false
  private configured: Configured | undefined

  constructor (environment: CtlEnvironment) {
    this.environment = environment
  }

  async configure (options: GlobalOptions): Promise<void> {
    this.debug = options.debug === true
    const credentials = options.basicAuth ?? this.environment.env.CLUSTER_CREDENTIALS
    const authorization = await basicAuthorization(credentials, this.environment.terminal)
    const timeout = options.timeout > 0 ? AbortSignal.timeout(options.timeout * 1000) : undefined
    const signals = [this.environment.cancel, timeout].filter((s): s is AbortSignal => s != null)
    this.configured = {
      client: new ClusterClient({
        endpoint: options.https === true ? withHttps(options.host) : options.host,
        authorization,
        rejectUnauthorized: options.checkCertificate,
        debug: this.debug ? (line) => { this.environment.stderr.write(`debug: ${line}\n`) } : undefined
      }),
      output: new Output(this.environment.stdout, options.enc),
      signal: AbortSignal.any(signals),
      timeout,
      timeoutSeconds: options.timeout
    }
  }

  get client (): ClusterClient {
    return this.ready().client
  }

  get output (): Output {
    return this.ready().output
  }

  /** Pass to every request: aborts on --timeout or cancellation. */
  get signal (): AbortSignal {
    return this.ready().signal
  }

  /** Seconds of --timeout if it expired, else undefined. */
  get timedOutAfter (): number | undefined {
    return this.configured?.timeout?.aborted === true ? this.configured.timeoutSeconds : undefined
  }

  private ready (): Configured {
    if (this.configured == null) throw new Error('the command context is used before the global options were read')
    return this.configured
  }
}
