/**
 * Repeated siblings: children of one parent with the same group key, the same name or, for
 * database spans, the same SQL shape. Twelve `SELECT orders` under one request span are one
 * group of twelve; a SQL group is the N+1 pattern the SQL panel flags.
 */
import { dbSystemOf, sqlShapes, sqlTextOf } from './sql-shape.js'
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

/** Each span's group as a small integer, and the key and kind of each group id. */
export interface GroupIds {
  ids: Int32Array
  /** `service: name` or `service: SQL shape`, by id. */
  keys: string[]
  /** Whether the id stands for database spans, by id. */
  sql: boolean[]
}

/**
 * The group of every span, as an id: spans of one service with the same name, or database
 * spans with the same SQL shape, share it. Shapes are computed once per distinct statement,
 * and no string is built per span (a trace of 100,000 spans has that many names at worst).
 *
 * @example
 * ```ts
 * const { ids, keys } = groupIds(timeline)
 * keys[ids[3]] // 'demo-basic: SELECT author, text FROM comments WHERE post_id = ?'
 * ```
 */
export function groupIds(timeline: TraceTimeline): GroupIds {
  const n = timeline.spans.length
  const ids = new Int32Array(n)
  const keys: string[] = []
  const sql: boolean[] = []
  const shapeOf = sqlShapes()
  const byService = timeline.services.map(() => ({ names: new Map<string, number>(), shapes: new Map<string, number>() }))
  for (let i = 0; i < n; i++) {
    const span = timeline.spans[i]!
    const known = byService[timeline.service[i]!]!
    const text = sqlTextOf(span)
    let label = span.name
    let table = known.names
    if (text !== undefined) {
      label = shapeOf(text, dbSystemOf(span))
      table = known.shapes
    }
    let id = table.get(label)
    if (id === undefined) {
      id = keys.length
      table.set(label, id)
      keys.push(`${timeline.services[timeline.service[i]!]}: ${label}`)
      sql.push(text !== undefined)
    }
    ids[i] = id
  }
  return { ids, keys, sql }
}

/**
 * Siblings sharing a group, for every parent; only groups of at least `minCount` spans
 * (default 2), largest total first.
 *
 * @example
 * ```ts
 * const groups = siblingGroups(timeline, groupIds(timeline))
 * groups[0] // { key: 'demo-basic: SELECT ... WHERE post_id = ?', spans: [5, 6, 7], sql: true, ... }
 * ```
 */
export function siblingGroups(timeline: TraceTimeline, { ids, keys, sql }: GroupIds, minCount = 2): SiblingGroup[] {
  const groups: SiblingGroup[] = []
  const scratch: number[] = []
  const byId = (a: number, b: number) => ids[a]! - ids[b]! || timeline.start[a]! - timeline.start[b]! || a - b
  const collect = (parent: number, members: ArrayLike<number>, from: number, to: number) => {
    if (to - from < minCount) return
    scratch.length = 0
    for (let k = from; k < to; k++) scratch.push(members[k]!)
    scratch.sort(byId)
    for (let run = 0; run < scratch.length; ) {
      let end = run + 1
      while (end < scratch.length && ids[scratch[end]!] === ids[scratch[run]!]) end++
      if (end - run >= minCount) groups.push(group(timeline, parent, scratch.slice(run, end), keys[ids[scratch[run]!]!]!, sql[ids[scratch[run]!]!]!))
      run = end
    }
  }
  collect(-1, timeline.roots, 0, timeline.roots.length)
  for (let p = 0; p < timeline.spans.length; p++) collect(p, timeline.children, timeline.childStart[p]!, timeline.childStart[p + 1]!)
  return groups.sort((a, b) => b.totalNs - a.totalNs || b.spans.length - a.spans.length)
}

function group(timeline: TraceTimeline, parent: number, spans: number[], key: string, sql: boolean): SiblingGroup {
  let totalNs = 0
  let maxNs = 0
  for (const i of spans) {
    const d = timeline.end[i]! - timeline.start[i]!
    totalNs += d
    if (d > maxNs) maxNs = d
  }
  return { parent, key, name: timeline.spans[spans[0]!]!.name, sql, spans, totalNs, maxNs }
}

/**
 * The same as `groupIds`, under the name the MCP server's trace tools call it by.
 *
 * @example
 * ```ts
 * siblingGroups(timeline, groupKeys(timeline), 3)
 * ```
 */
export const groupKeys: (timeline: TraceTimeline) => GroupIds = groupIds
