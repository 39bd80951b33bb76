/**
 * "N dropped": the spans of a trace refused over `maxSpansPerTrace`, so that a bounded
 * trace does not look complete. Nothing when none were counted (a trace read from a durable
 * store alone does not know its drops: it says nothing rather than a 0 nobody counted).
 *
 * @example
 * ```tsx
 * <DroppedSpans count={summary.droppedSpans} />
 * ```
 */
export function DroppedSpans({ count }: { count: number | undefined }) {
  if (!count) return null
  return (
    <span class="hdt-badge hdt-badge-warn" title="spans refused over maxSpansPerTrace: the trace is incomplete">
      {count} dropped
    </span>
  )
}
