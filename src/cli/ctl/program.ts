/**
 * The cluster-ctl command line: global options, then one module per command
 * group, each adding its commands here.
 */
import { Command } from 'commander'
import { VERSION } from '../../version.ts'
import { addAddCommand } from './commands/add.ts'
import { addHealthCommands } from './commands/health.ts'
import { addIdCommand } from './commands/id.ts'
import { addIpfsCommands } from './commands/ipfs.ts'
import { addPeersCommands } from './commands/peers.ts'
import { addPinCommands } from './commands/pin.ts'
import { addStatusCommands } from './commands/status.ts'
import { addVersionCommand } from './commands/version.ts'
import { addGlobalOptions } from './global-options.ts'
import type { CommandContext } from './context.ts'
import type { GlobalOptions } from './global-options.ts'

const COMMAND_GROUPS = [
  addIdCommand,
  addPeersCommands,
  addPinCommands,
  addAddCommand,
  addStatusCommands,
  addVersionCommand,
  addHealthCommands,
  addIpfsCommands
]

export function buildProgram (ctx: CommandContext): Command {
  const { stdout, stderr } = ctx.environment
  const program = new Command('cluster-ctl')
    .description('Manage a pinning cluster through the REST API of one of its peers (IPFS Cluster compatible).')
    .version(VERSION, '-v, --version', 'print the cluster-ctl version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    // throw instead of exiting, and write where we are told: main() decides the exit code
    .exitOverride()
    .configureOutput({
      writeOut: (text) => { stdout.write(text) },
      writeErr: (text) => { stderr.write(text) },
      // every error in one line: commander puts its suggestion ("(Did you mean pin?)") on a line of its own
      outputError: (text, write) => { write(text.trim().split('\n').map((l) => l.trim()).join(' ') + '\n') }
    })
    .showSuggestionAfterError()
  addGlobalOptions(program)
  program.hook('preAction', async (_program, command) => {
    await ctx.configure(command.optsWithGlobals<GlobalOptions>())
  })
  // subcommands added after this point inherit exitOverride and configureOutput
  for (const addGroup of COMMAND_GROUPS) addGroup(program, ctx)
  return program
}
