/**
 * REST API benchmarks (npm run bench:api), from one run:
 * - pins: `POST /pins/{cid}` with 64 HTTP clients against the raw
 *   Cluster.Pin rate of the same peer (bench/pins-api.bench.ts; goal >= 80%);
 * - add: `POST /add` of a 1 GiB file against importing the same bytes into
 *   the IPFS node directly, and the daemon's peak RSS (bench/add.bench.ts;
 *   goal < 300 MB).
 * Usage: npm run bench:api [-- --only pins,add] [--size <MiB>] [--seconds <s>] [--rounds <n>]
 */
import { benchAdd } from './add.bench.ts'
import { runPinsApiBench } from './pins-api.bench.ts'

function option (name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i > 0 ? process.argv[i + 1] : undefined
}

function positive (name: string, fallback: number): number {
  const text = option(name)
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} takes a positive number`)
  return n
}

const only = new Set((option('--only') ?? 'pins,add').split(','))
for (const part of only) if (part !== 'pins' && part !== 'add') throw new Error(`--only takes pins and/or add, not ${JSON.stringify(part)}`)

if (only.has('pins')) {
  await runPinsApiBench({ seconds: positive('--seconds', 5), rounds: positive('--rounds', 2) })
}
if (only.has('add')) {
  await benchAdd({ size: Math.round(positive('--size', 1024) * 1024 * 1024) })
}
