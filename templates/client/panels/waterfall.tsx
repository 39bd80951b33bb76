import type { Ref } from 'preact'
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { ToolbarSpanEvent } from '../../../src/core/span-model.js'
import { spanLabel } from '../../../src/shapes/span-label.js'
import { describeSkew, formatDuration, offsetInTrace, type SpanNode, type SpanTree } from './span-tree.js'
import { axisTicks, formatTick, percentOf } from './time-axis.js'
import { serviceColor, serviceSlot, spanColor } from './span-colors.js'
import type { OpenPanel } from '../types.js'
import { FoldButton, GroupRow } from './group-row.js'
import { selfTimeOf, type FoldableGroup, type WaterfallAnalysis, type WaterfallRow } from './waterfall-analysis.js'
import { DurationLabel } from './duration-label.js'
import { loadNameWidth, NAME_WIDTH_RANGE, saveNameWidth } from '../toolbar-state.js'

/** Height of one row in px; fixed, so that only the rows in view need to exist in the page. */
export const ROW_HEIGHT = 24
// Rows drawn above and below the visible window, so that fast scrolling shows no gaps.
const OVERSCAN = 12
// Deep chains stay readable: past this depth the indent stops growing (the detail tells the depth).
const MAX_INDENT = 24
// A span with thousands of events would cost a node per event in every repaint of its row.
const MAX_MARKERS = 60
// Ticks at least this far along the axis are labelled to their left: ticks are a sixth of the
// axis apart or more, so such a label never meets the one before it.
const END_TICK_PERCENT = 97

export interface WaterfallProps {
  tree: SpanTree
  rows: WaterfallRow[]
  collapsed: ReadonlySet<string>
  selectedId: string | undefined
  onSelect(spanId: string): void
  onToggle(spanId: string): void
  /** Critical path, self times and groups, once computed. */
  analysis?: WaterfallAnalysis
  /** Show each span's self time beside its name. */
  showSelf?: boolean
  /** Expands or folds a group of repeated siblings. */
  onToggleGroup?(groupId: string): void
  openPanel?: OpenPanel | undefined
  /** The grid element, for the span detail to give the focus back to. */
  gridRef?: Ref<HTMLDivElement>
}

/**
 * The trace's spans as rows on a shared time axis, like Jaeger's trace view. Only the rows
 * in (and near) the scrolled window are in the DOM, so a trace of thousands of spans opens
 * and scrolls as fast as a small one.
 *
 * @example
 * ```tsx
 * <Waterfall tree={tree} rows={flattenVisible(tree, collapsed, '', 0)} collapsed={collapsed}
 *   selectedId={selected} onSelect={setSelected} onToggle={toggle} />
 * ```
 */
export function Waterfall({ tree, rows, collapsed, selectedId, onSelect, onToggle, analysis, showSelf, onToggleGroup, openPanel, gridRef }: WaterfallProps) {
  const scroller = useRef<HTMLDivElement>(null)
  // Row ids, unique in the shadow root, for the grid's aria-activedescendant.
  const rowIds = useId()
  const rowId = (spanId: string) => `${rowIds}-${spanId}`
  // `track`: the width in px of a row's time track, for duration labels to keep off the event markers.
  const [view, setView] = useState<{ top: number; height: number; track?: number }>({ top: 0, height: 480 })
  // The span names' column, as wide as the developer dragged it (% of the grid), else the stylesheet's.
  const [nameWidth, setNameWidth] = useState(loadNameWidth)

  useLayoutEffect(() => {
    const el = scroller.current
    if (!el) return
    let frame = 0
    const measure = () => {
      frame = 0
      setView({ top: el.scrollTop, height: el.clientHeight || 480, track: el.querySelector('.hdt-wf-track')?.clientWidth || undefined })
    }
    const onScroll = () => {
      frame ||= requestAnimationFrame(measure)
    }
    measure()
    el.addEventListener('scroll', onScroll, { passive: true })
    const resize = typeof ResizeObserver === 'function' ? new ResizeObserver(onScroll) : undefined
    resize?.observe(el)
    return () => {
      el.removeEventListener('scroll', onScroll)
      resize?.disconnect()
      if (frame) cancelAnimationFrame(frame)
    }
  }, [])

  // A wider or narrower name column changes the time track's width (the scroller's stays the same).
  useLayoutEffect(() => {
    const track = scroller.current?.querySelector('.hdt-wf-track')?.clientWidth || undefined
    setView((seen) => (seen.track === track ? seen : { ...seen, track }))
  }, [nameWidth])

  // Keep the selected row in view when it is chosen by keyboard.
  useEffect(() => {
    const el = scroller.current
    const index = rows.findIndex((r) => r.node.span.spanId === selectedId)
    if (!el || index < 0) return
    const top = index * ROW_HEIGHT
    if (top < el.scrollTop) el.scrollTop = top
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight - ROW_HEIGHT) el.scrollTop = top - el.clientHeight + 2 * ROW_HEIGHT
  }, [selectedId])

  // The spans the rows show: a folded row counts every span it stands for, so that only a
  // filter, a collapsed span or the critical path alone make the header say "7 of 9".
  let shownSpans = 0
  for (const row of rows) shownSpans += row.spans ?? 1
  const first = Math.max(0, Math.floor(view.top / ROW_HEIGHT) - OVERSCAN)
  const last = Math.min(rows.length, Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN)
  const ticks = axisTicks(tree.durationNs, 6)
  const serviceIndex = new Map(tree.services.map((s) => [s, serviceSlot(s)]))
  // The selected row is announced while it is drawn (the keyboard keeps it in view).
  const selectedIndex = rows.findIndex((r) => r.node.span.spanId === selectedId)
  const activeRow = selectedIndex >= first && selectedIndex < last ? rowId(selectedId!) : undefined

  const onKeyDown = (event: KeyboardEvent) => {
    const index = rows.findIndex((r) => r.node.span.spanId === selectedId)
    const node = rows[index]?.node
    let next: number | undefined
    if (event.key === 'ArrowDown') next = Math.min(rows.length - 1, index + 1)
    else if (event.key === 'ArrowUp') next = Math.max(0, index - 1)
    else if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
      // Left collapses an open span, right opens a collapsed one.
      const open = node !== undefined && node.children.length > 0 && !collapsed.has(node.span.spanId)
      if (node && node.children.length > 0 && open === (event.key === 'ArrowLeft')) onToggle(node.span.spanId)
    } else return
    event.preventDefault()
    if (next !== undefined && rows[next]) onSelect(rows[next]!.node.span.spanId)
  }

  return (
    <div
      class="hdt-wf"
      role="grid"
      aria-label="Spans of the trace"
      aria-rowcount={rows.length}
      aria-activedescendant={activeRow}
      tabIndex={0}
      onKeyDown={onKeyDown}
      ref={gridRef}
      style={nameWidth === undefined ? undefined : { '--hdt-wf-name': `${nameWidth}%` }}
    >
      <div class="hdt-wf-head" role="row">
        <div class="hdt-wf-name-head" role="columnheader">
          Span <span class="hdt-muted">({shownSpans === tree.ordered.length ? shownSpans : `${shownSpans} of ${tree.ordered.length}`})</span>
          <NameDivider width={nameWidth} onChange={setNameWidth} />
        </div>
        <div class="hdt-wf-axis" role="columnheader" aria-label="time since the trace started">
          {ticks.map((t, i) => {
            const left = percentOf(t, tree.durationNs)
            // A label centred on a tick at the right edge would run past the waterfall, which
            // cuts it: the last one ends at its tick instead, as Jaeger's does.
            return (
              <span key={t} class={i > 0 && left >= END_TICK_PERCENT ? 'hdt-wf-tick hdt-wf-tick-end' : 'hdt-wf-tick'} style={{ left: `${left}%` }}>
                {formatTick(t, ticks[1] ?? tree.durationNs, tree.durationNs)}
              </span>
            )
          })}
        </div>
      </div>
      <div class="hdt-wf-scroll" ref={scroller}>
        <div class="hdt-wf-canvas" style={{ height: `${rows.length * ROW_HEIGHT}px` }}>
          <div class="hdt-wf-grid" aria-hidden="true">
            {ticks.map((t) => (
              <i key={t} style={{ left: `${percentOf(t, tree.durationNs)}%` }} />
            ))}
          </div>
          {rows.slice(first, last).map((row, i) =>
            row.group ? (
              <GroupRow
                key={'group:' + row.group.id}
                row={row as WaterfallRow & { group: FoldableGroup }}
                id={rowId(row.node.span.spanId)}
                index={first + i}
                selected={row.node.span.spanId === selectedId}
                rowHeight={ROW_HEIGHT}
                indent={indentOf(row.node)}
                tree={tree}
                color={serviceColor(serviceIndex.get(row.node.service) ?? 0)}
                critical={analysis !== undefined && row.group.spanIds.some((id) => analysis.isCritical(id))}
                onToggleGroup={onToggleGroup ?? (() => {})}
                openPanel={openPanel}
              />
            ) : (
              <SpanRow
                key={row.node.span.spanId + ':' + (first + i)}
                row={row}
                id={rowId(row.node.span.spanId)}
                index={first + i}
                tree={tree}
                serviceIndex={serviceIndex.get(row.node.service) ?? 0}
                collapsed={collapsed.has(row.node.span.spanId)}
                selected={row.node.span.spanId === selectedId}
                onSelect={onSelect}
                onToggle={onToggle}
                critical={analysis?.isCritical(row.node.span.spanId) ? analysis.stretches(row.node.span.spanId) : undefined}
                selfNs={showSelf ? selfTimeOf(analysis, row.node.span.spanId) : undefined}
                onToggleGroup={onToggleGroup}
                trackPx={view.track}
              />
            ),
          )}
        </div>
      </div>
    </div>
  )
}

/**
 * The border between the span names and the time axis, dragged (or moved with the arrow
 * keys) to give long names more room, as in Jaeger's trace view. The width holds for every
 * trace and page after (localStorage); a double click gives the column its default back.
 */
function NameDivider({ width, onChange }: { width: number | undefined; onChange(width: number | undefined): void }) {
  const ref = useRef<HTMLDivElement>(null)
  // What the column measures when the stylesheet sizes it (34%, half in a narrow window): the
  // value a screen reader is told, and where the arrow keys start from.
  const [measured, setMeasured] = useState<number>()
  const shown = (): number => {
    const column = ref.current?.parentElement
    const head = column?.parentElement
    return width ?? (column && head && head.clientWidth > 0 ? (100 * column.offsetWidth) / head.clientWidth : 34)
  }
  useLayoutEffect(() => {
    if (width === undefined) setMeasured(shown())
  }, [width])
  const set = (next: number | undefined, save: boolean) => {
    const kept = next === undefined ? undefined : Math.round(Math.min(NAME_WIDTH_RANGE.max, Math.max(NAME_WIDTH_RANGE.min, next)) * 10) / 10
    onChange(kept)
    if (save) saveNameWidth(kept)
  }
  const onPointerDown = (event: PointerEvent) => {
    if (event.button !== 0) return
    const divider = event.currentTarget as HTMLElement
    const head = divider.closest('.hdt-wf-head') as HTMLElement | null
    if (!head) return
    event.preventDefault()
    divider.focus()
    divider.setPointerCapture?.(event.pointerId)
    const box = head.getBoundingClientRect()
    let dragged: number | undefined
    const move = (e: PointerEvent) => {
      dragged = ((e.clientX - box.left) / box.width) * 100
      set(dragged, false)
    }
    const up = () => {
      divider.removeEventListener('pointermove', move)
      divider.removeEventListener('pointerup', up)
      divider.removeEventListener('pointercancel', up)
      if (dragged !== undefined) set(dragged, true)
    }
    divider.addEventListener('pointermove', move)
    divider.addEventListener('pointerup', up)
    divider.addEventListener('pointercancel', up)
  }
  const onKeyDown = (event: KeyboardEvent) => {
    const step = event.shiftKey ? 10 : 2
    const now = shown()
    let next: number
    if (event.key === 'ArrowLeft') next = now - step
    else if (event.key === 'ArrowRight') next = now + step
    else if (event.key === 'Home') next = NAME_WIDTH_RANGE.min
    else if (event.key === 'End') next = NAME_WIDTH_RANGE.max
    else return
    // The grid's own arrow keys would fold or select a span: not while the divider has the focus.
    event.preventDefault()
    event.stopPropagation()
    set(next, true)
  }
  return (
    <div
      class="hdt-wf-divider"
      role="separator"
      aria-orientation="vertical"
      aria-label="Width of the span names (drag, or arrow keys; double-click for the default)"
      aria-valuemin={NAME_WIDTH_RANGE.min}
      aria-valuemax={NAME_WIDTH_RANGE.max}
      aria-valuenow={Math.round(width ?? measured ?? 34)}
      tabIndex={0}
      ref={ref}
      title="Drag to widen the span names; double-click for the default"
      onPointerDown={onPointerDown}
      onKeyDown={onKeyDown}
      onDblClick={() => set(undefined, true)}
    />
  )
}

interface SpanRowProps {
  row: WaterfallRow
  id: string
  index: number
  tree: SpanTree
  serviceIndex: number
  collapsed: boolean
  selected: boolean
  onSelect(spanId: string): void
  onToggle(spanId: string): void
  /** The span's stretches on the critical path (axis offsets, ns), when it is on it. */
  critical: Array<[number, number]> | undefined
  selfNs: number | undefined
  onToggleGroup: ((groupId: string) => void) | undefined
  /** The time track's width in px, once measured. */
  trackPx: number | undefined
}

function SpanRow({ row, id, index, tree, serviceIndex, collapsed, selected, onSelect, onToggle, critical, selfNs, onToggleGroup, trackPx }: SpanRowProps) {
  const { node } = row
  const { span } = node
  const error = span.status.code === 'ERROR'
  const left = percentOf(node.offsetNs, tree.durationNs)
  const width = Math.min(100 - left, percentOf(node.durationNs, tree.durationNs))
  const classes = ['hdt-wf-row', index % 2 ? 'hdt-wf-odd' : '']
  if (selected) classes.push('hdt-wf-selected')
  if (row.hit) classes.push('hdt-wf-hit')
  if (row.context) classes.push('hdt-wf-context')
  if (critical) classes.push('hdt-wf-critical')
  const label = node.inFlight ? `${formatDuration(node.durationNs)}+` : formatDuration(node.durationNs)
  // The conventions name an outgoing request's span, and a request no route matched, after the
  // method alone (`GET`): where it went, or the path asked for, is said beside it.
  const name = spanLabel(span)
  const events = span.events.slice(0, MAX_MARKERS)
  const marks = events.map((event) => percentOf(offsetInTrace(tree, event.timeUnixNano, node), tree.durationNs))
  const service = serviceColor(serviceIndex)
  // Like Jaeger, the service is named where it changes; every row keeps its colour stripe.
  const showService = !node.parent || node.parent.service !== node.service

  return (
    <div
      class={classes.join(' ')}
      role="row"
      id={id}
      aria-selected={selected}
      data-span-id={span.spanId}
      style={{ top: `${index * ROW_HEIGHT}px` }}
      onClick={() => onSelect(span.spanId)}
    >
      <div class="hdt-wf-name" role="gridcell" style={{ paddingLeft: `${indentOf(node)}px` }}>
        <i class="hdt-wf-stripe" style={{ background: service }} title={node.service} />
        {node.children.length > 0 ? (
          <button
            type="button"
            class="hdt-wf-toggle"
            aria-expanded={!collapsed}
            aria-label={collapsed ? `Expand ${name}` : `Collapse ${name}`}
            onClick={(event) => {
              event.stopPropagation()
              onToggle(span.spanId)
            }}
          >
            {collapsed ? '▸' : '▾'}
          </button>
        ) : (
          <span class="hdt-wf-toggle-space" />
        )}
        {showService && (
          <span class="hdt-wf-chip" style={{ background: service }} title={node.service}>
            {node.service}
          </span>
        )}
        {error && <span class="hdt-wf-error-mark" title={span.status.message || 'status ERROR'}>!</span>}
        <span class="hdt-wf-label" title={name}>{name}</span>
        {node.orphan && (
          <span class="hdt-badge hdt-badge-warn hdt-wf-orphan" title={`parent span ${span.parentSpanId ?? ''} is not in this trace`}>
            orphan
          </span>
        )}
        {node.skewNs !== 0 && (
          <span class="hdt-badge hdt-badge-warn hdt-wf-skew" title={`Clock skew: ${describeSkew(node.skewNs)}`}>
            clock skew
          </span>
        )}
        {collapsed && <span class="hdt-muted hdt-wf-hidden-count">+{countBelow(node)}</span>}
        {row.foldable && (
          <FoldButton group={row.foldable} onToggleGroup={onToggleGroup} />
        )}
        {selfNs !== undefined && (
          <span class="hdt-wf-self" title="self time: not spent in child spans">
            {formatDuration(selfNs)}
          </span>
        )}
      </div>
      <div class="hdt-wf-track" role="gridcell">
        <span
          class={`hdt-wf-bar${node.inFlight ? ' hdt-wf-bar-live' : ''}`}
          style={{ left: `${left}%`, width: `${width}%`, background: spanColor(serviceIndex, span.kind, error) }}
          title={`${name}: ${label}${node.skewNs !== 0 ? `; clock skew: ${describeSkew(node.skewNs)}` : ''}`}
        />
        {events.map((event, i) => (
          <i key={i} class={`hdt-wf-mark${markTone(event)}`} style={{ left: `${marks[i]}%` }} title={eventTitle(event)} />
        ))}
        {/* A span the path leaves and rejoins has several stretches: a screen reader hears it once. */}
        {critical?.map(([from, to], i) => (
          <i
            key={`c${i}`}
            class="hdt-wf-crit"
            style={{ left: `${percentOf(from, tree.durationNs)}%`, width: `${percentOf(to - from, tree.durationNs)}%` }}
            title="on the critical path"
            aria-hidden="true"
          />
        ))}
        {critical && <span class="hdt-visually-hidden">on the critical path</span>}
        <DurationLabel left={left} width={width} label={label} marks={marks} trackPx={trackPx} />
      </div>
    </div>
  )
}

function indentOf(node: SpanNode): number {
  return 8 + Math.min(node.depth, MAX_INDENT) * 14
}

/**
 * The tooltip of an event marker: its name and, when it has one, its message.
 *
 * @example
 * ```ts
 * eventTitle({ name: 'log', timeUnixNano: '1', attributes: { 'log.severity': 'warn', 'log.message': 'slow cart' } })
 * // 'log warn: slow cart'
 * ```
 */
export function eventTitle(event: ToolbarSpanEvent): string {
  const a = event.attributes
  const message = a['exception.message'] ?? a['log.message'] ?? a['message'] ?? a['event.body'] ?? a['body']
  const name = typeof a['log.severity'] === 'string' ? `${event.name} ${a['log.severity']}` : event.name
  return message === undefined || message === null ? name : `${name}: ${String(message)}`
}

// Exceptions and error logs stand out on the bar; warnings less so.
function markTone(event: ToolbarSpanEvent): string {
  const severity = event.attributes['log.severity']
  if (event.name === 'exception' || severity === 'error' || severity === 'fatal') return ' hdt-wf-mark-error'
  return severity === 'warn' ? ' hdt-wf-mark-warn' : ''
}

function countBelow(node: SpanNode): number {
  let count = 0
  const stack = [...node.children]
  while (stack.length > 0) {
    const next = stack.pop()!
    count++
    stack.push(...next.children)
  }
  return count
}
