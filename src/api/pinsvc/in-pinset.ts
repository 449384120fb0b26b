/** Whether the cluster pinset holds `cid` (Cluster.PinGet; not found is false, any other failure throws). */
import type { ClusterRpcClient } from '../../rpc-api.ts'

export async function inPinset (rpc: ClusterRpcClient, cid: string, signal: AbortSignal): Promise<boolean> {
  try {
    await rpc.call(undefined, 'Cluster', 'PinGet', cid, { signal })
    return true
  } catch (err) {
    if ((err as Error).name === 'PinNotFoundError') return false
    throw err
  }
}
