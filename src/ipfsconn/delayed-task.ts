/**
 * A task run once after a delay (ConnectSwarms `connect_swarms_delay` after
 * start), owned by a component: `cancel()` clears the timer, aborts the task
 * if it is running and waits for it to end.
 */
export class DelayedTask {
  private timer?: ReturnType<typeof setTimeout>
  private controller?: AbortController
  private running?: Promise<void>

  schedule (delayMs: number, task: (signal: AbortSignal) => Promise<void>, onError: (err: Error) => void): void {
    if (this.timer != null || this.running != null) throw new Error('the task is already scheduled')
    const controller = new AbortController()
    this.controller = controller
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.running = task(controller.signal)
        .catch((err: Error) => { if (!controller.signal.aborted) onError(err) })
        .finally(() => { this.running = undefined })
    }, delayMs)
    // the daemon does not stay up for this timer alone
    this.timer.unref?.()
  }

  async cancel (): Promise<void> {
    if (this.timer != null) clearTimeout(this.timer)
    this.timer = undefined
    this.controller?.abort(new Error('stopping'))
    this.controller = undefined
    await this.running
  }
}
