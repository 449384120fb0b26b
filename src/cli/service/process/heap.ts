/**
 * Keeps the daemon's V8 heap close to what it really holds.
 *
 * A daemon allocates steadily (RPC frames, blocks, HTTP bodies, statuses of
 * a listing) and V8, left alone, answers with room: it doubles the young
 * generation up to 64 MiB per semi-space and keeps it, and lets the old
 * generation grow to several times its live size before collecting it.
 * Two flags, both read by V8 at every collection, so they can be set here
 * rather than on Node's command line:
 *
 * - `--semi-space-growth-factor=1`: the young generation stays at its
 *   starting size (about 1 MiB per semi-space). -60 MB of RSS idle, and
 *   `POST /add` got faster (a young generation that fits the CPU caches).
 * - `--heap-growing-percent=50`: the old generation is collected once it
 *   is 1.5 times what the last collection kept. The peer merging a
 *   1,000,000-pin `GET /pins` peaked at 307 MB instead of 418 MB, at the
 *   same speed; the add at 249 MB instead of 290 MB.
 *
 * Figures: docs/benchmarks.md. An operator who sizes the heap with Node's
 * own flags (NODE_OPTIONS or the command line) keeps their choice for that
 * part.
 */
import { setFlagsFromString } from 'node:v8'

/** [our flag, the operator flags that size the same thing]. */
const SETTINGS: ReadonlyArray<[string, RegExp]> = [
  ['--semi-space-growth-factor=1', /--(max-semi-space-size|min-semi-space-size|semi-space-growth-factor)\b/],
  ['--heap-growing-percent=50', /--heap-growing-percent\b/]
]

export function keepHeapSmall (): void {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? '']
  for (const [flag, operator] of SETTINGS) {
    if (!given.some((arg) => operator.test(arg))) setFlagsFromString(flag)
  }
}
