import type { RefObject } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import type { SqlQueryGroup, SqlStats } from '../../../src/panels/sql.js'
import { sqlShapes } from '../../../src/shapes/sql-shape.js'
import type { PanelTarget } from '../types.js'

type Kind = 'duplicates' | 'similar'

/**
 * What a duplicate or similar badge says and which queries it picks out: every group of its
 * kind (the summary's badges), or one group (a query's badge, shared by the group's queries).
 */
export interface SqlPick {
  /** `duplicates` or `similar`, then the group's first query id for one group. */
  key: string
  ids: ReadonlySet<number>
  /** What the badge reads: `3 duplicated`, `similar ×4`. */
  label: string
  /** Its accessible name, which holds the label: `Show the 3 duplicated queries`. */
  name: string
  /** The filter line: `Showing 3 duplicated queries`. */
  showing: string
}

/** The badges a request's queries get, built once per stats from its duplicate and similar groups. */
export interface SqlPicks {
  summary: SqlPick[]
  /** A query's own badges (its identical queries, its shape), by query id. */
  ofQuery: Map<number, SqlPick[]>
  byKey: Map<string, SqlPick>
}

/**
 * The summary's and each query's badges from the groups the panel's stats already hold
 * (`duplicates`, `similar`, each with its `queryIds`): the browser needs nothing more.
 *
 * @example
 * ```ts
 * const picks = sqlPicks(stats)
 * picks.summary[0] // { key: 'duplicates', label: '5 duplicated', ids: Set {3, 5, 7, 8, 9}, ... }
 * picks.ofQuery.get(9) // [the pick of #8 and #9, the same count run twice]
 * ```
 */
export function sqlPicks(stats: SqlStats): SqlPicks {
  const picks: SqlPicks = { summary: [], ofQuery: new Map(), byKey: new Map() }
  for (const kind of ['duplicates', 'similar'] as const) {
    const groups = stats[kind]
    if (groups.length === 0) continue
    const every = pickOf(kind, groups, true)
    picks.summary.push(every)
    picks.byKey.set(every.key, every)
    for (const group of groups) {
      const one = pickOf(kind, [group], false)
      picks.byKey.set(one.key, one)
      for (const id of group.queryIds) picks.ofQuery.set(id, [...(picks.ofQuery.get(id) ?? []), one])
    }
  }
  return picks
}

/** The pick of every group of a kind (`whole`, the summary's), or of the one group given. */
function pickOf(kind: Kind, groups: SqlQueryGroup[], whole: boolean): SqlPick {
  const ids = new Set(groups.flatMap((g) => g.queryIds))
  const n = ids.size
  const texts = whole
    ? kind === 'duplicates'
      ? { label: `${n} duplicated`, name: `Show the ${n} duplicated queries`, showing: `${n} duplicated queries` }
      : { label: `${n} similar`, name: `Show the ${n} similar queries`, showing: `${n} similar queries` }
    : kind === 'duplicates'
      ? { label: `duplicate ×${n}`, name: `duplicate ×${n}, show the ${n} identical queries`, showing: `${n} identical queries (same SQL and params)` }
      : { label: `similar ×${n}`, name: `similar ×${n}, show the ${n} queries of this shape`, showing: `${n} queries of one shape (same SQL, other values)` }
  return { key: whole ? kind : groupKey(kind, groups[0]!), ids, ...texts }
}

/** The key of one group's pick: its kind and its first query id. */
function groupKey(kind: Kind, group: SqlQueryGroup): string {
  return `${kind}:${group.queryIds[0]}`
}

/**
 * The pick of the queries of this SQL text's shape (a query span's `db.query.text`, its
 * literals `?` when they were written into the SQL): the similar group of that shape, else the
 * identical runs of it; none when no group has that shape. The waterfall groups its query
 * spans by the same `sqlShape`.
 *
 * @example
 * ```ts
 * pickKeyOfSql(stats, 'SELECT name, price FROM products WHERE id = ?') // 'similar:3', also for queries run with `id = 10`, `id = 11`
 * ```
 */
export function pickKeyOfSql(stats: SqlStats, sql: string): string | undefined {
  // Read as the group's database reads it (MySQL's `"ada"` is a value): the span is one of this request's queries.
  const systems = new Map(stats.queries.map((q) => [q.id, q.dbSystem]))
  const shapeOf = sqlShapes()
  for (const kind of ['similar', 'duplicates'] as const) {
    const group = stats[kind].find((g) => {
      const system = systems.get(g.queryIds[0]!)
      const shape = shapeOf(sql, system)
      // A group's SQL is cut (ending in `…`) past the panel's limit; the span has it whole.
      if (!g.sql.endsWith('…')) return shapeOf(g.sql, system) === shape
      return shape.startsWith(shapeOf(g.sql.slice(0, -1), system))
    })
    if (group) return groupKey(kind, group)
  }
  return undefined
}

/**
 * What the filter line adds when the panel was opened at a group that another panel counted
 * otherwise: the waterfall's N+1 group holds the queries under one parent span, the panel's
 * every query of the shape in the request.
 *
 * @example
 * ```ts
 * openerNote(5, { sql, count: 3, under: 'render order lines' }) // ', 3 of them under “render order lines” in the waterfall'
 * openerNote(3, { sql, count: 3, under: 'GET /orders' }) // undefined: the same queries
 * ```
 */
export function openerNote(shown: number, target: PanelTarget): string | undefined {
  const { count, under } = target
  if (count === undefined || count === shown) return undefined
  const where = under === undefined ? 'one span' : `“${under}”`
  // More in the waterfall: queries over the panel's maxQueries, or spans of the app's own instrumentation.
  return count < shown ? `, ${count} of them under ${where} in the waterfall` : `; the waterfall counted ${count} under ${where}`
}

/** The list's filter: the pick it shows (if any), and what the badges, "Show all" and Esc do to it. */
export interface SqlFilter {
  shown: SqlPick | undefined
  toggle(pick: SqlPick, button: HTMLElement): void
  clear(): void
  /** On the panel: Esc shows every query again before it closes the pane. */
  onKeyDown(event: KeyboardEvent): void
  /** The panel's element, where the first query of the group it was opened at gets the focus. */
  list: RefObject<HTMLDivElement | null>
}

/**
 * The filter a badge turns on (the same badge again turns it off), or the pick the panel was
 * opened at (`openedAt`, read when the panel opens). The filter is kept by key and looked up in
 * the current picks, so stats read again (a query run after the response) keep it.
 */
export function useSqlFilter(picks: SqlPicks, openedAt?: string): SqlFilter {
  const [key, setKey] = useState(openedAt)
  const trigger = useRef<HTMLElement | null>(null)
  const list = useRef<HTMLDivElement>(null)
  const shown = key === undefined ? undefined : picks.byKey.get(key)
  useEffect(() => {
    // Opened at a group: the focus goes to its first query's pressed badge (in view, and the
    // way back), after the pane has focused its heading; "Show all" hands it back there.
    if (openedAt === undefined) return
    const badge = list.current?.querySelector<HTMLElement>('tbody .hdt-sql-pick[aria-pressed="true"]')
    if (!badge) return
    trigger.current = badge
    badge.focus()
    // Only when the panel opens.
  }, [])
  useEffect(() => {
    // "Show all" leaves with the filter: the focus goes back to the badge that filtered, not to the page.
    const button = trigger.current
    if (key !== undefined || !button?.isConnected) return
    const active = (button.getRootNode() as ShadowRoot | Document).activeElement
    if (!active || active === button.ownerDocument.body) button.focus()
  }, [key])
  return {
    shown,
    toggle(pick, button) {
      trigger.current = button
      setKey((on) => (on === pick.key ? undefined : pick.key))
    },
    clear: () => setKey(undefined),
    list,
    onKeyDown(event) {
      if (event.key !== 'Escape' || event.defaultPrevented || !shown) return
      event.preventDefault()
      setKey(undefined)
    },
  }
}

/** A duplicate or similar badge: a toggle button that shows only the queries it counts. */
export function PickButton({ pick, filter }: { pick: SqlPick; filter: SqlFilter }) {
  const on = filter.shown?.key === pick.key
  return (
    <button
      type="button"
      class="hdt-badge hdt-badge-warn hdt-sql-pick"
      aria-label={pick.name}
      aria-pressed={on}
      title={on ? 'Show all queries' : `Show only the ${pick.showing}`}
      onClick={(event) => filter.toggle(pick, event.currentTarget)}
    >
      {pick.label}
    </button>
  )
}

/**
 * Says what the filter shows, with the way back; empty (and still announced when filled) without
 * one. `note` follows what it shows (`openerNote`).
 */
export function FilterLine({ filter, note }: { filter: SqlFilter; note?: string | undefined }) {
  return (
    <p class="hdt-sql-filter" role="status">
      {filter.shown && (
        <>
          Showing {filter.shown.showing}
          {note} —{' '}
          <button type="button" onClick={filter.clear}>
            Show all
          </button>
        </>
      )}
    </p>
  )
}
