/**
 * cluster-ctl as a function: runs one command line and returns the exit
 * code, so tests can run it in-process. Exit codes follow ipfs-cluster-ctl:
 * 0 success, 1 error, 62 timeout (--timeout, --wait-timeout), 125 cancelled.
 */
import { CommanderError } from 'commander'
import { CommandContext } from './context.ts'
import { WaitTimeoutError, isExpectedError } from './errors.ts'
import { buildProgram } from './program.ts'
import type { CtlEnvironment } from './context.ts'

export const EXIT_OK = 0
export const EXIT_ERROR = 1
export const EXIT_TIMEOUT = 62
export const EXIT_CANCELLED = 125

export type CtlIo = CtlEnvironment

/** Runs `cluster-ctl <argv...>` (argv without node and the script); resolves with the exit code. */
export async function main (argv: string[], io: Partial<CtlIo> = {}): Promise<number> {
  const environment: CtlEnvironment = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    env: io.env ?? process.env,
    cancel: io.cancel,
    waitPollInterval: io.waitPollInterval,
    // a caller that says nothing gets the process's terminal; tests say `terminal: undefined`
    terminal: 'terminal' in io ? io.terminal : { input: process.stdin, output: process.stderr }
  }
  const ctx = new CommandContext(environment)
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'user' })
    return EXIT_OK
  } catch (err) {
    return report(err, ctx)
  }
}

function report (err: unknown, ctx: CommandContext): number {
  // commander has already printed its usage error, or help/version (exit code 0)
  if (err instanceof CommanderError) return err.exitCode
  const { stderr, cancel } = ctx.environment
  const timedOutAfter = ctx.timedOutAfter
  if (timedOutAfter != null) {
    stderr.write(`An error occurred: timed out after ${timedOutAfter}s\n`)
    return EXIT_TIMEOUT
  }
  if (cancel?.aborted === true) {
    stderr.write('An error occurred: cancelled\n')
    return EXIT_CANCELLED
  }
  if (err instanceof WaitTimeoutError) {
    stderr.write(`An error occurred: ${err.message}\n`)
    return EXIT_TIMEOUT
  }
  const message = err instanceof Error ? err.message : String(err)
  const code = (err as { code?: unknown }).code
  stderr.write(`An error occurred: ${message}${typeof code === 'number' && isExpectedError(err) ? ` (code ${code})` : ''}\n`)
  if (ctx.debug && err instanceof Error && !isExpectedError(err)) stderr.write(`${err.stack}\n`)
  return EXIT_ERROR
}
