/**
 * Sizes and relative times as ipfs-cluster-ctl prints them (with
 * go-humanize): `24 GB`, `3 minutes from now`, `2 hours ago`.
 */

const SI_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB']

/** Bytes in SI units, one decimal below 10: `9 B`, `1.5 kB`, `24 GB`. */
export function humanBytes (bytes: number): string {
  if (bytes < 10) return `${Math.max(0, Math.floor(bytes))} B`
  const exponent = Math.min(Math.floor(Math.log10(bytes) / 3), SI_UNITS.length - 1)
  const value = Math.floor(bytes / 1000 ** exponent * 10 + 0.5) / 10
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ${SI_UNITS[exponent]}`
}

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const WEEK = 7 * DAY
const MONTH = 30 * DAY
const YEAR = 12 * MONTH
const LONG_TIME = 37 * YEAR

/** Below `under`: `text` with %d the difference counted in `unit` (text alone when no unit). */
const MAGNITUDES: Array<{ under: number, text: string, unit?: number }> = [
  { under: SECOND, text: 'now' },
  { under: 2 * SECOND, text: '1 second %s' },
  { under: MINUTE, text: '%d seconds %s', unit: SECOND },
  { under: 2 * MINUTE, text: '1 minute %s' },
  { under: HOUR, text: '%d minutes %s', unit: MINUTE },
  { under: 2 * HOUR, text: '1 hour %s' },
  { under: DAY, text: '%d hours %s', unit: HOUR },
  { under: 2 * DAY, text: '1 day %s' },
  { under: WEEK, text: '%d days %s', unit: DAY },
  { under: 2 * WEEK, text: '1 week %s' },
  { under: MONTH, text: '%d weeks %s', unit: WEEK },
  { under: 2 * MONTH, text: '1 month %s' },
  { under: YEAR, text: '%d months %s', unit: MONTH },
  { under: 18 * MONTH, text: '1 year %s' },
  { under: 2 * YEAR, text: '2 years %s' },
  { under: LONG_TIME, text: '%d years %s', unit: YEAR },
  { under: Infinity, text: 'a long while %s' }
]

/** `then` (ms since the epoch) relative to `now`: `5 minutes ago`, `1 hour from now`, `now`. */
export function humanTime (then: number, now: number): string {
  const diff = Math.abs(now - then)
  const label = then <= now ? 'ago' : 'from now'
  const magnitude = MAGNITUDES.find((m) => diff < m.under) as typeof MAGNITUDES[number]
  const count = magnitude.unit === undefined ? '' : String(Math.floor(diff / magnitude.unit))
  return magnitude.text.replace('%d', count).replace('%s', label)
}
