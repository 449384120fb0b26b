/**
 * Starting and stopping components in order. Start goes forward and, if one
 * component fails, stops the ones already started (in reverse) before
 * rethrowing. Stop goes in reverse and never stops at the first failure: every
 * component gets its stop() and all failures come back together.
 */
import { logger } from '@libp2p/logger'
import type { Component } from '../rpc-api.ts'

const log = logger('pincluster:lifecycle')

/** A stop slower than this is logged as an error, naming the component, to show what a hung shutdown waits for. */
const SLOW_STOP_MS = 10_000

export class ComponentStopError extends AggregateError {
  static readonly NAME = 'ComponentStopError'
  constructor (errors: Error[]) {
    super(errors, `${errors.length} component(s) failed to stop: ${errors.map((e) => e.message).join('; ')}`)
    this.name = ComponentStopError.NAME
  }
}

export class ComponentStartError extends Error {
  static readonly NAME = 'ComponentStartError'
  readonly component: string
  constructor (component: string, cause: unknown) {
    super(`${component} failed to start: ${(cause as Error)?.message ?? String(cause)}`, { cause })
    this.name = ComponentStartError.NAME
    this.component = component
  }
}

export async function startInOrder (components: readonly Component[], signal?: AbortSignal): Promise<void> {
  const started: Component[] = []
  for (const component of components) {
    try {
      signal?.throwIfAborted()
      await component.start({ signal })
      started.push(component)
    } catch (err) {
      await stopInReverse(started).catch(() => {})
      throw new ComponentStartError(component.name, err)
    }
  }
}

export async function stopInReverse (components: readonly Component[], signal?: AbortSignal): Promise<void> {
  const errors: Error[] = []
  for (const component of [...components].reverse()) {
    const slow = setTimeout(() => { log.error('%s is still stopping after %d s', component.name, SLOW_STOP_MS / 1000) }, SLOW_STOP_MS)
    try {
      await component.stop({ signal })
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err))
      errors.push(new Error(`${component.name}: ${e.message}`, { cause: e }))
    } finally {
      clearTimeout(slow)
    }
  }
  if (errors.length > 0) throw new ComponentStopError(errors)
}
