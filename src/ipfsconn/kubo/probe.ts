/**
 * Whether an IPFS (Kubo RPC) API answers at a multiaddr: one POST /api/v0/id
 * with a short timeout. `cluster-service init` uses it to choose between the
 * kubo and the embedded connector.
 */
import { kuboApiUrl } from './api-url.ts'

export async function ipfsApiAnswers (address: string, options: { timeoutMs?: number, signal?: AbortSignal } = {}): Promise<boolean> {
  let api: URL
  try {
    api = kuboApiUrl(address)
  } catch {
    return false
  }
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 2000)
  const signal = options.signal == null ? timeout : AbortSignal.any([options.signal, timeout])
  try {
    const response = await fetch(new URL(`${api.pathname}/id`, api), { method: 'POST', signal })
    if (!response.ok) {
      await response.body?.cancel()
      return false
    }
    const body = await response.json() as { ID?: unknown }
    return typeof body.ID === 'string' && body.ID !== ''
  } catch {
    options.signal?.throwIfAborted()
    return false
  }
}
