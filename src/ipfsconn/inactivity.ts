/**
 * A deadline that moves: `fn` runs with a signal that aborts when `parent`
 * does, or when `progress()` was not called for `idleMs`. This is how a pin
 * fails "when no new block arrived for pin_timeout" instead of after a fixed
 * total time. Nothing stays attached to `parent` afterwards.
 */
export class InactivityTimeout extends Error {
  static readonly NAME = 'InactivityTimeout'
  constructor (idleMs: number) {
    super(`no progress for ${idleMs} ms`)
    this.name = InactivityTimeout.NAME
  }
}

export async function withInactivityTimeout<T> (
  parent: AbortSignal | undefined,
  idleMs: number,
  fn: (signal: AbortSignal, progress: () => void) => Promise<T>
): Promise<T> {
  parent?.throwIfAborted()
  const controller = new AbortController()
  const expire = (): void => { controller.abort(new InactivityTimeout(idleMs)) }
  let timer = setTimeout(expire, idleMs)
  const progress = (): void => {
    if (controller.signal.aborted) return
    clearTimeout(timer)
    timer = setTimeout(expire, idleMs)
  }
  const onAbort = (): void => { controller.abort(parent?.reason) }
  parent?.addEventListener('abort', onAbort, { once: true })
  try {
    return await fn(controller.signal, progress)
  } catch (err) {
    // whatever the aborted operation threw, report why it was aborted
    if (controller.signal.aborted) throw controller.signal.reason
    throw err
  } finally {
    clearTimeout(timer)
    parent?.removeEventListener('abort', onAbort)
  }
}
