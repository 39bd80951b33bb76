/** A span's duration beside its bar in the waterfall, placed where no event marker crosses it. */

/**
 * The duration beside its bar: after it while there is room on the right, else before it,
 * else (a bar spanning most of the axis) inside it; moved clear of the event markers when
 * the track's width is known.
 *
 * @example
 * ```tsx
 * <DurationLabel left={10} width={30} label="12.3 ms" marks={[]} trackPx={undefined} /> // after the bar: left: calc(40% + 4px)
 * ```
 */
export function DurationLabel({ left, width, label, marks, trackPx }: { left: number; width: number; label: string; marks: number[]; trackPx: number | undefined }) {
  const placed = marks.length > 0 && trackPx ? labelClearOfMarks(left, width, label, marks, trackPx) : undefined
  if (placed) {
    const side = placed.left === undefined ? { right: `${placed.right}px` } : { left: `${placed.left}px` }
    return (
      <span class={`hdt-wf-dur${placed.inside ? ' hdt-wf-dur-inside' : ''}`} style={side}>
        {label}
      </span>
    )
  }
  if (left + width <= 80) return <span class="hdt-wf-dur" style={{ left: `calc(${left + width}% + 4px)` }}>{label}</span>
  if (left >= 20) return <span class="hdt-wf-dur" style={{ right: `calc(${100 - left}% + 4px)` }}>{label}</span>
  return (
    <span class="hdt-wf-dur hdt-wf-dur-inside" style={{ right: `calc(${100 - left - width}% + 4px)` }}>
      {label}
    </span>
  )
}

// A marker's box around its place, in px (3 px wide, 1 px before it), and the room kept
// between it and a label.
const MARK_BEFORE = 1
const MARK_AFTER = 2
const MARK_CLEARANCE = 3
// A label's width, estimated generously (11 px type; digits, "ms" and "µs" are wider than 0.6 em).
const LABEL_CHAR_PX = 7.5
const LABEL_GAP = 4

/** Where a duration label goes, in px from the track's edges: after the bar, before it or inside its end. */
export interface LabelPlace {
  left?: number
  right?: number
  inside: boolean
}

/**
 * A place for a span's duration label that no event marker crosses, so that both read: the
 * side the waterfall would use anyway (after the bar, before it, inside its end), moved past
 * the markers in its way; else another side. Undefined when every side is taken, or the
 * label would leave the track (the bar's inside when it would leave the bar).
 *
 * @example
 * ```ts
 * labelClearOfMarks(0, 100, '100 ms', [96, 98], 800) // { right: 36, inside: true }: left of both markers
 * ```
 */
export function labelClearOfMarks(left: number, width: number, label: string, marks: number[], trackPx: number): LabelPlace | undefined {
  const px = (percent: number) => (percent / 100) * trackPx
  const at = marks.map(px).sort((a, b) => a - b)
  const labelPx = label.length * LABEL_CHAR_PX
  const start = px(left)
  const end = px(left + width)
  const crosses = (from: number, to: number, mark: number) => mark + MARK_AFTER + MARK_CLEARANCE > from && mark - MARK_BEFORE - MARK_CLEARANCE < to
  // Moving right, then left, past each marker that the label would cross.
  const rightwards = (from: number) => at.reduce((x, mark) => (crosses(x, x + labelPx, mark) ? mark + MARK_AFTER + MARK_CLEARANCE : x), from)
  const leftwards = (to: number) => at.reduceRight((x, mark) => (crosses(x - labelPx, x, mark) ? mark - MARK_BEFORE - MARK_CLEARANCE : x), to)
  const after = (): LabelPlace | undefined => {
    const from = rightwards(end + LABEL_GAP)
    return from + labelPx <= trackPx ? { left: from, inside: false } : undefined
  }
  const before = (): LabelPlace | undefined => {
    const to = leftwards(start - LABEL_GAP)
    return to - labelPx >= 0 ? { right: trackPx - to, inside: false } : undefined
  }
  const inside = (): LabelPlace | undefined => {
    const to = leftwards(end - LABEL_GAP)
    return to - labelPx >= start + 2 ? { right: trackPx - to, inside: true } : undefined
  }
  // The side DurationLabel picks without markers first.
  const sides = left + width <= 80 ? [after, before, inside] : left >= 20 ? [before, after, inside] : [inside, after, before]
  for (const side of sides) {
    const place = side()
    if (place) return place
  }
  return undefined
}
