/**
 * How the toolbar writes a duration, everywhere one is shown: the panels in the browser
 * (History, Time, SQL, Logging, Templates, Profile, the waterfall, the trace list, Compare)
 * and the subtitles of the panel list, which the server writes. One rule (specs/ui.md,
 * Durations): the unit that puts the number between 1 and 999 (`ns`, `µs`, `ms`, then
 * `s` from one second), with three significant digits, so that `568 µs` in one panel is
 * never `0.57 ms` in another.
 */

/**
 * A duration in nanoseconds for display: `850 ns`, `12.4 µs`, `568 µs`, `1.23 ms`,
 * `245 ms`, `3.40 s`; zero is `0 ms`; a dash when it is not a duration (negative, NaN,
 * infinite).
 *
 * @example
 * ```ts
 * formatDuration(1_234_567) // '1.23 ms'
 * formatDuration(568_000)   // '568 µs'
 * ```
 */
export function formatDuration(ns: number): string {
  if (!Number.isFinite(ns) || ns < 0) return '—'
  // Nothing measured reads in the toolbar's own unit, not as a nanosecond-exact figure.
  if (ns === 0) return '0 ms'
  if (ns < 999.5) return `${Math.round(ns)} ns`
  // Rounding can carry into the next unit: 999.6 µs reads 1.00 ms, not 1000 µs.
  if (ns < 999.5e3) return `${significant(ns / 1e3)} µs`
  if (ns < 999.5e6) return `${significant(ns / 1e6)} ms`
  return `${(ns / 1e9).toFixed(2)} s`
}

/**
 * A duration in milliseconds (as the panels record them) for display, by the same rule as
 * `formatDuration`: `568 µs`, `12.3 ms`, `1.24 s`; a dash when not measured.
 *
 * @example
 * ```ts
 * formatMs(0.568) // '568 µs'
 * formatMs(undefined) // '—'
 * ```
 */
export function formatMs(ms: number | undefined): string {
  return ms === undefined ? '—' : formatDuration(ms * 1e6)
}

function significant(n: number): string {
  return n >= 99.95 ? n.toFixed(0) : n >= 9.995 ? n.toFixed(1) : n.toFixed(2)
}
