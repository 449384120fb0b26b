/** Results on stdout, in the encoding chosen with --enc. */

export type Encoding = 'text' | 'json'
export const ENCODINGS: Encoding[] = ['text', 'json']

export interface Writer {
  write: (chunk: string) => unknown
}

export class Output {
  private readonly stdout: Writer
  private readonly encoding: Encoding

  constructor (stdout: Writer, encoding: Encoding) {
    this.stdout = stdout
    this.encoding = encoding
  }

  /** Writes a command's one result: `text(value)` for text, the value pretty-printed (as ipfs-cluster-ctl does) for json. */
  print<T> (value: T, text: (value: T) => string): void {
    this.stdout.write(this.render(value, text))
  }

  /** What `print` writes, for a command that writes it elsewhere (a file). */
  render<T> (value: T, text: (value: T) => string): string {
    return this.encoding === 'json' ? JSON.stringify(value, null, 4) + '\n' : text(value)
  }

  /** Writes one item of a listing: `text(value)` for text, one compact JSON object per line (NDJSON) for json. */
  printItem<T> (value: T, text: (value: T) => string): void {
    this.stdout.write(this.encoding === 'json' ? JSON.stringify(value) + '\n' : text(value))
  }

  /** Writes text as it is. */
  write (text: string): void {
    this.stdout.write(text)
  }
}
