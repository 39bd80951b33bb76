/**
 * A duration in ns as the API writes it: a decimal string of a whole number (JSON numbers
 * cannot hold every 64-bit value, and the span model writes times the same way).
 *
 * @example
 * ```ts
 * nsString(1234.6) // '1235'
 * ```
 */
export function nsString(ns: number): string {
  return Number.isFinite(ns) ? String(Math.round(ns)) : '0'
}
