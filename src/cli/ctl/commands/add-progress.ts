/**
 * The progress bar of `cluster-ctl add` on stderr: drawn only when stderr is
 * a terminal, redrawn at most 10 times a second, cleared before anything is
 * printed and at the end.
 */
import { humanBytes } from '../format/humanize.ts'
import type { Writer } from '../output.ts'

const WIDTH = 30
const REDRAW_MS = 100

export class ProgressBar {
  private readonly stderr: Writer
  private readonly total: number
  private sent = 0
  private lastDraw = 0
  private shown = false

  constructor (stderr: Writer, total: number) {
    this.stderr = stderr
    this.total = total
  }

  add (bytes: number): void {
    this.sent += bytes
    const now = Date.now()
    if (now - this.lastDraw < REDRAW_MS && this.sent < this.total) return
    this.lastDraw = now
    this.draw()
  }

  /** Removes the bar (before a line is printed, and at the end). */
  clear (): void {
    if (!this.shown) return
    this.stderr.write('\r\x1b[K')
    this.shown = false
  }

  /** Draws it again after a line was printed. */
  redraw (): void {
    if (this.sent > 0 && this.sent < this.total) this.draw()
  }

  private draw (): void {
    const ratio = this.total > 0 ? Math.min(1, this.sent / this.total) : 1
    const filled = Math.round(ratio * WIDTH)
    const bar = '#'.repeat(filled) + '.'.repeat(WIDTH - filled)
    this.stderr.write(`\r\x1b[K[${bar}] ${humanBytes(this.sent)} / ${humanBytes(this.total)} (${Math.floor(ratio * 100)}%)`)
    this.shown = true
  }
}

/** Whether a writer is a terminal (process.stderr when not redirected). */
export function isTerminal (writer: Writer): boolean {
  return (writer as { isTTY?: unknown }).isTTY === true
}
