/**
 * Go duration strings, as IPFS Cluster writes them in service.json ("5m0s",
 * "15s", "1h2m3.5s", "500ms"), to and from milliseconds. Parsing follows Go's
 * time.ParseDuration and formatting Go's Duration.String, so files written
 * by either program read the same in both.
 */
import { ValueProblem } from './errors.ts'

const NS_PER_MS = 1_000_000n
const NS_PER_S = 1_000_000_000n
/** Go durations are int64 nanoseconds. */
const MAX_NS = (1n << 63n) - 1n

const UNITS = new Map<string, bigint>([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // micro sign, what Go writes
  ['\u03bcs', 1_000n], // Greek mu, also accepted by Go
  ['ms', NS_PER_MS],
  ['s', NS_PER_S],
  ['m', 60n * NS_PER_S],
  ['h', 3600n * NS_PER_S]
])

function invalid (text: string, why: string): ValueProblem {
  return new ValueProblem(`${JSON.stringify(text)} is not a valid duration: ${why} (write it like "1h2m3.5s", "5m0s" or "500ms")`)
}

/** Parses a Go duration string into milliseconds (fractional below 1ms). */
export function parseGoDuration (text: string): number {
  let rest = text
  let negative = false
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-')
    rest = rest.slice(1)
  }
  if (rest === '0') return 0
  if (rest === '') throw invalid(text, 'it is empty')

  let total = 0n
  while (rest !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest)
    const whole = number?.[1] ?? ''
    const fraction = number?.[2] ?? ''
    if (whole === '' && fraction === '') throw invalid(text, 'expected a number')
    rest = rest.slice(number?.[0].length ?? 0)

    const unitText = /^[^\d.]*/.exec(rest)?.[0] ?? ''
    if (unitText === '') throw invalid(text, 'missing unit')
    const unit = UNITS.get(unitText)
    if (unit === undefined) throw invalid(text, `unknown unit ${JSON.stringify(unitText)}`)
    rest = rest.slice(unitText.length)

    total += BigInt(whole === '' ? '0' : whole) * unit
    if (fraction !== '') total += BigInt(fraction) * unit / 10n ** BigInt(fraction.length)
    if (total > MAX_NS) throw invalid(text, 'too large')
  }
  const ms = Number(total / NS_PER_MS) + Number(total % NS_PER_MS) / 1e6
  return negative ? -ms : ms
}

/** Writes digits of `value` below the decimal point `precision` places up, without trailing zeros. */
function fraction (value: bigint, precision: number): { text: string, rest: bigint } {
  const scale = 10n ** BigInt(precision)
  const digits = (value % scale).toString().padStart(precision, '0').replace(/0+$/, '')
  return { text: digits === '' ? '' : '.' + digits, rest: value / scale }
}

/** Formats milliseconds the way Go's Duration.String does: "5m0s", "1h0m0s", "1.5s", "500ms", "0s". */
export function formatGoDuration (ms: number): string {
  let ns = BigInt(Math.round(ms * 1e6))
  const sign = ns < 0n ? '-' : ''
  if (ns < 0n) ns = -ns
  if (ns === 0n) return '0s'

  if (ns < NS_PER_S) {
    if (ns < 1_000n) return `${sign}${ns}ns`
    if (ns < NS_PER_MS) {
      const f = fraction(ns, 3)
      return `${sign}${f.rest}${f.text}\u00b5s`
    }
    const f = fraction(ns, 6)
    return `${sign}${f.rest}${f.text}ms`
  }

  const f = fraction(ns, 9)
  const seconds = f.rest % 60n
  const minutes = f.rest / 60n
  if (minutes === 0n) return `${sign}${seconds}${f.text}s`
  const hours = minutes / 60n
  if (hours === 0n) return `${sign}${minutes}m${seconds}${f.text}s`
  return `${sign}${hours}h${minutes % 60n}m${seconds}${f.text}s`
}
