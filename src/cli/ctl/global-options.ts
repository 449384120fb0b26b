/** The options every command shares, as commander declares and parses them. */
import { InvalidArgumentError, Option } from 'commander'
import { DEFAULT_HOST, parseHost } from './host.ts'
import { ENCODINGS } from './output.ts'
import type { ApiEndpoint } from './host.ts'
import type { Encoding } from './output.ts'
import type { Command } from 'commander'

export interface GlobalOptions {
  host: ApiEndpoint
  enc: Encoding
  /** Seconds for the whole command; 0 = no limit. */
  timeout: number
  basicAuth?: string
  /** Use https whatever --host says (ipfs-cluster-ctl's --https). */
  https?: boolean
  /** false with --no-check-certificate: accept any server certificate. */
  checkCertificate: boolean
  debug?: boolean
}

export function addGlobalOptions (program: Command): void {
  program
    .addOption(new Option('-l, --host <multiaddr|url>', 'REST API endpoint: /ip4|ip6|dns4|dns6|dns/<host>/tcp/<port>[/http|/https] or http(s)://host:port')
      .argParser(hostOption)
      .default(parseHost(DEFAULT_HOST), DEFAULT_HOST))
    .addOption(new Option('--enc <encoding>', 'output format').choices(ENCODINGS).default('text'))
    .addOption(new Option('-t, --timeout <seconds>', 'give up after this many seconds (0: never)')
      .argParser(timeoutOption)
      .default(0))
    .addOption(new Option('--basic-auth <user[:password]>', 'HTTP Basic credentials sent with every request, the password asked for if left out (default: $CLUSTER_CREDENTIALS)'))
    .addOption(new Option('--https', 'use https to reach the API, whatever --host says'))
    .addOption(new Option('--no-check-certificate', 'accept any server TLS certificate (self-signed ones included)'))
    .addOption(new Option('-d, --debug', 'print requests and error details on stderr'))
}

function hostOption (value: string): ApiEndpoint {
  try {
    return parseHost(value)
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message)
  }
}

function timeoutOption (value: string): number {
  const seconds = Number(value)
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new InvalidArgumentError('expected a number of seconds, 0 or more')
  }
  return seconds
}

/** The endpoint with https as its scheme (--https). */
export function withHttps (endpoint: ApiEndpoint): ApiEndpoint {
  const url = new URL(endpoint.url)
  url.protocol = 'https:'
  return { ...endpoint, url }
}
