import { z } from 'zod'
import type { RequestDetail } from '../../core/toolbar.js'
import type { SqlStats } from '../../panels/sql.js'
import { panelStats } from '../data.js'
import { onRoute, recordedRoutes, requestId, route, routesText } from '../schemas.js'
import type { DefineTool, McpContext } from '../server.js'
import { counted, ms, stillRunning, ToolError } from '../result.js'
import { durationNs, serviceOf } from '../trace-tree.js'

/** Most span groups (and added / removed ones) a comparison lists. */
const MAX_GROUPS = 30

interface GroupTotals {
  key: string
  name: string
  service: string | undefined
  count: number
  totalMs: number
}

/**
 * `compare_requests`: two requests (or the last two of a route) side by side.
 *
 * @example
 * ```ts
 * registerCompareTool(define, ctx)
 * ```
 */
export function registerCompareTool(define: DefineTool, ctx: McpContext): void {
  const { data } = ctx
  define('compare_requests', {
    title: 'Compare two requests',
    description:
      'Two requests side by side: duration, query count and time, and span groups (same name and service) added, removed or changed, with per-group count and time deltas. Give request_ids [before, after], or a route to compare its last two requests. Requests of two different routes are compared too, with a warning on the first line.',
    input: {
      request_ids: z.array(requestId).length(2).optional().describe('[before, after]'),
      route: route.optional().describe('Compare the last two requests of this route pattern or path (optionally after the method: GET /users/:id)'),
    },
    async run(args) {
      let ids = args.request_ids
      if (ids && args.route) throw new ToolError('give request_ids or route, not both')
      if (ids && ids[0] === ids[1]) throw new ToolError(`request_ids names "${ids[0]}" twice: give two different requests`)
      if (!ids) {
        if (!args.route) throw new ToolError('give request_ids (two ids) or route')
        const history = await data.summaries()
        const rows = history.filter((r) => onRoute(r, args.route!))
        if (rows.length < 2) {
          const routes = recordedRoutes(history, args.route.route).filter((r) => r.requests >= 2)
          const hint = routes.length ? ` Routes with two or more: ${routesText(routes)}.` : ''
          throw new ToolError(`route "${args.route.text}" has ${rows.length} recorded ${rows.length === 1 ? 'request' : 'requests'}; comparing needs two.${hint}`)
        }
        ids = [rows[1]!.id, rows[0]!.id]
      }
      const [a, b] = [await data.request(ids[0]!), await data.request(ids[1]!)]
      const [spansA, spansB] = [await data.requestSpans(a), await data.requestSpans(b)]
      // Without the spans of one side, every group of the other would read as added or removed.
      const [groupsA, groupsB] = spansA.length && spansB.length ? [spanGroups(spansA), spanGroups(spansB)] : [new Map<string, GroupTotals>(), new Map<string, GroupTotals>()]
      const keys = [...new Set([...groupsA.keys(), ...groupsB.keys()])]
      const rows = keys.map((key) => {
        const x = groupsA.get(key)
        const y = groupsB.get(key)
        const named = (x ?? y)!
        return { name: named.name, service: named.service, countA: x?.count ?? 0, countB: y?.count ?? 0, totalMsA: x?.totalMs ?? 0, totalMsB: y?.totalMs ?? 0, deltaMs: (y?.totalMs ?? 0) - (x?.totalMs ?? 0) }
      })
      const added = rows.filter((r) => r.countA === 0)
      const removed = rows.filter((r) => r.countB === 0)
      const changed = rows.filter((r) => r.countA > 0 && r.countB > 0 && (r.countA !== r.countB || Math.abs(r.deltaMs) >= 0.05)).sort((p, q) => Math.abs(q.deltaMs) - Math.abs(p.deltaMs))
      const [sa, sb] = [summary(a), summary(b)]
      // Two handlers compared read like one handler that changed: say so before anything else.
      const differentRoutes = sa.route !== sb.route ? { a: sa.route, b: sb.route } : undefined
      const result = {
        ...(differentRoutes && { differentRoutes }),
        a: sa,
        b: sb,
        // Undefined (left out of the JSON) where a side is not known: a request still sending
        // its body has no duration yet, a request without the SQL panel no query figures.
        durationDeltaMs: difference(sa.durationMs, sb.durationMs),
        queryCountDelta: difference(sa.queries, sb.queries),
        queryMsDelta: difference(sa.queryMs, sb.queryMs),
        spansA: spansA.length,
        spansB: spansB.length,
        added: added.slice(0, MAX_GROUPS),
        removed: removed.slice(0, MAX_GROUPS),
        changed: changed.slice(0, MAX_GROUPS),
        truncated: added.length > MAX_GROUPS || removed.length > MAX_GROUPS || changed.length > MAX_GROUPS,
      }
      const groupLine = (r: (typeof rows)[number]) => {
        const name = `  ${r.name}${r.service ? ` [${r.service}]` : ''}: `
        if (r.countA === 0) return `${name}only in B, x${r.countB} ${ms(r.totalMsB)}`
        if (r.countB === 0) return `${name}only in A, x${r.countA} ${ms(r.totalMsA)}`
        return `${name}x${r.countA} ${ms(r.totalMsA)} -> x${r.countB} ${ms(r.totalMsB)} (${signed(r.deltaMs, true)})`
      }
      const noSpans = [spansA.length === 0 && 'A', spansB.length === 0 && 'B'].filter(Boolean)
      const groupLines = noSpans.length
        ? [`Span groups not compared: ${noSpans.join(' and ')} ${noSpans.length === 1 ? 'has' : 'have'} no spans recorded (no OpenTelemetry panel, or the trace is no longer kept)`]
        : [
            `Span groups added in B: ${added.length}`,
            ...result.added.map(groupLine),
            `Span groups removed in B: ${removed.length}`,
            ...result.removed.map(groupLine),
            `Span groups changed: ${changed.length}`,
            ...result.changed.map(groupLine),
            ...(result.truncated ? [`(lists cut at ${MAX_GROUPS} groups each)`] : []),
          ]
      const text = [
        ...(differentRoutes ? [`Warning: A and B are different routes (A: ${differentRoutes.a}, B: ${differentRoutes.b}): the differences below are between two handlers, not a change of one.`] : []),
        summaryLine('A', sa),
        summaryLine('B', sb),
        `Delta: duration ${signed(result.durationDeltaMs, true)}, queries ${signed(result.queryCountDelta)}, query time ${signed(result.queryMsDelta, true)}`,
        ...groupLines,
      ].join('\n')
      return { text, data: result }
    },
  })
}

interface Side {
  id: string
  route: string
  status: number | undefined
  durationMs: number | undefined
  inFlight: boolean
  /** Undefined without the SQL panel's stats: not recorded, which is not zero. */
  queries: number | undefined
  queryMs: number | undefined
}

function summary(d: RequestDetail): Side {
  const sql = panelStats<SqlStats>(d, 'sql')
  return { id: d.id, route: `${d.method} ${d.route ?? d.path}`, status: d.status, durationMs: d.durationMs, inFlight: d.inFlight === true, queries: sql?.count, queryMs: sql?.totalMs }
}

function summaryLine(label: string, s: Side): string {
  const duration = s.durationMs === undefined ? (s.inFlight ? stillRunning(s.status) : 'duration unknown') : ms(s.durationMs)
  const queries = s.queries === undefined ? 'queries not recorded (no SQL panel)' : `${counted(s.queries, 'query', 'queries')} in ${ms(s.queryMs)}`
  return `${label} ${s.id} ${s.route} ${s.status ?? '…'} ${duration}, ${queries}`
}

/** `b - a`, or undefined when a side is not known. */
function difference(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : b - a
}

/** A difference with its sign (`+3`, `-1.20 ms`); `–` when a side is not known. */
function signed(n: number | undefined, millis = false): string {
  if (n === undefined) return '–'
  return `${n >= 0 ? '+' : ''}${millis ? ms(n) : n}`
}

/** Spans grouped by service and name, with count and total time. */
function spanGroups(spans: Parameters<typeof serviceOf>[0][]): Map<string, GroupTotals> {
  const groups = new Map<string, GroupTotals>()
  for (const span of spans) {
    const service = serviceOf(span)
    const key = `${service ?? ''}\u0000${span.name}`
    const group = groups.get(key) ?? { key, name: span.name, service, count: 0, totalMs: 0 }
    group.count++
    group.totalMs += Number(durationNs(span) ?? 0n) / 1e6
    groups.set(key, group)
  }
  return groups
}
