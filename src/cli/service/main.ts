/**
 * `cluster-service`: initialise a peer's configuration and run the peer.
 * Expected errors (bad config, unreachable bootstrap peer) print one line and
 * exit non-zero; no stack traces.
 */
import { enable } from '@libp2p/logger'
import { Command, CommanderError } from 'commander'
import { configFolder, initConfig } from '../../config/index.ts'
import { VERSION } from '../../version.ts'
import { IPFS_CONNECTOR_TYPES, chooseIpfsConnector, isIpfsConnectorType } from './ipfs-choice.ts'
import { runDaemon } from './daemon.ts'
import { cleanupCommand, exportCommand, importCommand } from './state.ts'

const LOG_LEVELS: Record<string, string> = {
  error: 'pincluster:*:error',
  info: 'pincluster:*,-pincluster:*:trace',
  debug: 'pincluster:*,libp2p:*,-*:trace'
}

function buildProgram (setExit: (code: number) => void): Command {
  const program = new Command('cluster-service')
    .description('Runs an IPFS pinning cluster peer')
    .option('-c, --config <folder>', 'configuration folder (default: $IPFS_CLUSTER_PATH or ~/.ipfs-cluster)')
    .option('-l, --loglevel <level>', 'error, info or debug', 'error')
    .version(VERSION, '-v, --version')
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({ outputError: (str, write) => { write(str) } })
    .hook('preAction', (cmd) => {
      const level = String(cmd.opts().loglevel)
      const namespaces = LOG_LEVELS[level]
      if (namespaces == null) throw new UsageError(`--loglevel must be one of ${Object.keys(LOG_LEVELS).join(', ')}`)
      enable(namespaces)
    })

  const folder = (): string => configFolder(program.opts().config as string | undefined)

  program.command('init')
    .description('write a new service.json and identity.json to the configuration folder')
    .option('-f, --force', 'overwrite existing configuration files')
    .option('--custom-secret <hex>', 'use this 64-character hex cluster secret instead of a random one')
    .option('--randomports', 'choose free ports for the cluster, the REST API and the embedded IPFS node')
    .option('--peername <name>', 'this peer\'s name')
    .option('--ipfs <type>', 'IPFS connector: kubo or embedded (default: kubo when an IPFS API answers at ipfshttp.node_multiaddress, else embedded)')
    .action(async (opts: { force?: boolean, customSecret?: string, randomports?: boolean, peername?: string, ipfs?: string }) => {
      if (opts.ipfs !== undefined && !isIpfsConnectorType(opts.ipfs)) {
        throw new UsageError(`--ipfs must be one of ${IPFS_CONNECTOR_TYPES.join(', ')}`)
      }
      const ipfs = await chooseIpfsConnector(opts.ipfs)
      const made = await initConfig(folder(), {
        force: opts.force === true,
        secret: opts.customSecret,
        randomPorts: opts.randomports === true,
        peername: opts.peername,
        ipfsConnector: ipfs.type
      })
      console.log(`configuration written to ${made.servicePath} and ${made.identityPath}`)
      console.log(`peer id: ${made.peerId}`)
      console.log(`IPFS connector: ${ipfs.type} (${ipfs.reason})`)
    })

  program.command('daemon')
    .description('run the cluster peer until SIGINT or SIGTERM')
    .option('-j, --bootstrap <multiaddr...>', 'peers to connect to at start (with /p2p/<id>)', [])
    .option('--leave', 'leave the cluster on shutdown (sets leave_on_shutdown)')
    .option('--init-if-missing', 'initialise the configuration folder first when it holds no service.json')
    .action(async (opts: { bootstrap: string[], leave?: boolean, initIfMissing?: boolean }) => {
      setExit(await runDaemon({ folder: folder(), bootstrap: opts.bootstrap, leave: opts.leave === true, initIfMissing: opts.initIfMissing === true }))
    })

  const state = program.command('state').description('offline operations on this peer\'s pinset (stop the daemon first)')
  state.command('export')
    .description('write the pinset as NDJSON, one Pin per line')
    .option('-f, --file <path>', 'write to this file instead of stdout')
    .action(async (opts: { file?: string }) => { await exportCommand(folder(), opts.file) })
  state.command('import <file>')
    .description('replace the pinset with an NDJSON export (do it on every peer, with the same file)')
    .action(async (file: string) => { await importCommand(folder(), file) })
  state.command('cleanup')
    .description('remove the pinset and the Raft log: the peer starts afresh')
    .option('-f, --force', 'do not ask for confirmation')
    .action(async (opts: { force?: boolean }) => { await cleanupCommand(folder(), opts.force === true) })

  program.command('version')
    .description('print the version')
    .action(() => { console.log(VERSION) })

  return program
}

class UsageError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export async function main (argv: string[]): Promise<number> {
  let code = 0
  const program = buildProgram((c) => { code = c })
  try {
    await program.parseAsync(argv, { from: 'user' })
    return code
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2
    console.error(`error: ${(err as Error).message}`)
    return 1
  }
}
