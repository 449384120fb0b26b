/** `cluster-service daemon`: runs a peer until SIGINT or SIGTERM, then shuts down cleanly. */
import { Cluster } from '../../cluster/cluster.ts'
import type { ShutdownRequestEvent } from '../../cluster/cluster.ts'
import { initConfig, loadConfig } from '../../config/index.ts'
import { chooseIpfsConnector } from './ipfs-choice.ts'
import { access } from 'node:fs/promises'
import { join } from 'node:path'

export interface DaemonOptions {
  folder: string
  bootstrap: string[]
  leave: boolean
  initIfMissing: boolean
}

export async function runDaemon (opts: DaemonOptions): Promise<number> {
  if (opts.initIfMissing && !await exists(join(opts.folder, 'service.json'))) {
    const ipfs = await chooseIpfsConnector(undefined)
    const made = await initConfig(opts.folder, { ipfsConnector: ipfs.type })
    console.log(`initialized a new peer ${made.peerId} in ${opts.folder}`)
    console.log(`IPFS connector: ${ipfs.type} (${ipfs.reason})`)
  }
  const { service, identity } = await loadConfig(opts.folder)
  if (opts.leave) service.cluster.leave_on_shutdown = true
  const cluster = new Cluster({ config: service, folder: opts.folder, privateKey: identity.privateKey, bootstrap: opts.bootstrap })

  const { promise: stopRequested, resolve: requestStop } = Promise.withResolvers<string>()
  const onSignal = (signal: string): void => { requestStop(signal) }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  cluster.addEventListener('shutdown-request', (evt) => { requestStop((evt as ShutdownRequestEvent).reason) })

  await cluster.start()
  console.log(`cluster peer ${identity.id} is ready`)
  for (const url of cluster.restApiUrls) console.log(`REST API listening on ${url}`)
  for (const url of cluster.ipfsProxyUrls) console.log(`IPFS proxy listening on ${url}`)
  for (const url of cluster.pinSvcApiUrls) console.log(`Pinning Service API listening on ${url}`)
  for (const ma of cluster.libp2p.getMultiaddrs()) console.log(`cluster swarm listening on ${ma.toString()}`)

  const signal = await stopRequested
  console.log(`${signal}: shutting down`)
  try {
    await cluster.stop()
  } catch (err) {
    console.error(`error while shutting down: ${(err as Error).message}`)
    return 1
  }
  console.log('shutdown complete')
  return 0
}

async function exists (path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}
