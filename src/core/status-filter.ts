/**
 * The status filter of the history (`GET {prefix}/api/requests?status=`, the History panel):
 * status codes (`404`) and classes (`5xx`), separated by commas or spaces (`404, 5xx`,
 * `4xx 5xx`); a request matches when its status matches any of them. Stores read the filter
 * through `statusRanges`, so that the in-memory and database stores filter alike.
 */

/** The statuses from `low` up to, not including, `high`: one code, or a class of 100. */
export interface StatusRange {
  low: number
  high: number
}

/**
 * The ranges of a status list, or the message naming the first item that is neither a code
 * nor a class.
 *
 * @example
 * ```ts
 * parseStatusList('404, 5xx') // [{ low: 404, high: 405 }, { low: 500, high: 600 }]
 * parseStatusList('404,abc') // 'status must be ... got "abc"'
 * ```
 */
export function parseStatusList(list: string): StatusRange[] | string {
  const ranges: StatusRange[] = []
  for (const item of list.split(/[\s,]+/)) {
    if (item === '') continue
    if (/^[1-5]xx$/i.test(item)) ranges.push({ low: Number(item[0]) * 100, high: Number(item[0]) * 100 + 100 })
    else if (/^[1-5]\d\d$/.test(item)) ranges.push({ low: Number(item), high: Number(item) + 1 })
    else return `status must be status codes such as 404 or classes such as 5xx, separated by commas or spaces, got "${item}"`
  }
  return ranges
}

/**
 * The ranges of a filter's status list, for a store; a store given a malformed list (the API
 * refuses one with a 400 first) throws rather than answer a list that ignores the filter.
 */
export function statusRanges(list: string): StatusRange[] {
  const ranges = parseStatusList(list)
  if (typeof ranges === 'string') throw new TypeError(ranges)
  return ranges
}

/** True when `status` is in one of the ranges; a request without a status (in flight) is in none. */
export function statusInRanges(status: number | undefined, ranges: StatusRange[]): boolean {
  return status !== undefined && ranges.some((r) => status >= r.low && status < r.high)
}
