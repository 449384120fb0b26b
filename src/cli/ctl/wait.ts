/**
 * `--wait` of `pin add` and `pin rm`: polls `GET /pins/{cid}` until every
 * peer that matters reports the target status, printing a progress line on
 * stderr each time a peer's status changes. For `pinned` the peers that
 * matter are the pin's allocations (every peer in the answer when it has
 * none: a pin everywhere); for `unpinned`, every peer in the answer. A peer
 * reporting the matching error status (pin_error, unpin_error) ends the wait
 * with a PinStatusError; other statuses, cluster_error included (a peer that
 * did not answer this time), keep it waiting. `--wait-timeout` ends it with a
 * WaitTimeoutError (exit code 62).
 */
import { setTimeout as delay } from 'node:timers/promises'
import { InvalidArgumentError, Option } from 'commander'
import { parseGoDuration } from '../../config/duration.ts'
import { PinStatusError, WaitTimeoutError } from './errors.ts'
import type { GlobalPinInfoJson, PinInfoShortJson, TrackerStatus } from '../../api/types.ts'
import type { CommandContext } from './context.ts'
import type { Command } from 'commander'

export type WaitTarget = 'pinned' | 'unpinned'

export interface WaitOptions {
  wait?: boolean
  /** The duration as given, and in ms (0: no limit). */
  waitTimeout?: { text: string, ms: number }
}

/** As ipfs-cluster-ctl: one status request a second. */
const DEFAULT_POLL_INTERVAL = 1000

const FAILED: Record<WaitTarget, TrackerStatus> = { pinned: 'pin_error', unpinned: 'unpin_error' }

export function addWaitOptions (command: Command, target: WaitTarget): Command {
  return command
    .addOption(new Option('-w, --wait', `wait until every ${target === 'pinned' ? 'allocated ' : ''}peer reports ${target}, showing progress on stderr`))
    .addOption(new Option('--wait-timeout <duration>', 'give up waiting after this long (a Go duration: 30s, 5m; 0: never), exit code 62; implies --wait')
      .argParser(waitTimeout)
      .implies({ wait: true }))
}

/** Waits for `cid` to reach `target` (see above); resolves with the last status seen. */
export async function waitForStatus (ctx: CommandContext, cid: string, target: WaitTarget, options: WaitOptions): Promise<GlobalPinInfoJson> {
  const timeout = options.waitTimeout != null && options.waitTimeout.ms > 0 ? AbortSignal.timeout(options.waitTimeout.ms) : undefined
  const signal = timeout == null ? ctx.signal : AbortSignal.any([ctx.signal, timeout])
  const interval = ctx.environment.waitPollInterval ?? DEFAULT_POLL_INTERVAL
  const progress = new Progress(ctx, target)
  try {
    while (true) {
      const info = await ctx.client.get<GlobalPinInfoJson>(`pins/${encodeURIComponent(cid)}`, { signal })
      const state = progress.update(info)
      if (state.failed != null) {
        const { label, short } = state.failed
        throw new PinStatusError(`${label} reports ${short.status.toUpperCase()} for ${cid}${short.error !== '' ? `: ${short.error}` : ''}`)
      }
      if (state.done === state.total && state.total > 0) return info
      await delay(interval, undefined, { signal })
    }
  } catch (err) {
    // --timeout and cancelling are reported as such by the caller
    if (timeout?.aborted === true && !ctx.signal.aborted && !(err instanceof PinStatusError)) {
      throw new WaitTimeoutError(`timed out after ${options.waitTimeout?.text} waiting for ${cid} to be ${target} (${progress.summary()})`)
    }
    throw err
  }
}

interface State {
  done: number
  total: number
  failed?: { label: string, short: PinInfoShortJson }
}

/** What was last printed of each peer, to print only changes. */
class Progress {
  private readonly ctx: CommandContext
  private readonly target: WaitTarget
  private readonly printed = new Map<string, string>()
  private last: State | undefined

  constructor (ctx: CommandContext, target: WaitTarget) {
    this.ctx = ctx
    this.target = target
  }

  update (info: GlobalPinInfoJson): State {
    const peers = this.target === 'pinned' && info.allocations.length > 0 ? info.allocations : Object.keys(info.peer_map)
    const state: State = { done: 0, total: peers.length }
    const changed: Array<[string, string]> = []
    for (const peer of [...peers].sort()) {
      const short = info.peer_map[peer]
      if (short == null) continue
      const label = short.peername !== '' ? short.peername : peer
      if (short.status === this.target) state.done++
      if (short.status === FAILED[this.target]) state.failed ??= { label, short }
      const line = `${label} : ${short.status.toUpperCase()}${short.error !== '' ? `: ${short.error}` : ''}`
      if (this.printed.get(peer) !== line) {
        this.printed.set(peer, line)
        changed.push([peer, line])
      }
    }
    this.last = state
    for (const [, line] of changed) this.ctx.environment.stderr.write(`${line} (${this.summary()})\n`)
    return state
  }

  summary (): string {
    return this.last == null ? 'no status received yet' : `${this.last.done}/${this.last.total} ${this.target}`
  }
}

export function waitTimeout (value: string): { text: string, ms: number } {
  let ms: number
  try {
    ms = parseGoDuration(value)
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message)
  }
  if (ms < 0) throw new InvalidArgumentError('must not be negative')
  return { text: value, ms: Math.ceil(ms) }
}
