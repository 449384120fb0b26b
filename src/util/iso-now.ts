/**
 * The current time as an RFC 3339 string, formatted once per millisecond:
 * a status listing stamps a million items, and `toISOString` costs more
 * than the rest of an item's status.
 */
let lastMs = -1
let lastIso = ''

export function isoNow (): string {
  const ms = Date.now()
  if (ms !== lastMs) {
    lastMs = ms
    lastIso = new Date(ms).toISOString()
  }
  return lastIso
}
