/**
 * The options of `pin add`, as ipfs-cluster-ctl names them, and the query of
 * `POST /pins/{cid}` they make (as IPFS Cluster's client writes it:
 * `PinOptions.ToQuery`). Values are checked here, before any request.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { InvalidArgumentError, Option } from 'commander'
import { parseGoDuration } from '../../config/duration.ts'
import type { PinMode } from '../../api/types.ts'
import type { Command } from 'commander'

export interface PinAddOptions {
  replication?: number
  rmin?: number
  replicationMin?: number
  rmax?: number
  replicationMax?: number
  name?: string
  mode: PinMode
  allocations?: string[]
  allocs?: string[]
  expireIn?: string
  metadata?: Record<string, string>
  /** false with --no-status. */
  status: boolean
}

const PIN_MODES: PinMode[] = ['recursive', 'direct']
/** The server refuses shorter expire-in durations, as IPFS Cluster's does. */
const MIN_EXPIRE_IN_MS = 1000

export function addPinAddOptions (command: Command): Command {
  return command
    .addOption(new Option('-r, --replication <n>', 'replication factor, min and max (overrides --rmin and --rmax; -1: every peer; 0: the cluster default)').argParser(integer))
    .addOption(new Option('--rmin <n>', 'minimum replication factor (-1: every peer; 0: the cluster default)').argParser(integer))
    .addOption(new Option('--replication-min <n>').argParser(integer).hideHelp().conflicts('rmin'))
    .addOption(new Option('--rmax <n>', 'maximum replication factor (-1: every peer; 0: the cluster default)').argParser(integer))
    .addOption(new Option('--replication-max <n>').argParser(integer).hideHelp().conflicts('rmax'))
    .addOption(new Option('-n, --name <name>', 'a name for the pin'))
    .addOption(new Option('--mode <mode>', 'recursive: the whole DAG; direct: the root block only').choices(PIN_MODES).default('recursive'))
    .addOption(new Option('--allocations <peers>', 'peer ids to allocate the pin to, comma-separated (repeatable)').argParser(peerIds))
    .addOption(new Option('--allocs <peers>').argParser(peerIds).hideHelp().conflicts('allocations'))
    .addOption(new Option('--expire-in <duration>', 'set the pin to expire this long from now (expire_at): a Go duration such as 720h or 1h30m').argParser(duration))
    .addOption(new Option('--metadata <key=value>', 'metadata to attach to the pin (repeatable)').argParser(metadataItem))
    .addOption(new Option('--no-status', 'print the pin instead of its status on every peer (one request less)'))
}

/** What `pin update` takes: the new pin copies the rest (options, allocations) from the pin it updates. */
export interface PinUpdateOptions {
  name?: string
  expireIn?: string
  metadata?: Record<string, string>
  /** false with --no-status. */
  status: boolean
}

/**
 * The options of `pin update`: those of ipfs-cluster-ctl (name, expire-in)
 * and metadata, the ones the cluster takes from a pin-update; the others come
 * from the pin it updates.
 */
export function addPinUpdateOptions (command: Command): Command {
  return command
    .addOption(new Option('-n, --name <name>', 'a name for the new pin (default: the name of the pin it updates)'))
    .addOption(new Option('--expire-in <duration>', 'set the new pin to expire this long from now: a Go duration such as 720h or 1h30m').argParser(duration))
    .addOption(new Option('--metadata <key=value>', 'metadata to add to that of the pin it updates (repeatable)').argParser(metadataItem))
    .addOption(new Option('--no-status', 'print the pin instead of its status on every peer (one request less)'))
}

/** The query of POST /pins/{to}: `pin-update=<from>` and what the options set. */
export function pinUpdateQuery (from: string, options: PinUpdateOptions): URLSearchParams {
  const query = new URLSearchParams({ 'pin-update': from })
  if (options.name != null && options.name.trim() !== '') query.set('name', options.name)
  if (options.expireIn != null) query.set('expire-in', options.expireIn)
  for (const [key, value] of Object.entries(options.metadata ?? {})) query.set(`meta-${key}`, value)
  return query
}

/** The query of POST /pins/{cid}: only what the options set, so the cluster's defaults apply to the rest. */
export function pinAddQuery (options: PinAddOptions): URLSearchParams {
  const query = new URLSearchParams()
  let min = options.rmin ?? options.replicationMin
  let max = options.rmax ?? options.replicationMax
  // as ipfs-cluster-ctl: a replication factor of 0 (the default) overrides nothing
  if (options.replication != null && options.replication !== 0) {
    min = options.replication
    max = options.replication
  }
  if (min != null) query.set('replication-min', String(min))
  if (max != null) query.set('replication-max', String(max))
  if (options.name != null && options.name.trim() !== '') query.set('name', options.name)
  if (options.mode !== 'recursive') query.set('mode', options.mode)
  const allocations = options.allocations ?? options.allocs
  if (allocations != null && allocations.length > 0) query.set('user-allocations', allocations.join(','))
  if (options.expireIn != null) query.set('expire-in', options.expireIn)
  for (const [key, value] of Object.entries(options.metadata ?? {})) query.set(`meta-${key}`, value)
  return query
}

export function integer (value: string): number {
  const n = Number(value)
  if (!/^[+-]?\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer')
  return n
}

export function peerIds (value: string, previous: string[] | undefined): string[] {
  const ids = value.split(',').map((id) => {
    try {
      return peerIdFromString(id).toString()
    } catch {
      throw new InvalidArgumentError(`${JSON.stringify(id)} is not a peer id`)
    }
  })
  return [...(previous ?? []), ...ids]
}

export function duration (value: string): string {
  let ms: number
  try {
    ms = parseGoDuration(value)
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message)
  }
  if (ms < MIN_EXPIRE_IN_MS) throw new InvalidArgumentError('must be at least 1s')
  return value
}

export function metadataItem (value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const eq = value.indexOf('=')
  if (eq <= 0) throw new InvalidArgumentError('expected key=value')
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) }
}
