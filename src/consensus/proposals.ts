/**
 * Writes waiting for their log entry to commit. A proposal is acknowledged
 * only when the entry at its index commits with its term; an entry of another
 * term at that index means a new leader overwrote it, and the write failed.
 */
export class ProposalDroppedError extends Error {
  static readonly NAME = 'ProposalDroppedError'
  constructor (index: number) {
    super(`the write at log index ${index} was overwritten by a new leader before it committed`)
    this.name = ProposalDroppedError.NAME
  }
}

interface Waiter {
  term: number
  resolve: () => void
  reject: (err: Error) => void
}

export class PendingProposals {
  private readonly waiting = new Map<number, Waiter>()

  wait (index: number, term: number, signal?: AbortSignal): Promise<void> {
    const { promise, resolve, reject } = Promise.withResolvers<void>()
    const onAbort = (): void => {
      if (this.waiting.get(index)?.resolve === done) this.waiting.delete(index)
      reject(signal?.reason as Error)
    }
    const done = (): void => { signal?.removeEventListener('abort', onAbort); resolve() }
    this.waiting.get(index)?.reject(new ProposalDroppedError(index))
    this.waiting.set(index, {
      term,
      resolve: done,
      reject: (err) => { signal?.removeEventListener('abort', onAbort); reject(err) }
    })
    signal?.addEventListener('abort', onAbort, { once: true })
    return promise
  }

  /** The entry at `index` committed (and was applied) with `term`. */
  committed (index: number, term: number): void {
    const waiter = this.waiting.get(index)
    if (waiter == null) return
    this.waiting.delete(index)
    if (waiter.term === term) waiter.resolve()
    else waiter.reject(new ProposalDroppedError(index))
  }

  /** Fails every waiting write (stopping, or a snapshot replaced the log). */
  failAll (err: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(err)
    this.waiting.clear()
  }

  get size (): number {
    return this.waiting.size
  }
}
