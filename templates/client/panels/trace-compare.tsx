import { useEffect, useMemo, useState } from 'preact/hooks'
import type { PathStep, SpanChange, TraceComparison } from '../../../src/core/trace-analysis/index.js'
import { useLiveUpdates } from '../live-events.js'
import { getJson } from '../toolbar-api.js'
import type { RequestDetail, RequestSummary } from '../types.js'
import { formatClock, plural } from '../format.js'
import { formatDuration } from './span-tree.js'

// Lines of each list shown; the totals say how many there are.
const SHOWN = 50

export interface TraceCompareProps {
  prefix: string
  /** The request shown: its trace is "after". */
  request: RequestDetail
  traceId: string
}

/**
 * Compares this request's trace with another request's: by default the previous request of
 * the same route; without one, it says so and compares only with the request the user
 * chooses (another route's, or a later one: this request is then the "before"). Shows the total duration before and
 * after, per group (service and span name, or SQL shape) the count and time before and
 * after, the spans added and removed, and both critical paths. The diff comes from
 * `GET {prefix}/api/traces/:a/compare/:b`, and is fetched again when spans join either
 * trace (a downstream service exports after the response: until then its spans would read
 * as removed).
 *
 * @example
 * ```tsx
 * <TraceCompare prefix="/_debug_toolbar" request={detail} traceId={stats.traceId} />
 * ```
 */
export function TraceCompare({ prefix, request, traceId }: TraceCompareProps) {
  const [candidates, setCandidates] = useState<RequestSummary[] | undefined>()
  const [otherTraceId, setOtherTraceId] = useState<string | undefined>()
  const [diff, setDiff] = useState<{ state: 'idle' | 'loading' } | { state: 'ready'; pair: string; diff: TraceComparison } | { state: 'failed'; message: string }>({ state: 'idle' })
  const [version, setVersion] = useState(0)
  useLiveUpdates(
    prefix,
    (m) => m.type.startsWith('trace.') && m.data.traceId !== undefined && (m.data.traceId === traceId || m.data.traceId === otherTraceId),
    () => setVersion((n) => n + 1),
  )

  useEffect(() => {
    const controller = new AbortController()
    getJson<{ requests: RequestSummary[] }>(`${prefix}/api/requests?limit=200`, controller.signal).then(
      ({ requests }) => {
        const others = sameRouteFirst(requests.filter((r) => r.id !== request.id && r.traceId && r.traceId !== traceId), request)
        setCandidates(others)
        setOtherTraceId((current) => current ?? defaultBefore(others, request)?.traceId)
      },
      () => setCandidates([]),
    )
    return () => controller.abort()
  }, [prefix, request, traceId])

  // A request chosen that ran after this one is the "after" side: before and after follow the clock.
  const later = otherTraceId !== undefined && (candidates?.find((r) => r.traceId === otherTraceId)?.startedAt ?? '') > request.startedAt
  useEffect(() => {
    if (!otherTraceId) return
    const controller = new AbortController()
    const pair = later ? `${traceId}/${otherTraceId}` : `${otherTraceId}/${traceId}`
    // A refetch after late spans keeps the comparison of the same two traces shown until the new one is there.
    setDiff((shown) => (shown.state === 'ready' && shown.pair === pair ? shown : { state: 'loading' }))
    const [a, b] = pair.split('/')
    getJson<TraceComparison>(`${prefix}/api/traces/${encodeURIComponent(a)}/compare/${encodeURIComponent(b)}`, controller.signal).then(
      (answer) => setDiff({ state: 'ready', pair, diff: answer }),
      (error: unknown) => {
        if (!controller.signal.aborted) setDiff({ state: 'failed', message: error instanceof Error ? error.message : String(error) })
      },
    )
    return () => controller.abort()
  }, [prefix, otherTraceId, traceId, later, version])

  if (!candidates) return <p class="hdt-muted">Loading recent requests…</p>
  if (candidates.length === 0) return <p class="hdt-muted">No other request with a trace to compare with yet: make the request again.</p>
  return (
    <div class="hdt-compare">
      {!otherTraceId && (
        <p class="hdt-muted hdt-compare-none">
          No earlier {request.method} {request.route ?? request.path} request to compare with: load the page again, or choose another request.
        </p>
      )}
      <label class="hdt-toolbar-row">
        Compare with{' '}
        <select aria-label="Request to compare with" value={otherTraceId ?? ''} onChange={(event) => setOtherTraceId((event.currentTarget as HTMLSelectElement).value || undefined)}>
          {!otherTraceId && (
            <option value="" disabled>
              Choose a request…
            </option>
          )}
          {candidates.map((r) => (
            <option key={r.id} value={r.traceId}>
              {r.method} {r.path} · {r.status ?? '…'} · {formatClock(r.startedAt)}
              {r.route === request.route && r.method === request.method ? '' : ' (another route)'}
            </option>
          ))}
        </select>
      </label>
      {diff.state === 'loading' && <p class="hdt-muted">Comparing…</p>}
      {diff.state === 'failed' && <p class="hdt-error-note">Could not compare: {diff.message}</p>}
      {diff.state === 'ready' && <ComparisonView diff={diff.diff} thisIs={diff.pair.startsWith(traceId) ? 'before' : 'after'} />}
    </div>
  )
}

/** `thisIs`: which side the request shown is; the other is the request chosen. */
function ComparisonView({ diff, thisIs }: { diff: TraceComparison; thisIs: 'before' | 'after' }) {
  const delta = Number(diff.durationDeltaNs)
  const changed = useMemo(() => diff.groups.filter((g) => g.countA !== g.countB || g.totalNsA !== g.totalNsB).slice(0, SHOWN), [diff])
  return (
    <>
      <p class="hdt-compare-summary">
        Before {thisIs === 'before' && '(this request) '}
        <strong>{formatDuration(Number(diff.durationNsA))}</strong> → after {thisIs === 'before' && '(a later request) '}
        <strong>{formatDuration(Number(diff.durationNsB))}</strong>{' '}
        <span class={delta > 0 ? 'hdt-compare-worse' : 'hdt-compare-better'}>({signed(delta, formatDuration)})</span>
        {' · '}
        {plural(diff.addedTotal, 'span', 'spans')} added, {diff.removedTotal} removed
      </p>
      <h3 class="hdt-span-section">Groups</h3>
      <div class="hdt-table-scroll">
        <table class="hdt-table hdt-compare-groups">
          <thead>
            <tr>
              <th scope="col">Service: span name or SQL</th>
              <th scope="col" class="hdt-num">Count before</th>
              <th scope="col" class="hdt-num">Count after</th>
              <th scope="col" class="hdt-num">Δ count</th>
              <th scope="col" class="hdt-num">Time before</th>
              <th scope="col" class="hdt-num">Time after</th>
            </tr>
          </thead>
          <tbody>
            {changed.map((g) => (
              <tr key={g.key}>
                <td class="hdt-code hdt-cut-cell" title={g.key}>
                  {g.key}
                </td>
                <td class="hdt-num">{g.countA}</td>
                <td class="hdt-num">{g.countB}</td>
                <td class={`hdt-num hdt-compare-delta${g.countB > g.countA ? ' hdt-compare-worse' : g.countB < g.countA ? ' hdt-compare-better' : ''}`}>{signed(g.countB - g.countA, String)}</td>
                <td class="hdt-num">{groupTime(g.countA, g.totalNsA)}</td>
                <td class="hdt-num">{groupTime(g.countB, g.totalNsB)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {changed.length === 0 && <p class="hdt-muted">Every group has the same count and time.</p>}
      <div class="hdt-compare-columns">
        <SpanList title="Added" spans={diff.added} total={diff.addedTotal} />
        <SpanList title="Removed" spans={diff.removed} total={diff.removedTotal} />
      </div>
      <div class="hdt-compare-columns">
        <CriticalPathList title="Critical path before" steps={diff.criticalPathA} />
        <CriticalPathList title="Critical path after" steps={diff.criticalPathB} />
      </div>
    </>
  )
}

function SpanList({ title, spans, total }: { title: string; spans: SpanChange[]; total: number }) {
  return (
    <section class="hdt-compare-list" aria-label={title}>
      <h3 class="hdt-span-section">
        {title} ({total})
      </h3>
      {total === 0 ? (
        <p class="hdt-muted">None.</p>
      ) : (
        <ul>
          {spans.slice(0, SHOWN).map((s) => (
            <li key={s.spanId}>
              <span class="hdt-muted">{s.service}</span> {s.name} <span class="hdt-muted">{formatDuration(Number(s.durationNs))}</span>
            </li>
          ))}
          {total > SHOWN && <li class="hdt-muted">and {total - SHOWN} more</li>}
        </ul>
      )}
    </section>
  )
}

function CriticalPathList({ title, steps }: { title: string; steps: PathStep[] }) {
  return (
    <section class="hdt-compare-list" aria-label={title}>
      <h3 class="hdt-span-section">{title}</h3>
      <ol>
        {steps.slice(0, SHOWN).map((s) => (
          <li key={s.spanId}>
            <span class="hdt-muted">{s.service}</span> {s.name} <span class="hdt-muted">{formatDuration(Number(s.onPathNs))} on the path</span>
          </li>
        ))}
        {steps.length > SHOWN && <li class="hdt-muted">and {steps.length - SHOWN} more</li>}
      </ol>
    </section>
  )
}

function signed(value: number, format: (n: number) => string): string {
  return value > 0 ? `+${format(value)}` : value < 0 ? `−${format(-value)}` : '±0'
}

/** Requests of the same method and route first (newest first within each part). */
function sameRouteFirst(requests: RequestSummary[], request: RequestDetail): RequestSummary[] {
  const same = (r: RequestSummary) => r.method === request.method && r.route === request.route
  return [...requests.filter(same), ...requests.filter((r) => !same(r))]
}

/** A group's time on one side; a dash where it had no span, which is not a span of 0 ns. */
function groupTime(count: number, totalNs: string): string {
  return count === 0 ? '—' : formatDuration(Number(totalNs))
}

/**
 * The previous request of the same method and route (the newest before this one) that
 * succeeded, else the previous one whatever its status, or none: a `/users/999` that answered
 * 404 ran another path than the page, and a failed request reads best against one that
 * worked. A later request or another route's would read as "before" without being it, so
 * those are compared only when the user picks them.
 */
function defaultBefore(candidates: RequestSummary[], request: RequestDetail): RequestSummary | undefined {
  const earlier = candidates.filter((r) => r.method === request.method && r.route === request.route && r.startedAt < request.startedAt)
  return earlier.find((r) => r.status !== undefined && r.status < 400) ?? earlier[0]
}
