/**
 * Status and recovery across the cluster: one peer's tracker answers for
 * itself (`*Local`), the global forms ask every peer of the consensus
 * peerset and fold the answers per CID.
 */
import { parsePin, pinKey } from '../api/pin.ts'
import { logger } from '@libp2p/logger'
import { PINSET_STATUSES } from '../api/tracker-status.ts'
import { statusMatcher } from '../pintracker/status-filter.ts'
import { baseOfPin, foldAnswers, globalInfo, mergeStatusStreams } from './global-status.ts'
import { PinsetsDivergedError, mergeStatusRanges } from './range-merge.ts'
import type { PinBase, StatusSource } from './global-status.ts'
import type { GlobalPinInfoJson, PinInfoJson, PinJson } from '../api/types.ts'
import type { ClusterRpcClient, CompactPinStatus, PinKeyRange, StatusAllRequest } from '../rpc-api.ts'
import type { PeerId } from '@libp2p/interface'

const log = logger('pincluster:cluster:status')

export interface StatusReadsInit {
  rpc: ClusterRpcClient
  /** The consensus peerset, this peer first. */
  peers: (signal: AbortSignal) => Promise<PeerId[]>
}

export class StatusReads {
  private readonly rpc: ClusterRpcClient
  private readonly peers: (signal: AbortSignal) => Promise<PeerId[]>

  constructor (init: StatusReadsInit) {
    this.rpc = init.rpc
    this.peers = init.peers
  }

  async status (cid: string, signal: AbortSignal): Promise<GlobalPinInfoJson> {
    const key = pinKey(cid)
    const answers = await this.rpc.multiCall(await this.peers(signal), 'PinTracker', 'Status', key, { signal })
    return foldAnswers(answers.map((a) => ({ ...a, peer: a.peer.toString() })), () => globalInfo(baseOfPin(parsePin({ cid: key }))))
  }

  async recover (cid: string, signal: AbortSignal): Promise<GlobalPinInfoJson> {
    const key = pinKey(cid)
    const answers = await this.rpc.multiCall(await this.peers(signal), 'PinTracker', 'Recover', key, { signal })
    return foldAnswers(answers.map((a) => ({ ...a, peer: a.peer.toString() })), () => globalInfo(baseOfPin(parsePin({ cid: key }))))
  }

  async * statusAll (request: StatusAllRequest, signal: AbortSignal): AsyncGenerator<GlobalPinInfoJson> {
    const match = statusMatcher(request.filter)
    if (request.cids != null) {
      for (const cid of request.cids) {
        const global = await this.status(cid, signal)
        for (const [peer, info] of Object.entries(global.peer_map)) if (!match(info.status)) Reflect.deleteProperty(global.peer_map, peer)
        if (Object.keys(global.peer_map).length > 0) yield global
      }
      return
    }
    const [self, ...others] = await this.peers(signal)
    if (self == null) return
    const baseOf = async (cid: string): Promise<PinBase> => baseOfPin(await this.pinOrCidOnly(cid, signal))
    let rest: PinKeyRange | undefined
    if (PINSET_STATUSES.some(match)) {
      // a scan of the pinset on every peer: merged by ranges, a byte per pin from each other peer
      const byName = new Map(others.map((peer) => [peer.toString(), peer]))
      const relist = (peer: string, range: PinKeyRange): AsyncIterable<CompactPinStatus> =>
        this.rpc.stream(byName.get(peer) ?? self, 'PinTracker', 'StatusAllCompact', { filter: [], range }, { signal })
      try {
        yield * mergeStatusRanges(
          this.rpc.stream(self, 'PinTracker', 'StatusAll', { filter: [] }, { signal }),
          others.map((peer) => ({ peer: peer.toString(), ranges: this.rpc.stream(peer, 'PinTracker', 'StatusRanges', undefined, { signal }) })),
          { match, relist, baseOf })
        return
      } catch (err) {
        if (!(err instanceof PinsetsDivergedError)) throw err
        log('pinsets differ too much for ranges: listing the rest item by item')
        rest = err.after !== undefined ? { after: err.after } : {}
      }
    }
    const ranged = rest !== undefined ? { range: rest } : {}
    const sources: StatusSource[] = others.map((peer) => ({ peer: peer.toString(), compact: this.rpc.stream(peer, 'PinTracker', 'StatusAllCompact', { filter: request.filter, ...ranged }, { signal }) }))
    // this peer's stream is full (no codec on the local shortcut) and gives the pins' fields
    sources.unshift({ peer: self.toString(), items: this.rpc.stream(self, 'PinTracker', 'StatusAll', { filter: request.filter, ...ranged }, { signal }) })
    yield * mergeStatusStreams(sources, match('cluster_error'), baseOf)
  }

  /** A pin only other peers listed (they list what matches the filter): its fields from this peer's state. */
  private async pinOrCidOnly (cid: string, signal: AbortSignal): Promise<PinJson> {
    try {
      return await this.rpc.call(undefined, 'Consensus', 'PinGet', cid, { signal })
    } catch (err) {
      if (signal.aborted || (err as Error).name !== 'PinNotFoundError') throw err
      return parsePin({ cid })
    }
  }

  async * recoverAll (signal: AbortSignal): AsyncGenerator<GlobalPinInfoJson> {
    const peers = await this.peers(signal)
    const streams = peers.map((peer) => ({ peer: peer.toString(), items: this.rpc.stream(peer, 'PinTracker', 'RecoverAll', undefined, { signal }) }))
    yield * mergeStatusStreams(streams, false)
  }

  async statusLocal (cid: string, signal: AbortSignal): Promise<PinInfoJson> {
    return this.rpc.call(undefined, 'PinTracker', 'Status', cid, { signal })
  }

  statusAllLocal (request: StatusAllRequest, signal: AbortSignal): AsyncIterable<PinInfoJson> {
    return this.rpc.stream(undefined, 'PinTracker', 'StatusAll', request, { signal })
  }

  async recoverLocal (cid: string, signal: AbortSignal): Promise<PinInfoJson> {
    return this.rpc.call(undefined, 'PinTracker', 'Recover', cid, { signal })
  }

  recoverAllLocal (signal: AbortSignal): AsyncIterable<PinInfoJson> {
    return this.rpc.stream(undefined, 'PinTracker', 'RecoverAll', undefined, { signal })
  }
}
