/**
 * RepoGC on the embedded node: Helia's gc reports each removed block through
 * progress events; they are streamed to the caller as they come (a queue
 * between the callback and the generator), not collected first.
 */
import type { EmbeddedHelia } from './node.ts'
import type { GcEvents } from '@helia/interface'

export interface GcItem {
  key: string
  error: string
}

export async function * collectGarbage (helia: EmbeddedHelia, signal: AbortSignal): AsyncGenerator<GcItem> {
  const queue: GcItem[] = []
  let wake: (() => void) | undefined
  let done = false
  let failure: Error | undefined
  const notify = (): void => {
    wake?.()
    wake = undefined
  }
  const onProgress = (event: GcEvents): void => {
    if (event.type === 'helia:gc:deleted') queue.push({ key: event.detail.toString(), error: '' })
    else queue.push({ key: '', error: event.detail.message })
    notify()
  }
  const running = helia.gc({ signal, onProgress })
    .catch((err: Error) => { failure = err })
    .finally(() => { done = true; notify() })
  try {
    while (true) {
      const item = queue.shift()
      if (item != null) {
        yield item
        continue
      }
      if (done) break
      await new Promise<void>((resolve) => { wake = resolve })
    }
    if (failure != null) throw failure
  } finally {
    // a consumer that stops early does not leave gc running unseen
    await running
  }
}
