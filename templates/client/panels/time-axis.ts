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

/**
 * A tick's label in one unit for the whole axis (picked by its longest time), so that the
 * labels agree: `0 ms, 0.5 ms, 1 ms` rather than `0 ns, 500 µs, 1.00 ms`.
 *
 * @example
 * ```ts
 * formatTick(2_500_000, 500_000, 3_000_000) // '2.5 ms'
 * ```
 */
export function formatTick(ns: number, stepNs: number, maxNs: number): string {
  const [unit, scale] = maxNs >= 1e9 ? ['s', 1e9] : maxNs >= 1e6 ? ['ms', 1e6] : maxNs >= 1e3 ? ['µs', 1e3] : ['ns', 1]
  // As many decimals as the step needs (0.5 ms: one); toFixed also removes float noise.
  const decimals = Math.max(0, Math.min(3, -Math.floor(Math.log10(stepNs / scale))))
  return `${Number((ns / scale).toFixed(decimals))} ${unit}`
}
