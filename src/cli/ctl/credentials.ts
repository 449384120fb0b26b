/**
 * The credentials of --basic-auth (or $CLUSTER_CREDENTIALS) as an
 * Authorization header. `user:password` is used as given; a bare `user` gets
 * its password from a prompt that does not echo when there is a terminal,
 * and is refused otherwise, rather than sending an empty password that no
 * peer accepts.
 */
import { read } from 'read'
import { CredentialsError } from './errors.ts'

/** Where a password prompt reads and writes: the process's stdin and stderr. */
export interface PromptTerminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean }
  output: NodeJS.WritableStream
}

/** The Authorization header for `user[:password]`; undefined for no credentials. */
export async function basicAuthorization (credentials: string | undefined, terminal: PromptTerminal | undefined): Promise<string | undefined> {
  if (credentials == null || credentials === '') return undefined
  const colon = credentials.indexOf(':')
  const pair = colon >= 0 ? credentials : `${credentials}:${await askPassword(credentials, terminal)}`
  return 'Basic ' + Buffer.from(pair, 'utf8').toString('base64')
}

async function askPassword (user: string, terminal: PromptTerminal | undefined): Promise<string> {
  if (terminal?.input.isTTY !== true) {
    throw new CredentialsError(`no password for user ${JSON.stringify(user)} and no terminal to ask for it: give --basic-auth ${user}:<password> or CLUSTER_CREDENTIALS=${user}:<password>`)
  }
  try {
    return await read({ prompt: `Password for ${user}: `, silent: true, replace: '', input: terminal.input, output: terminal.output })
  } catch (err) {
    throw new CredentialsError(`no password read: ${(err as Error).message}`)
  }
}
