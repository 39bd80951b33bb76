/**
 * The inline style of a bar on a time line (`.hdt-bar > span`), from its offset and width in
 * percent of the track. A bar is at least 2 px wide (the stylesheet's `min-width`); one that
 * starts at the track's very end (a query or render run after the response, the last thing
 * on its time line) is drawn ending at the edge, where `left: 99.9%` drew it past the edge,
 * clipped away, and the track looked empty.
 *
 * @example
 * ```tsx
 * <div class="hdt-bar"><span style={barStyle(99.9, 0.1)} /></div>
 * // left: min(99.9%, calc(100% - 2px)); width: 0.1%
 * ```
 */
export function barStyle(leftPercent: number, widthPercent: number): { left: string; width: string } {
  return { left: `min(${leftPercent}%, calc(100% - 2px))`, width: `${widthPercent}%` }
}
