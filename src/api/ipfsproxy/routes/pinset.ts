/** Reads of the cluster pinset for the pin commands. */
import type { PinJson } from '../../types.ts'
import type { ClusterRpcClient } from '../../../rpc-api.ts'

export async function pinOf (rpc: ClusterRpcClient, cid: string, signal: AbortSignal): Promise<PinJson | undefined> {
  try {
    return await rpc.call(undefined, 'Cluster', 'PinGet', cid, { signal })
  } catch (err) {
    if ((err as Error).name === 'PinNotFoundError') return undefined
    throw err
  }
}

/** The pin, once this peer has applied everything committed so far (a pin just made through another peer is found). */
export async function syncedPin (rpc: ClusterRpcClient, cid: string, signal: AbortSignal): Promise<PinJson | undefined> {
  const pin = await pinOf(rpc, cid, signal)
  if (pin != null) return pin
  await rpc.call(undefined, 'Consensus', 'WaitForSync', undefined, { signal })
  return pinOf(rpc, cid, signal)
}
