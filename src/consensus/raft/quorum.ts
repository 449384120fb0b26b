/** Majority arithmetic over a set of voters. */
import type { NodeId } from './types.ts'

export function majority (voters: number): number {
  return Math.floor(voters / 2) + 1
}

/**
 * The highest index that a majority of `voters` has, given each one's match
 * index; 0 when there are no voters (nothing can be committed).
 */
export function quorumIndex (voters: readonly NodeId[], matchOf: (id: NodeId) => number): number {
  if (voters.length === 0) return 0
  const matches = voters.map(matchOf).sort((a, b) => b - a)
  return matches[majority(voters.length) - 1] ?? 0
}

export type VoteResult = 'won' | 'lost' | 'pending'

/** Tallies the granted (true) and rejected (false) votes cast by `voters`; others are not counted. */
export function voteResult (voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.length === 0) return 'pending'
  let granted = 0
  let rejected = 0
  for (const v of voters) {
    const vote = votes.get(v)
    if (vote === true) granted++
    else if (vote === false) rejected++
  }
  const need = majority(voters.length)
  if (granted >= need) return 'won'
  if (rejected > voters.length - need) return 'lost'
  return 'pending'
}
