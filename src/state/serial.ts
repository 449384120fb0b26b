/**
 * Runs async tasks one after another. The pinset's writers (batches,
 * replacements, clear) go through one, so a replacement never races a batch
 * that would write into the generation it is about to retire.
 */
export class Serial {
  /** Settles when the last task queued settles; never rejects. */
  private tail: Promise<unknown> = Promise.resolve()

  run<T> (task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task)
    // the next task waits for this one, whatever its outcome
    this.tail = result.catch(() => {})
    return result
  }
}
