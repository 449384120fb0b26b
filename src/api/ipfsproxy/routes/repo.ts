/**
 * `repo/stat`: the IPFS repos of every cluster peer, summed (a peer that
 * does not answer is left out and logged). `repo/gc`: garbage collection on
 * every peer's IPFS node through the cluster, answered as Kubo streams it:
 * `{"Key": {"/": <cid>}}` lines, errors as `{"Error": ...}` lines with
 * `stream-errors=true`, otherwise in the X-Stream-Error trailer.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { boolOption, queryOf } from '../args.ts'
import { line, sendStream } from '../answers.ts'
import { command } from './context.ts'
import type { GlobalRepoGCJson } from '../../types.ts'
import type { ProxyContext } from './context.ts'
import type { FastifyInstance } from 'fastify'

interface RepoStatJson {
  RepoSize: number
  StorageMax: number
  NumObjects: number
  RepoPath: string
  Version: string
}

export function registerRepo (app: FastifyInstance, ctx: ProxyContext): void {
  const { rpc, log } = ctx

  command(app, ctx, 'repo/stat', async (_request, _reply, signal): Promise<RepoStatJson> => {
    const peers = (await rpc.call(undefined, 'Consensus', 'Peers', undefined, { signal })).map((p) => peerIdFromString(p))
    const total: RepoStatJson = { RepoSize: 0, StorageMax: 0, NumObjects: 0, RepoPath: '', Version: '' }
    for (const answer of await rpc.multiCall(peers, 'IPFSConnector', 'RepoStat', undefined, { signal })) {
      if (answer.error != null) {
        log.error('repo/stat: peer %p did not answer: %s', answer.peer, answer.error.message)
        continue
      }
      total.RepoSize += answer.value.repo_size
      total.StorageMax += answer.value.storage_max
    }
    return total
  })

  command(app, ctx, 'repo/gc', async (request, reply, signal) => {
    const streamErrors = boolOption(queryOf(request), ['stream-errors'], false)
    const gc = await rpc.call(undefined, 'Cluster', 'RepoGC', undefined, { signal })
    return sendStream(reply, gcLines(gc, streamErrors), { contentType: 'application/json', kind: 'chunked', signal, log })
  })
}

async function * gcLines (gc: GlobalRepoGCJson, streamErrors: boolean): AsyncGenerator<string> {
  const errors: string[] = []
  for (const [peer, result] of Object.entries(gc.peer_map)) {
    if (result.error !== '') errors.push(`${peer}: ${result.error}`)
    for (const key of result.keys) {
      if (key.error !== '') errors.push(key.error)
      if (key.key !== '') yield line({ Key: { '/': key.key } })
    }
  }
  if (errors.length === 0) return
  if (!streamErrors) throw new Error(errors.join('; '))
  for (const error of errors) yield line({ Error: error })
}
