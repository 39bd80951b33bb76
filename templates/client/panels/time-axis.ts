/**
 * Tick marks of the waterfall's shared time axis: round steps (1, 2 or 5 times a power of
 * ten) so that labels read `0 ms, 5 ms, 10 ms` rather than `0 ms, 4.37 ms, 8.74 ms`.
 */

/**
 * Tick positions in nanoseconds from the trace start, from 0 up to `durationNs`, about
 * `target` of them.
 *
 * @example
 * ```ts
 * axisTicks(23_000_000, 5) // [0, 5e6, 10e6, 15e6, 20e6]
 * ```
 */
export function axisTicks(durationNs: number, target = 5): number[] {
  if (!Number.isFinite(durationNs) || durationNs <= 0) return [0]
  const rough = durationNs / Math.max(1, target)
  const power = 10 ** Math.floor(Math.log10(rough))
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power
  const ticks: number[] = []
  // Integer multiples avoid the drift of repeated float additions.
  for (let i = 0; i * step <= durationNs * (1 + 1e-9); i++) ticks.push(i * step)
  return ticks
}

/**
 * Where a time falls on the axis, in percent of its width (clamped to 0..100).
 *
 * @example
 * ```ts
 * percentOf(5e6, 20e6) // 25
 * ```
 */
export function percentOf(ns: number, durationNs: number): number {
  if (durationNs <= 0) return 0
  return Math.min(100, Math.max(0, (ns / durationNs) * 100))
}
