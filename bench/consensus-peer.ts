/**
 * A consensus benchmark peer in its own process: a full cluster peer from the
 * config folder given as argv[2]. Commands arrive as JSON lines on stdin:
 *   {"cmd":"load","writers":64,"seconds":5}  -> pins through Cluster.Pin here
 *   {"cmd":"leader"}                          -> this peer's view of the leader
 * Each answer is one JSON line on stdout. The first line is {"ready": id}.
 */
import { createInterface } from 'node:readline'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import * as raw from 'multiformats/codecs/raw'
import { Cluster } from '../src/cluster/cluster.ts'
import { loadConfig } from '../src/config/index.ts'

const folder = process.argv[2] ?? ''
const { service, identity } = await loadConfig(folder)
const cluster = new Cluster({ config: service, folder, privateKey: identity.privateKey })
await cluster.start()
console.log(JSON.stringify({ ready: identity.id }))

let sequence = 0
async function nextCid (): Promise<string> {
  const bytes = new TextEncoder().encode(`${identity.id}-${sequence++}-${Math.random()}`)
  return CID.create(1, raw.code, await sha256.digest(bytes)).toString()
}

async function load (writers: number, seconds: number): Promise<object> {
  const latencies: number[] = []
  const deadline = performance.now() + seconds * 1000
  const start = performance.now()
  await Promise.all(Array.from({ length: writers }, async () => {
    while (performance.now() < deadline) {
      const cid = await nextCid()
      const t0 = performance.now()
      await cluster.rpc.call(undefined, 'Cluster', 'Pin', { cid, options: {} })
      latencies.push(performance.now() - t0)
    }
  }))
  const elapsed = (performance.now() - start) / 1000
  latencies.sort((a, b) => a - b)
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
  return { pins: latencies.length, perSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99) }
}

for await (const line of createInterface({ input: process.stdin })) {
  const msg = JSON.parse(line) as { cmd: string, writers?: number, seconds?: number }
  if (msg.cmd === 'load') console.log(JSON.stringify(await load(msg.writers ?? 1, msg.seconds ?? 5)))
  else if (msg.cmd === 'leader') console.log(JSON.stringify({ leader: await cluster.rpc.call(undefined, 'Consensus', 'Leader', undefined) }))
}
await cluster.stop()
process.exit(0)
