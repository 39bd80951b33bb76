import type { ComponentChildren } from 'preact'
import { formatMs, plural } from '../format.js'
import { escapeClears } from '../escape-clears.js'
import type { WaterfallAnalysis } from './waterfall-analysis.js'

/** How the waterfall shows the analysis. */
export interface AnalysisOptions {
  /** Show only the spans on the critical path. */
  criticalOnly: boolean
  /** A self-time column beside the span names. */
  showSelf: boolean
  /** Fold runs of at least this many repeated siblings; 0 folds nothing. */
  foldAt: number
}

/**
 * Groups of 3 or more fold by default: 3 is the smallest run that reads as a loop (an N+1
 * over three rows is already the pattern to fix), and a run of 2 is often a legitimate pair.
 */
export const DEFAULT_ANALYSIS_OPTIONS: AnalysisOptions = { criticalOnly: false, showSelf: false, foldAt: 3 }

export type TraceView = 'waterfall' | 'statistics' | 'compare'

const VIEWS: Array<[TraceView, string]> = [
  ['waterfall', 'Waterfall'],
  ['statistics', 'Statistics'],
  ['compare', 'Compare'],
]

/**
 * The three views of a trace: its waterfall, its statistics table, and the comparison with
 * another request; `children` go at the right end of the tab row. As a WAI-ARIA tab list:
 * the chosen tab alone is in the Tab order, and the arrow keys, Home and End choose another
 * and move the focus to it.
 *
 * @example
 * ```tsx
 * <TraceViewTabs view={view} onView={setView}><ImportButton drop={drop} /></TraceViewTabs>
 * ```
 */
export function TraceViewTabs({ view, onView, children }: { view: TraceView; onView(view: TraceView): void; children?: ComponentChildren }) {
  return (
    <div class="hdt-trace-tabs">
      <div role="tablist" aria-label="Trace views" class="hdt-trace-tablist" onKeyDown={(event) => chooseByKey(event, view, onView)}>
        {VIEWS.map(([id, label]) => (
          <button
            key={id}
            type="button"
            role="tab"
            aria-selected={view === id}
            tabIndex={view === id ? 0 : -1}
            data-hdt-view={id}
            class={`hdt-trace-tab${view === id ? ' hdt-active' : ''}`}
            onClick={() => onView(id)}
          >
            {label}
          </button>
        ))}
      </div>
      <div class="hdt-trace-tabs-end">{children}</div>
    </div>
  )
}

/** ArrowLeft/ArrowRight (round the ends), Home and End on a tab: choose that view and focus its tab. */
function chooseByKey(event: KeyboardEvent, view: TraceView, onView: (view: TraceView) => void): void {
  const at = VIEWS.findIndex(([id]) => id === view)
  const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: VIEWS.length - 1 }[event.key]
  if (to === undefined) return
  event.preventDefault()
  const next = VIEWS[(to + VIEWS.length) % VIEWS.length]![0]
  onView(next)
  ;(event.currentTarget as HTMLElement).querySelector<HTMLElement>(`[data-hdt-view="${next}"]`)?.focus()
}

/**
 * The waterfall's analysis switches: critical path only, the self-time column, and the
 * threshold at which repeated siblings fold; with how long the analysis took.
 *
 * @example
 * ```tsx
 * <AnalysisControls options={options} onChange={setOptions} analysis={analysis} />
 * ```
 */
export function AnalysisControls({ options, onChange, analysis }: { options: AnalysisOptions; onChange(options: AnalysisOptions): void; analysis: WaterfallAnalysis | undefined }) {
  return (
    <div class="hdt-toolbar-row hdt-otel-analysis">
      <label>
        <input type="checkbox" checked={options.criticalOnly} onChange={(event) => onChange({ ...options, criticalOnly: (event.currentTarget as HTMLInputElement).checked })} /> critical path only
      </label>
      <label>
        <input type="checkbox" checked={options.showSelf} onChange={(event) => onChange({ ...options, showSelf: (event.currentTarget as HTMLInputElement).checked })} /> self time column
      </label>
      <label>
        fold repeated spans from{' '}
        <input
          type="number"
          min="0"
          step="1"
          aria-label="Fold repeated sibling spans from this count (0: never)"
          value={options.foldAt}
          onInput={(event) => onChange({ ...options, foldAt: Math.max(0, Math.floor(Number((event.currentTarget as HTMLInputElement).value) || 0)) })}
          onKeyDown={escapeClears(
            () => onChange({ ...options, foldAt: DEFAULT_ANALYSIS_OPTIONS.foldAt }),
            (value) => value === String(DEFAULT_ANALYSIS_OPTIONS.foldAt),
          )}
        />{' '}
        <span class="hdt-muted">(0: off)</span>
      </label>
      <span class="hdt-muted hdt-otel-analysis-note">
        {analysis ? `critical path: ${plural(analysis.criticalCount, 'span', 'spans')} · analysed in ${formatMs(analysis.tookMs)}` : 'analysing…'}
      </span>
    </div>
  )
}
