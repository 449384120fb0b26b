/**
 * Many seeded runs of a simulated cluster under drops, delays, duplicates,
 * reordering, partitions, crashes (losing what was not persisted), membership
 * changes, compactions and leadership transfers. Safety is checked after every
 * step, liveness once every fault is healed.
 *
 * RAFT_SEED=<n> reruns one seed; RAFT_SEEDS=<n> changes how many run.
 */
import { strict as assert } from 'node:assert'
import { runSimulation } from './sim/simulation.ts'
import type { SimStats } from './sim/simulation.ts'

const one = process.env.RAFT_SEED
const seeds = Number(process.env.RAFT_SEEDS ?? 2000)
const batch = 250

describe('raft simulation: safety under faults, liveness once healed', () => {
  if (one !== undefined) {
    it(`seed ${one}`, () => {
      console.log(runSimulation(Number(one)))
    })
    return
  }

  const all: SimStats[] = []
  for (let first = 1; first <= seeds; first += batch) {
    const last = Math.min(seeds, first + batch - 1)
    it(`seeds ${first}..${last}`, () => {
      for (let seed = first; seed <= last; seed++) all.push(runSimulation(seed))
    })
  }

  it('the runs exercised what they are meant to', function () {
    if (all.length < seeds) this.skip()
    const sum = (k: keyof SimStats): number => all.reduce((n, s) => n + s[k], 0)
    const totals = {
      runs: all.length,
      elections: sum('elections'),
      committed: sum('committed'),
      crashes: sum('crashes'),
      partitions: sum('partitions'),
      confChanges: sum('confChanges'),
      transfers: sum('transfers'),
      snapshotsSent: sum('snapshotsSent'),
      messages: sum('messages')
    }
    console.log('      totals:', JSON.stringify(totals))
    for (const [k, v] of Object.entries(totals)) assert.ok(v > all.length / 4, `too few ${k}: ${v}`)
  })
})
