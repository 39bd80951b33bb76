import { useMemo } from 'preact/hooks'
import type { OpenPanel } from '../types.js'
import type { SpanNode, SpanTree } from './span-tree.js'
import { formatDuration } from './span-tree.js'
import { percentOf } from './time-axis.js'
import type { FoldableGroup, WaterfallRow } from './waterfall-analysis.js'
import { groupTarget } from '../../../src/shapes/span-label.js'

// A group of thousands of spans is drawn as its first ticks; the label gives the count.
const MAX_TICKS = 200

export interface GroupRowProps {
  row: WaterfallRow & { group: FoldableGroup }
  /** The row's element id, for the grid's aria-activedescendant. */
  id: string
  index: number
  /** Chosen with the arrow keys (the group's first span is the selected span). */
  selected: boolean
  rowHeight: number
  indent: number
  tree: SpanTree
  color: string
  /** Some span of the group is on the critical path. */
  critical: boolean
  onToggleGroup(groupId: string): void
  /** Opens another panel of the toolbar (the SQL panel at the group's queries, from an N+1 badge). */
  openPanel: OpenPanel | undefined
}

/**
 * Repeated siblings folded into one row: `SELECT comments ×3 · 4.10 ms`, each span a tick on
 * the time axis, a badge for SQL groups (the N+1 pattern) that opens the SQL panel at them. A click
 * expands the group.
 *
 * @example
 * ```tsx
 * <GroupRow row={row} id="wf-1-00f067aa0ba902b7" index={7} selected={false} rowHeight={24} indent={22} tree={tree} color="#3b82f6" critical={false} onToggleGroup={toggle} openPanel={openPanel} />
 * ```
 */
export function GroupRow({ row, id, index, selected, rowHeight, indent, tree, color, critical, onToggleGroup, openPanel }: GroupRowProps) {
  const { group } = row
  const count = group.spanIds.length
  const summary = `${formatDuration(group.totalNs)} total, max ${formatDuration(group.maxNs)}`
  // Fetches named after their method say where they went, once for the row (their origin when their paths differ).
  const target = useMemo(() => groupTarget(group.spanIds.flatMap((spanId) => tree.byId.get(spanId)?.span ?? [])), [group, tree])
  const name = target === undefined ? group.name : `${group.name} ${target}`
  const ticks: Tick[] = []
  for (const id of group.spanIds.slice(0, MAX_TICKS)) {
    const node = tree.byId.get(id)
    if (!node) continue
    const left = percentOf(node.offsetNs, tree.durationNs)
    ticks.push({ id, left, width: Math.min(100 - left, percentOf(node.durationNs, tree.durationNs)) })
  }
  return (
    <div
      class={`hdt-wf-row hdt-wf-group${index % 2 ? ' hdt-wf-odd' : ''}${selected ? ' hdt-wf-selected' : ''}${critical ? ' hdt-wf-critical' : ''}`}
      role="row"
      id={id}
      aria-selected={selected}
      aria-expanded={false}
      data-group-key={group.key}
      style={{ top: `${index * rowHeight}px` }}
      onClick={() => onToggleGroup(group.id)}
    >
      <div class="hdt-wf-name" role="gridcell" style={{ paddingLeft: `${indent}px` }}>
        <i class="hdt-wf-stripe" style={{ background: color }} title={tree.byId.get(group.spanIds[0]!)?.service} />
        <button
          type="button"
          class="hdt-wf-toggle"
          aria-expanded={false}
          aria-label={`Expand ${count} × ${name}`}
          onClick={(event) => {
            event.stopPropagation()
            onToggleGroup(group.id)
          }}
        >
          ▸
        </button>
        <span class="hdt-wf-label hdt-wf-group-label" title={group.key}>
          <span class="hdt-wf-group-name">{name}</span> <strong class="hdt-wf-group-count">×{count}</strong>
        </span>
        {group.sql && <NPlusOneBadge count={count} node={tree.byId.get(group.spanIds[0]!)} openPanel={openPanel} />}
      </div>
      <div class="hdt-wf-track" role="gridcell">
        {ticks.map(({ id, left, width }) => (
          <span key={id} class="hdt-wf-bar hdt-wf-group-tick" style={{ left: `${left}%`, width: `${width}%`, background: color }} />
        ))}
        <span class="hdt-wf-dur hdt-wf-group-sum" style={sumPlace(ticks)} title={summary}>
          {summary}
        </span>
      </div>
    </div>
  )
}

/** A span of a folded group on the time axis, in percent of the track. */
interface Tick {
  id: string
  left: number
  width: number
}

/**
 * Where a group's "total, max" label goes: in the track beside its ticks, never over them
 * nor out of the track into the span names (a narrow window, the span detail open beside
 * the waterfall). After the last tick, as a span's duration follows its bar, unless the
 * ticks end in the last fifth of the track and more room is before the first; the label is
 * cut with an ellipsis where the room is shorter than it (the whole text is its title).
 */
function sumPlace(ticks: Tick[]): { left: string; right: string; textAlign?: 'right' } {
  let start = 100
  let end = 0
  for (const tick of ticks) {
    start = Math.min(start, tick.left)
    end = Math.max(end, tick.left + tick.width)
  }
  if (end <= 80 || 100 - end >= start) return { left: `calc(${end}% + 4px)`, right: '0px' }
  return { left: '0px', right: `calc(${100 - start}% + 4px)`, textAlign: 'right' }
}

/**
 * The N+1 mark of a group of queries. This app's own queries are in its SQL panel, which the
 * badge opens at them (by the shape of the SQL text of the group's first span, with the
 * group's count and parent, which the panel names when it shows more of that shape); the queries of another service (received spans) or of an
 * imported file are not, so their badge names the service and opens nothing.
 */
function NPlusOneBadge({ count, node, openPanel }: { count: number; node: SpanNode | undefined; openPanel: OpenPanel | undefined }) {
  if (node?.span.source !== 'local') {
    return (
      <span class="hdt-badge hdt-badge-warn hdt-wf-nplus1" title={`${count} queries of one shape under one parent in ${node?.service ?? 'another service'}: the N+1 pattern. They are that service's queries, not in this app's SQL panel.`}>
        N+1
      </span>
    )
  }
  return (
    <button
      type="button"
      class="hdt-badge hdt-badge-warn hdt-wf-nplus1"
      aria-label={`N+1 · SQL, open the SQL panel at these ${count} queries`}
      title={`${count} queries of one shape under one parent: the N+1 pattern. Open the SQL panel at them.`}
      onClick={(event) => {
        event.stopPropagation()
        const sql = node.span.attributes['db.query.text']
        // The panel counts the request's queries of this shape, the group those under one parent: it says so when they differ.
        openPanel?.('sql', typeof sql === 'string' ? { sql, count, under: node.parent?.span.name } : undefined)
      }}
    >
      N+1 · SQL
    </button>
  )
}

/**
 * Folds an expanded group of repeated siblings again (shown on its first span).
 *
 * @example
 * ```tsx
 * <FoldButton group={row.foldable} onToggleGroup={toggleGroup} />
 * ```
 */
export function FoldButton({ group, onToggleGroup }: { group: FoldableGroup; onToggleGroup: ((groupId: string) => void) | undefined }) {
  return (
    <button
      type="button"
      class="hdt-linklike hdt-wf-fold"
      aria-label={`Fold ${group.spanIds.length} × ${group.name}`}
      onClick={(event) => {
        event.stopPropagation()
        onToggleGroup?.(group.id)
      }}
    >
      fold ×{group.spanIds.length}
    </button>
  )
}
