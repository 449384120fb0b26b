/**
 * Runs `fn` with a signal that aborts when `parent` does or after `ms`.
 * Unlike AbortSignal.any, nothing stays attached to `parent` afterwards: a
 * long-lived parent (a component's lifetime, the local shortcut's signal)
 * would otherwise collect one dependent signal per call.
 */
export async function withDeadline<T> (parent: AbortSignal | undefined, ms: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (parent?.aborted === true) throw parent.reason
  const controller = new AbortController()
  const timer = setTimeout(() => { controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')) }, ms)
  const onAbort = (): void => { controller.abort(parent?.reason) }
  parent?.addEventListener('abort', onAbort, { once: true })
  try {
    return await fn(controller.signal)
  } finally {
    clearTimeout(timer)
    parent?.removeEventListener('abort', onAbort)
  }
}
