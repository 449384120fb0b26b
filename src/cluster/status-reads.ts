/**
 * Status and recovery across the cluster: one peer's tracker answers for
 * itself (`*Local`), the global forms ask every peer of the consensus
 * peerset and fold the answers per CID.
 */
import { parsePin, pinKey } from '../api/pin.ts'
import { statusMatcher } from '../pintracker/status-filter.ts'
import { baseOfPin, foldAnswers, globalInfo, mergeStatusStreams } from './global-status.ts'
import type { StatusSource } from './global-status.ts'
import type { GlobalPinInfoJson, PinInfoJson, PinJson } from '../api/types.ts'
import type { ClusterRpcClient, StatusAllRequest } from '../rpc-api.ts'
import type { PeerId } from '@libp2p/interface'

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
    const sources: StatusSource[] = others.map((peer) => ({ peer: peer.toString(), compact: this.rpc.stream(peer, 'PinTracker', 'StatusAllCompact', { filter: request.filter }, { signal }) }))
    // this peer's stream is full (no codec on the local shortcut) and gives the pins' fields
    if (self != null) sources.unshift({ peer: self.toString(), items: this.rpc.stream(self, 'PinTracker', 'StatusAll', { filter: request.filter }, { signal }) })
    yield * mergeStatusStreams(sources, match('cluster_error'), async (cid) => baseOfPin(await this.pinOrCidOnly(cid, signal)))
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
