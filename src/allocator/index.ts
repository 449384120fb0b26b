export { BalancedAllocator } from './balanced.ts'
export type { BalancedAllocatorInit } from './balanced.ts'
export { orderPeers } from './partition.ts'
export type { PeerMetricMap } from './partition.ts'
