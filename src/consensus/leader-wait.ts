/** Who leads, and a way to wait until someone does. */
import type { NodeId } from './raft/types.ts'

export class NoLeaderError extends Error {
  static readonly NAME = 'NoLeaderError'
  constructor (ms: number) {
    super(`no Raft leader after ${ms} ms`)
    this.name = NoLeaderError.NAME
  }
}

export class LeaderWait {
  current: NodeId = ''
  private waiters: Array<PromiseWithResolvers<NodeId>> = []
  private failure: Error | undefined

  found (leader: NodeId): void {
    this.current = leader
    for (const w of this.waiters.splice(0)) w.resolve(leader)
  }

  lost (): void {
    this.current = ''
  }

  fail (err: Error): void {
    this.failure = err
    for (const w of this.waiters.splice(0)) w.reject(err)
  }

  async wait (timeoutMs: number, signal?: AbortSignal): Promise<NodeId> {
    if (this.failure != null) throw this.failure
    if (this.current !== '') return this.current
    const waiter = Promise.withResolvers<NodeId>()
    this.waiters.push(waiter)
    const timer = setTimeout(() => { waiter.reject(new NoLeaderError(timeoutMs)) }, timeoutMs)
    const onAbort = (): void => { waiter.reject(signal?.reason as Error) }
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      return await waiter.promise
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      this.waiters = this.waiters.filter((w) => w !== waiter)
    }
  }
}
