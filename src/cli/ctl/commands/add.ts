/**
 * `cluster-ctl add <path...>`: uploads files and folders to `POST /add`
 * (streamed from disk as a multipart body), printing `added <cid> <name>`
 * per file and folder as the cluster imports them, as ipfs-cluster-ctl does.
 * A progress bar is drawn on stderr when it is a terminal. With --wait, it
 * then waits until every allocated peer has pinned the root(s).
 */
import { Readable } from 'node:stream'
import { InvalidArgumentError, Option } from 'commander'
import { parseChunker } from '../../../adder/params.ts'
import { duration, integer, metadataItem, peerIds, pinAddQuery } from '../pin-options.ts'
import { waitForStatus, waitTimeout } from '../wait.ts'
import { checkPaths, multipartBody, newBoundary, walk } from './add-files.ts'
import { ProgressBar, isTerminal } from './add-progress.ts'
import { withQuery } from './pin.ts'
import type { AddOutput, AddedOutput } from '../../../adder/types.ts'
import type { CommandContext } from '../context.ts'
import type { PinAddOptions } from '../pin-options.ts'
import type { WaitOptions } from '../wait.ts'
import type { Command } from 'commander'

interface AddOptions extends WaitOptions, Omit<PinAddOptions, 'mode' | 'status'> {
  recursive?: boolean
  quiet?: boolean
  quieter?: boolean
  pin: boolean
  wrapWithDirectory?: boolean
  hidden?: boolean
  layout?: string
  chunker?: string
  rawLeaves?: boolean
  cidVersion?: string
  hash?: string
  format?: string
  local?: boolean
  nocopy?: boolean
  streamChannels: boolean
}

export function addAddCommand (program: Command, ctx: CommandContext): void {
  program
    .command('add')
    .description('add files or folders to the cluster: the peer imports them, sends their blocks to the peers the pin is allocated to, and pins the root')
    .argument('<path...>', 'files or folders to add')
    .addOption(new Option('-r, --recursive', 'add folders and everything in them'))
    .addOption(new Option('-q, --quiet', 'print only the CIDs'))
    .addOption(new Option('--quieter', 'print only the root CID'))
    .addOption(new Option('-n, --name <name>', 'a name for the pin (default: the name of the file or folder)'))
    .addOption(new Option('--replication <n>', 'replication factor, min and max (overrides --rmin and --rmax; -1: every peer; 0: the cluster default)').argParser(integer))
    .addOption(new Option('--rmin <n>', 'minimum replication factor').argParser(integer))
    .addOption(new Option('--rmax <n>', 'maximum replication factor').argParser(integer))
    .addOption(new Option('--expire-in <duration>', 'set the pin to expire this long from now: a Go duration such as 720h').argParser(duration))
    .addOption(new Option('--metadata <key=value>', 'metadata to attach to the pin (repeatable)').argParser(metadataItem))
    .addOption(new Option('--allocations <peers>', 'peer ids to allocate the pin to, comma-separated (repeatable)').argParser(peerIds))
    .addOption(new Option('--no-pin', 'add the blocks but do not pin them'))
    .addOption(new Option('--wait', 'wait until every allocated peer reports the root pinned, showing progress on stderr'))
    .addOption(new Option('--wait-timeout <duration>', 'give up waiting after this long (a Go duration; 0: never), exit code 62; implies --wait')
      .argParser(waitTimeout).implies({ wait: true }))
    .addOption(new Option('-w, --wrap-with-directory', 'wrap everything added in a folder (its CID is the root)'))
    .addOption(new Option('--hidden', 'include files and folders whose name starts with "." inside folders'))
    .addOption(new Option('--layout <layout>', 'DAG layout').choices(['balanced', 'trickle']))
    .addOption(new Option('--chunker <chunker>', 'size-<bytes>, rabin, rabin-<avg> or rabin-<min>-<avg>-<max> (default size-262144)').argParser(chunker))
    .addOption(new Option('--raw-leaves', 'leaves are raw blocks, not UnixFS nodes (the default with --cid-version 1)'))
    .addOption(new Option('--cid-version <version>', 'CID version of the DAG (1 implies --raw-leaves)').choices(['0', '1']))
    .addOption(new Option('--hash <name>', 'hash function of the blocks: sha2-256 (default) or sha2-512 (implies CIDv1)'))
    .addOption(new Option('--format <format>', 'unixfs: import the files; car: the file is a CAR whose blocks are added as they are').choices(['unixfs', 'car']))
    .addOption(new Option('--local', 'send the blocks to the contacted peer only (the others fetch them when they pin)'))
    .addOption(new Option('--nocopy', 'not supported: there is no filestore'))
    .addOption(new Option('--stream-channels <bool>', 'false: the peer answers once everything is added, not file by file').argParser(boolean).default(true))
    .action(async (paths: string[], options: AddOptions, command: Command) => {
      if (options.nocopy === true) command.error('error: --nocopy is not supported: the cluster has no filestore to reference files from')
      if (options.pin === false && options.wait === true) command.error('error: --wait needs the content pinned: drop --no-pin')
      if (options.format === 'car' && (paths.length !== 1 || options.recursive === true)) command.error('error: --format car takes one CAR file')
      const walkOptions = { recursive: options.recursive === true, hidden: options.hidden === true }
      try {
        await checkPaths(paths, walkOptions)
      } catch (err) {
        command.error(`error: ${(err as Error).message}`)
      }
      const json = command.optsWithGlobals<{ enc?: string }>().enc === 'json'
      await add(ctx, paths, options, walkOptions, json)
    })
}

async function add (ctx: CommandContext, paths: string[], options: AddOptions, walkOptions: { recursive: boolean, hidden: boolean }, json: boolean): Promise<void> {
  const { stderr } = ctx.environment
  let bar: ProgressBar | undefined
  if (isTerminal(stderr) && options.quieter !== true) {
    let total = 0
    for await (const entry of walk(paths, walkOptions)) total += entry.size
    bar = new ProgressBar(stderr, total)
  }
  const boundary = newBoundary()
  const body = Readable.from(multipartBody(walk(paths, walkOptions), boundary, (n) => { bar?.add(n) }), { objectMode: false })
  const roots: AddedOutput[] = []
  let last: AddedOutput | undefined
  try {
    const outputs = ctx.client.stream<AddOutput | AddOutput[]>(withQuery('add', addQuery(options)), {
      method: 'POST',
      signal: ctx.signal,
      body: { contentType: `multipart/form-data; boundary=${boundary}`, stream: body }
    })
    for await (const item of outputs) {
      // stream-channels=false: one JSON array
      for (const output of Array.isArray(item) ? item : [item]) {
        if (!('cid' in output)) continue
        last = output
        const topLevel = options.wrapWithDirectory === true ? output.name === '' : !output.name.includes('/')
        if (topLevel) roots.push(output)
        if (options.quieter === true && !json) continue
        bar?.clear()
        ctx.output.printItem(output, (o) => options.quiet === true ? `${o.cid}\n` : `added ${o.cid} ${o.name}\n`)
        bar?.redraw()
      }
    }
  } finally {
    bar?.clear()
    body.destroy()
  }
  if (options.quieter === true && !json && last != null) ctx.output.write(`${last.cid}\n`)
  if (options.wait === true) {
    for (const root of roots) await waitForStatus(ctx, root.cid, 'pinned', options)
  }
}

/** The query of POST /add: only what the options set, so the cluster's defaults apply to the rest. */
export function addQuery (options: AddOptions): URLSearchParams {
  const query = pinAddQuery({ ...options, mode: 'recursive', status: true })
  const flags: Array<[string, boolean | undefined]> = [
    ['local', options.local], ['wrap-with-directory', options.wrapWithDirectory], ['hidden', options.hidden],
    ['recursive', options.recursive], ['raw-leaves', options.rawLeaves]
  ]
  for (const [name, value] of flags) if (value === true) query.set(name, 'true')
  if (!options.pin) query.set('no-pin', 'true')
  const values: Array<[string, string | undefined]> = [
    ['layout', options.layout], ['chunker', options.chunker], ['cid-version', options.cidVersion],
    ['hash', options.hash], ['format', options.format]
  ]
  for (const [name, value] of values) if (value != null) query.set(name, value)
  if (!options.streamChannels) query.set('stream-channels', 'false')
  return query
}

function chunker (value: string): string {
  try {
    parseChunker(value)
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message.replace(/^invalid query parameter "chunker": /, ''))
  }
  return value
}

function boolean (value: string): boolean {
  if (['true', '1', 't'].includes(value.toLowerCase())) return true
  if (['false', '0', 'f'].includes(value.toLowerCase())) return false
  throw new InvalidArgumentError('expected true or false')
}
