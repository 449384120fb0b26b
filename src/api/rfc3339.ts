/**
 * RFC 3339 dates as Go's `time.Time` writes and reads them in JSON
 * (`2022-12-07T16:12:39+08:00`, `2022-12-07T08:12:39.123456789Z`).
 * `Date.parse` is too lenient (it takes February 30 and many other shapes),
 * so the parts are checked here.
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/

/** Why `text` is not an RFC 3339 date, or undefined when it is one. */
export function rfc3339Problem (text: string): string | undefined {
  const m = RFC3339.exec(text)
  if (m == null) return 'not an RFC 3339 date (like 2006-01-02T15:04:05Z)'
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  if (month < 1 || month > 12) return `month ${month} out of range`
  if (day < 1 || day > daysInMonth(year, month)) return `day ${day} out of range`
  if (hour > 23) return `hour ${hour} out of range`
  if (minute > 59) return `minute ${minute} out of range`
  // Go rejects leap seconds too
  if (second > 59) return `second ${second} out of range`
  if (m[9] != null && (Number(m[9]) > 23 || Number(m[10]) > 59)) return 'time zone offset out of range'
  return undefined
}

function daysInMonth (year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}
