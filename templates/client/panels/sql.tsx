import { useMemo, useState } from 'preact/hooks'
import type { SqlQueryStats, SqlStats } from '../../../src/panels/sql.js'
import { MAX_PARAM_BYTES, MAX_QUERY_CHARS } from '../../../src/shapes/records.js'
import { formatMs } from '../format.js'
import { barStyle } from '../bar-style.js'
import { getJson } from '../toolbar-api.js'
import type { PanelProps } from '../types.js'
import { FilterLine, openerNote, PickButton, pickKeyOfSql, sqlPicks, useSqlFilter, type SqlFilter, type SqlPick } from './sql-filter.js'
import { SqlText } from './sql-text.js'
import { fullScanNote, fullScans } from '../../../src/shapes/query-plan.js'

/** What `GET {prefix}/api/sql/:requestId/:queryId/explain` answers. */
interface ExplainAnswer {
  dbSystem: string
  explainSql: string
  rows: Array<Record<string, unknown>>
}

/** What `GET {prefix}/api/sql/:requestId/:queryId` answers: the whole query. */
interface FullQuery {
  sql: string
  params: unknown[]
}

/** What a query too big to keep whole lost when it was recorded. */
function cutNote(cut: NonNullable<SqlQueryStats['cut']>): string {
  const parts = [
    cut.sqlChars !== undefined && `the SQL was ${cut.sqlChars.toLocaleString('en')} characters; the first ${MAX_QUERY_CHARS.toLocaleString('en')} are kept`,
    cut.params && `the params were over ${MAX_PARAM_BYTES / 1024} KiB and are kept shortened`,
  ].filter(Boolean)
  return `Too big to keep whole: ${parts.join('; ')}.`
}

type Extra = { kind: 'loading'; what: string } | { kind: 'error'; message: string } | { kind: 'explain'; plan: ExplainAnswer } | { kind: 'full'; query: FullQuery }

/**
 * The SQL panel: each query in the order it started, on the request's time line, with EXPLAIN on
 * demand. The duplicate and similar badges are buttons that show only the queries they count,
 * each still under its own number and at its place on the time line. Opened at a SQL text (the
 * waterfall's N+1 badge), it shows the group of queries of its shape, as their badge does, and
 * says how many of them the badge counted when that is fewer (those under one span).
 */
export function SqlView({ stats, request, prefix, target }: PanelProps<SqlStats>) {
  const [extras, setExtras] = useState<Record<number, Extra>>({})
  const setExtra = (id: number, extra: Extra) => setExtras((all) => ({ ...all, [id]: extra }))
  const load = <T,>(id: number, what: string, url: string, done: (answer: T) => Extra) => {
    setExtra(id, { kind: 'loading', what })
    getJson<T>(url).then(
      (answer) => setExtra(id, done(answer)),
      (error: Error) => setExtra(id, { kind: 'error', message: error.message }),
    )
  }
  const base = `${prefix}/api/sql/${encodeURIComponent(request.id)}`
  const explain = (q: SqlQueryStats) => load<ExplainAnswer>(q.id, 'plan', `${base}/${q.id}/explain`, (plan) => ({ kind: 'explain', plan }))
  const showFull = (q: SqlQueryStats) => load<FullQuery>(q.id, 'query', `${base}/${q.id}`, (query) => ({ kind: 'full', query }))

  // The time line spans the request; a query still running after the body was sent widens it.
  const span = Math.max(request.durationMs ?? 0, ...stats.queries.map((q) => q.startMs + q.durationMs), 0.001)
  const slow = stats.queries.filter((q) => q.slow).length
  const failed = stats.queries.filter((q) => q.error !== null).length
  const picks = useMemo(() => sqlPicks(stats), [stats])
  const columns = useMemo(() => columnWidths(stats.queries, request.durationMs), [stats, request.durationMs])
  const openedAt = useMemo(() => target && pickKeyOfSql(stats, target.sql), [stats, target])
  const filter = useSqlFilter(picks, openedAt)
  const shown = filter.shown ? stats.queries.filter((q) => filter.shown!.ids.has(q.id)) : stats.queries
  // Opened at a group another panel counted otherwise (the waterfall's, under one span): said under the summary.
  const note = target && filter.shown && filter.shown.key === openedAt ? openerNote(filter.shown.ids.size, target) : undefined
  return (
    <div class="hdt-sql" ref={filter.list} onKeyDown={filter.onKeyDown}>
      {/* Nothing ran: the line below the filters says so, without a count of 0 in 0 ms. */}
      {(stats.count > 0 || stats.dropped > 0) && (
        <p class="hdt-sql-summary">
          <strong>{stats.count} {stats.count === 1 ? 'query' : 'queries'}</strong> in {formatMs(stats.totalMs)}
          {stats.dropped > 0 && <span class="hdt-badge hdt-badge-warn">{stats.dropped} more not kept</span>}
          {picks.summary.map((pick) => (
            <PickButton key={pick.key} pick={pick} filter={filter} />
          ))}
          {slow > 0 && <span class="hdt-badge hdt-badge-warn">{slow} slow (≥ {formatMs(stats.slowQueryMs)})</span>}
          {failed > 0 && <span class="hdt-badge hdt-badge-error">{failed} failed</span>}
        </p>
      )}
      <FilterLine filter={filter} note={note} />
      {stats.queries.length === 0 ? (
        <p class="hdt-muted">
          No queries in this request. If it uses a database, wrap it with <code>instrumentBetterSqlite3(db)</code> or <code>instrumentPg(pool)</code>, or
          report queries with <code>recordQuery()</code>.
        </p>
      ) : (
        <table class="hdt-table hdt-sql-queries">
          <colgroup>
            <col style={{ width: columns.id }} />
            <col style={{ width: columns.start }} />
            <col style={{ width: columns.time }} />
            <col class="hdt-sql-timeline" />
            <col />
            <col style={{ width: columns.rows }} />
          </colgroup>
          <thead>
            <tr>
              <th class="hdt-num">#</th>
              <th class="hdt-num">Start</th>
              <th class="hdt-num">Time</th>
              <th class="hdt-sql-timeline">Timeline</th>
              <th>Query</th>
              <th class="hdt-num">Rows</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((q) => (
              <QueryRow
                key={q.id}
                query={q}
                span={span}
                answeredAt={request.durationMs}
                extra={extras[q.id]}
                picks={picks.ofQuery.get(q.id)}
                filter={filter}
                onExplain={() => explain(q)}
                onShowFull={() => showFull(q)}
              />
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}

interface QueryRowProps {
  query: SqlQueryStats
  span: number
  /** The request's duration: a query that started later ran after the response (as a log line can). */
  answeredAt: number | undefined
  extra: Extra | undefined
  /** Its duplicate and similar badges. */
  picks: SqlPick[] | undefined
  filter: SqlFilter
  onExplain(): void
  onShowFull(): void
}

function QueryRow({ query: q, span, answeredAt, extra, picks, filter, onExplain, onShowFull }: QueryRowProps) {
  const left = clamp((q.startMs / span) * 100)
  const width = Math.min(clamp((q.durationMs / span) * 100), 100 - left)
  const full = extra?.kind === 'full' ? extra.query : undefined
  return (
    <tr class={q.error !== null ? 'hdt-sql-failed' : q.slow ? 'hdt-sql-slow' : undefined}>
      <td class="hdt-num hdt-muted">{q.id}</td>
      <td class="hdt-num">
        {formatMs(q.startMs)}
        {answeredAt !== undefined && q.startMs > answeredAt && <div class="hdt-muted hdt-sql-late">after the response</div>}
      </td>
      <td class="hdt-num">{formatMs(q.durationMs)}</td>
      <td class="hdt-sql-timeline">
        <div class="hdt-bar" title={`${formatMs(q.startMs)} → ${formatMs(q.startMs + q.durationMs)}`}>
          <span style={barStyle(left, width)} />
        </div>
      </td>
      <td class="hdt-sql-cell">
        <div class="hdt-sql-badges">
          <span class="hdt-badge">{q.dbSystem}</span>
          {q.inTransaction && <span class="hdt-badge">in transaction</span>}
          {picks?.map((pick) => (
            <PickButton key={pick.key} pick={pick} filter={filter} />
          ))}
          {q.slow && <span class="hdt-badge hdt-badge-warn">slow</span>}
          {q.error !== null && <span class="hdt-badge hdt-badge-error">error</span>}
        </div>
        <SqlText sql={full ? full.sql : q.sql} />
        {q.error !== null && <pre class="hdt-code hdt-sql-error">{q.error}</pre>}
        {(full ? full.params : q.params).length > 0 && (
          <div class="hdt-sql-params">
            <span class="hdt-muted">params </span>
            <code>{JSON.stringify(full ? full.params : q.params)}</code>
          </div>
        )}
        {q.caller !== null && <div class="hdt-sql-caller hdt-muted">{q.caller}</div>}
        {q.cut && <div class="hdt-sql-cut hdt-muted">{cutNote(q.cut)}</div>}
        <div class="hdt-toolbar-row">
          {q.explainable && (
            <button type="button" onClick={onExplain}>
              Explain
            </button>
          )}
          {(q.truncated || q.paramsTruncated) && !full && (
            <button type="button" onClick={onShowFull}>
              Show full query
            </button>
          )}
        </div>
        {extra?.kind === 'loading' && <p class="hdt-muted">Loading the {extra.what}…</p>}
        {extra?.kind === 'error' && <p class="hdt-sql-error">{extra.message}</p>}
        {extra?.kind === 'explain' && <Plan plan={extra.plan} />}
      </td>
      <td class="hdt-num">{q.rowCount ?? <span class="hdt-muted">—</span>}</td>
    </tr>
  )
}

/**
 * The widths of the number columns, from every query of the request, shown or filtered out: a
 * filter leaves the columns where they are. In `ch` (`textCh`), at least the header's width,
 * plus the cells' padding (`--hdt-sql-pad`).
 */
function columnWidths(queries: SqlQueryStats[], answeredAt: number | undefined): { id: string; start: string; time: string; rows: string } {
  let id = 2
  let start = 4.5
  let time = 4
  let rows = 4.5
  for (const q of queries) {
    id = Math.max(id, String(q.id).length)
    // "after the response" wraps under a late query's time: "after the" is about 7ch.
    start = Math.max(start, textCh(formatMs(q.startMs)), answeredAt !== undefined && q.startMs > answeredAt ? 7.5 : 0)
    time = Math.max(time, textCh(formatMs(q.durationMs)))
    rows = Math.max(rows, String(q.rowCount ?? '—').length)
  }
  const width = (ch: number) => `calc(${ch}ch + var(--hdt-sql-pad))`
  return { id: width(id), start: width(start), time: width(time), rows: width(rows) }
}

/** About how many `ch` a number or a time takes: a digit is one (tabular figures), a point or a space half, an `m` one and a half. */
function textCh(text: string): number {
  let ch = 0
  for (const c of text) ch += c === '.' || c === ' ' ? 0.5 : c === 'm' ? 1.5 : 1
  return ch
}

/** An EXPLAIN answer: SQLite's plan as a tree (by parent id), PostgreSQL's as its text lines. */
function Plan({ plan }: { plan: ExplainAnswer }) {
  const lines = plan.dbSystem === 'sqlite' ? sqliteTree(plan.rows) : plan.rows.map((row) => Object.values(row).map(String).join(' '))
  // What the plan means for the query, as explain_query says it to an agent.
  const note = fullScanNote(fullScans(plan.rows), plan.explainSql)
  return (
    <div class="hdt-sql-plan">
      <div class="hdt-muted">{plan.explainSql.length > 200 ? `${plan.explainSql.slice(0, 200)}…` : plan.explainSql}</div>
      <pre class="hdt-code">{lines.join('\n')}</pre>
      {note && <p class="hdt-sql-plan-note">{note}</p>}
    </div>
  )
}

/** SQLite's `EXPLAIN QUERY PLAN` rows (`id`, `parent`, `detail`) indented under their parents. */
function sqliteTree(rows: Array<Record<string, unknown>>): string[] {
  const depth = new Map<unknown, number>()
  return rows.map((row) => {
    const level = (depth.get(row.parent) ?? -1) + 1
    depth.set(row.id, level)
    return `${'  '.repeat(level)}${String(row.detail ?? JSON.stringify(row))}`
  })
}

function clamp(percent: number): number {
  return Math.min(100, Math.max(0, percent))
}
