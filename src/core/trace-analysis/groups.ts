/**
 * Repeated siblings: children of one parent with the same group key, the same name or, for
 * database spans, the same SQL shape. Twelve `SELECT orders` under one request span are one
 * group of twelve; a SQL group is the N+1 pattern the SQL panel flags.
 */
import { sqlShape, sqlTextOf } from './sql-shape.js'
import type { TraceTimeline } from './timeline.js'

/** A run of repeated siblings (ns from the trace start). */
export interface SiblingGroup {
  /** Index of the common parent, or -1 for spans without a parent. */
  parent: number
  key: string
  /** The name of the first span of the group. */
  name: string
  /** Whether the spans are database queries (grouped by their SQL shape). */
  sql: boolean
  /** The spans, by start. */
  spans: number[]
  totalNs: number
  maxNs: number
}

/**
 * The group key of every span: `service: SQL shape` for database spans, else `service: name`.
 * Shapes are computed once per distinct statement text.
 *
 * @example
 * ```ts
 * groupKeys(timeline)[3] // 'demo-basic: SELECT author, text FROM comments WHERE post_id = ?'
 * ```
 */
export function groupKeys(timeline: TraceTimeline): { keys: string[]; sql: Uint8Array } {
  // Keys are built once per service and distinct name or statement, then shared.
  const byService = timeline.services.map(() => ({ names: new Map<string, string>(), statements: new Map<string, string>() }))
  const keys = new Array<string>(timeline.spans.length)
  const sql = new Uint8Array(timeline.spans.length)
  for (let i = 0; i < keys.length; i++) {
    const span = timeline.spans[i]!
    const known = byService[timeline.service[i]!]!
    const text = sqlTextOf(span)
    const cache = text === undefined ? known.names : known.statements
    const label = text ?? span.name
    let key = cache.get(label)
    if (key === undefined) {
      key = `${timeline.services[timeline.service[i]!]}: ${text === undefined ? label : sqlShape(text)}`
      cache.set(label, key)
    }
    keys[i] = key
    if (text !== undefined) sql[i] = 1
  }
  return { keys, sql }
}

/**
 * Siblings sharing a key, for every parent; only groups of at least `minCount` spans
 * (default 2), largest total first.
 *
 * @example
 * ```ts
 * const groups = siblingGroups(timeline, groupKeys(timeline))
 * groups[0] // { key: 'demo-basic: SELECT ... WHERE post_id = ?', spans: [5, 6, 7], sql: true, ... }
 * ```
 */
export function siblingGroups(timeline: TraceTimeline, { keys, sql }: { keys: string[]; sql: Uint8Array }, minCount = 2): SiblingGroup[] {
  const groups: SiblingGroup[] = []
  const collect = (parent: number, members: ArrayLike<number>, from: number, to: number) => {
    if (to - from < minCount) return
    const byKey = new Map<string, number[]>()
    for (let k = from; k < to; k++) {
      const i = members[k]!
      const list = byKey.get(keys[i]!)
      if (list) list.push(i)
      else byKey.set(keys[i]!, [i])
    }
    for (const [key, spans] of byKey) {
      if (spans.length < minCount) continue
      let totalNs = 0
      let maxNs = 0
      for (const i of spans) {
        const d = timeline.end[i]! - timeline.start[i]!
        totalNs += d
        if (d > maxNs) maxNs = d
      }
      groups.push({ parent, key, name: timeline.spans[spans[0]!]!.name, sql: sql[spans[0]!] === 1, spans, totalNs, maxNs })
    }
  }
  collect(-1, timeline.roots, 0, timeline.roots.length)
  for (let p = 0; p < timeline.spans.length; p++) collect(p, timeline.children, timeline.childStart[p]!, timeline.childStart[p + 1]!)
  return groups.sort((a, b) => b.totalNs - a.totalNs || b.spans.length - a.spans.length)
}
