import { errorMessageOf, headOf } from '../../core/cut-text.js'
import { currentRecord, slotKey, type RequestRecord } from '../../core/record.js'
import { MAX_PARAM_BYTES, MAX_QUERY_CHARS, OPEN_SPAN_SLOT, SLOTS, type QueryLog, type RecordedQuery } from '../../shapes/records.js'
import { currentRenderId } from '../templates.js'
import { appCaller } from './caller.js'
import { displayParams } from './display.js'
import type { ExplainTarget } from './explain-target.js'

/** How the SQL recorders behave in one request. The SQL panel puts its own in each request. */
export interface SqlSettings {
  /** Queries kept per request; the rest are counted in `dropped`. */
  maxQueries: number
  /** Capture the app's calling frame of each query. */
  captureCaller: boolean
}

export const DEFAULT_SQL_SETTINGS: Readonly<SqlSettings> = Object.freeze({ maxQueries: 1000, captureCaller: true })

/**
 * What the recorders keep per request beside the public QueryLog: the settings in force,
 * the next query id, and the connection each query ran on (for EXPLAIN later).
 */
interface SqlRequestState {
  settings: SqlSettings
  nextId: number
  /** Made when the first query with a connection is stored: most requests have none. */
  explainTargets: Map<number, ExplainTarget> | undefined
}

const STATE_SLOT = slotKey<SqlRequestState>('sql.state')
const SETTINGS_SLOT = slotKey<SqlSettings>('sql.settings')

/**
 * Puts the panel's settings into `record` (the SQL panel calls this when a request starts),
 * so the recorders read them from the request itself and never from shared mutable state.
 */
export function applySqlSettings(record: RequestRecord, settings: () => SqlSettings): void {
  // `settings` is made once per panel: a request without queries allocates nothing here.
  record.slot(SETTINGS_SLOT, settings)
}

function stateOf(record: RequestRecord): SqlRequestState {
  return record.slot(STATE_SLOT, () => ({ settings: record.peek(SETTINGS_SLOT) ?? DEFAULT_SQL_SETTINGS, nextId: 1, explainTargets: undefined }))
}

function logOf(record: RequestRecord): QueryLog {
  return record.slot(SLOTS.sql, () => ({ queries: [], dropped: 0 }))
}

/** The connection a stored query ran on, if the recorder kept one (for EXPLAIN). */
export function explainTargetOf(record: RequestRecord, queryId: number): ExplainTarget | undefined {
  return record.peek(STATE_SLOT)?.explainTargets?.get(queryId)
}

/** A query that has started inside a recorded request; `finishQuery` stores it. */
export interface QueryStart {
  record: RequestRecord
  id: number
  /** `performance.now()` at the start. */
  startTime: number
  caller: string | undefined
  /** The render running where the query was made, if any (see RecordedQuery.renderId). */
  renderId: number | undefined
  /** The app's span open where the query was made, if any (see RecordedQuery.spanId). */
  spanId: string | undefined
  /** Over `maxQueries` already: only counted. */
  dropped: boolean
}

/**
 * Called by a driver adapter right before a query runs: undefined outside a recorded
 * request, so the adapter calls the driver directly and pays nothing more.
 */
export function startQuery(startTime?: number): QueryStart | undefined {
  const record = currentRecord()
  if (!record) return undefined
  const state = stateOf(record)
  const dropped = logOf(record).queries.length >= state.settings.maxQueries
  return {
    record,
    id: state.nextId++,
    startTime: startTime ?? performance.now(),
    caller: !dropped && state.settings.captureCaller ? appCaller() : undefined,
    renderId: dropped ? undefined : currentRenderId(),
    spanId: dropped ? undefined : record.peek(OPEN_SPAN_SLOT)?.openSpanId(),
    dropped,
  }
}

/** How a query ended, as the adapter saw it. */
export interface QueryOutcome {
  sql: string
  params: unknown[]
  dbSystem: string
  rowCount?: number | undefined
  error?: unknown
  inTransaction?: boolean
  /** The connection to run EXPLAIN on later. */
  explainTarget?: ExplainTarget
  /** `performance.now()` at the end; default now. */
  endTime?: number
  /** The operation name, when the caller knows it (see QueryInput). */
  operation?: string
  /** The table or collection, when the caller knows it (see QueryInput). */
  collection?: string
}

/** Stores a finished query in its request, in start order, or counts it as dropped. */
export function finishQuery(start: QueryStart, outcome: QueryOutcome): RecordedQuery | undefined {
  const { record } = start
  const state = stateOf(record)
  const log = logOf(record)
  if (start.dropped || log.queries.length >= state.settings.maxQueries) {
    log.dropped++
    record.wrote()
    return undefined
  }
  const endTime = outcome.endTime ?? performance.now()
  // A query reported as started before the request (recordQuery with a long duration) is
  // shown from the request's start: the toolbar only knows this request's time line.
  const startTime = Math.max(start.startTime, record.startPerf)
  // The record lives as long as the request is in the history: a 10 MB bulk INSERT or blob
  // param is kept as much as the panel shows, not whole.
  const sqlChars = outcome.sql.length
  const paramBytes = paramSize(outcome.params, MAX_PARAM_BYTES)
  const query: RecordedQuery = {
    id: start.id,
    sql: sqlChars > MAX_QUERY_CHARS ? `${headOf(outcome.sql, MAX_QUERY_CHARS)}…` : outcome.sql,
    params: paramBytes > MAX_PARAM_BYTES ? displayParams(outcome.params, { sql: outcome.sql }).params : paramsAsRun(outcome.params),
    dbSystem: outcome.dbSystem,
    startMs: record.offsetOf(startTime),
    durationMs: Math.max(0, endTime - startTime),
    rowCount: outcome.rowCount,
    error: outcome.error === undefined ? undefined : errorMessageOf(outcome.error),
    caller: start.caller,
    inTransaction: outcome.inTransaction ?? false,
  }
  if (start.renderId !== undefined) query.renderId = start.renderId
  if (start.spanId !== undefined) query.spanId = start.spanId
  if (sqlChars > MAX_QUERY_CHARS || paramBytes > MAX_PARAM_BYTES) {
    query.cut = {}
    if (sqlChars > MAX_QUERY_CHARS) query.cut.sqlChars = sqlChars
    if (paramBytes > MAX_PARAM_BYTES) query.cut.params = true
  }
  if (outcome.operation) query.operation = outcome.operation
  if (outcome.collection) query.collection = outcome.collection
  // Queries finish out of order when they overlap (pg, Promise.all): keep the list in start order.
  let at = log.queries.length
  while (at > 0 && log.queries[at - 1]!.startMs > query.startMs) at--
  log.queries.splice(at, 0, query)
  if (outcome.explainTarget) (state.explainTargets ??= new Map()).set(query.id, outcome.explainTarget)
  // A query run by work the request left running (an audit row written after the answer).
  record.wrote(SLOTS.sql, query)
  return query
}

/**
 * About how many bytes `value` holds (strings by length, bytes by byteLength, 8 per other
 * scalar), stopping once past `budget` so a large param costs no more than the budget to
 * measure. Deeper than 16 levels (or a cycle) counts as over.
 */
function paramSize(value: unknown, budget: number, depth = 0): number {
  switch (typeof value) {
    case 'string':
      return value.length
    case 'object':
      break
    default:
      return 8
  }
  if (value === null) return 8
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value.byteLength
  if (value instanceof Date) return 8
  if (depth >= 16) return budget + 1
  let size = 0
  for (const item of Array.isArray(value) ? value : Object.entries(value)) {
    size += paramSize(item, budget - size, depth + 1)
    if (size > budget) return size
  }
  return size
}

/**
 * `time` on the `performance.now()` clock. A `Date.now()` reading (a wall-clock time, which
 * no `performance.now()` of a running process comes near) is moved onto it; a time that is
 * not a finite number is none.
 */
function perfTime(time: number | undefined): number | undefined {
  if (typeof time !== 'number' || !Number.isFinite(time)) return undefined
  return time > performance.timeOrigin / 2 ? time - performance.timeOrigin : time
}

/** A query run by any driver, for `recordQuery()`. */
export interface QueryInput {
  sql: string
  /** Positional values, or one object of named values: `[{ id: 1 }]`. */
  params?: unknown[]
  /**
   * When the query started: `performance.now()`, or `Date.now()` (taken as the wall-clock
   * time it is). Default: now minus `durationMs`.
   */
  startTime?: number
  durationMs: number
  /** Rows returned (reads) or changed (writes); anything but a finite, non-negative number is no count. */
  rowCount?: number
  /** The error the query failed with (an Error or its message). */
  error?: unknown
  /** OpenTelemetry `db.system.name`: 'sqlite', 'postgresql', 'mysql'... Default 'other_sql'. */
  dbSystem?: string
  /**
   * OpenTelemetry `db.operation.name`, when your driver or query builder knows it (`'findUser'`,
   * `'SELECT'`). The toolbar never reads it out of the SQL text, as the conventions ask.
   */
  operation?: string
  /** OpenTelemetry `db.collection.name`: the one table the query works on, when you know it. */
  collection?: string
}

/**
 * Records a query run by any database driver into the current request. Does nothing
 * outside a recorded request. Returns the stored query, or undefined when there is no
 * request or the request already holds `maxQueries`.
 *
 * @example
 * ```ts
 * import { recordQuery } from 'hono-debug-toolbar'
 *
 * const startTime = performance.now()
 * const [rows] = await mysql.execute(sql, params)
 * recordQuery({ sql, params, startTime, durationMs: performance.now() - startTime, rowCount: rows.length, dbSystem: 'mysql' })
 * // with what the query builder knows:
 * recordQuery({ sql, durationMs: 2.1, dbSystem: 'mysql', operation: 'SELECT', collection: 'users' })
 * ```
 */
export function recordQuery(input: QueryInput): RecordedQuery | undefined {
  if (!currentRecord()) return undefined
  const durationMs = Number.isFinite(input.durationMs) && input.durationMs > 0 ? input.durationMs : 0
  const startTime = perfTime(input.startTime) ?? performance.now() - durationMs
  const start = startQuery(startTime)
  if (!start) return undefined
  return finishQuery(start, {
    sql: String(input.sql),
    params: input.params ? [...input.params] : [],
    dbSystem: input.dbSystem ?? 'other_sql',
    rowCount: rowCountOf(input.rowCount),
    error: input.error,
    endTime: startTime + durationMs,
    ...(typeof input.operation === 'string' && input.operation ? { operation: input.operation } : {}),
    ...(typeof input.collection === 'string' && input.collection ? { collection: input.collection } : {}),
  })
}

/**
 * The params as this query ran with them: a copy of the list and of each plain object or
 * array in it. An app that reuses one params object for the next query (`params.id = id;
 * stmt.get(params)` in a loop, a pg `values` array) would otherwise show every query with the
 * last values, all marked duplicates, and EXPLAIN them with those.
 */
function paramsAsRun(params: unknown[]): unknown[] {
  const copy = params.slice()
  for (let i = 0; i < copy.length; i++) {
    const param = copy[i]
    if (typeof param !== 'object' || param === null) continue
    if (Array.isArray(param)) copy[i] = param.slice()
    else if (Object.getPrototypeOf(param) === Object.prototype) copy[i] = { ...param }
  }
  return copy
}

/**
 * A row count the panel and the span can show: a finite, non-negative number, else none
 * (`'many'`, `-1`, `NaN`, a driver's result object given by mistake).
 */
function rowCountOf(rowCount: unknown): number | undefined {
  return typeof rowCount === 'number' && Number.isFinite(rowCount) && rowCount >= 0 ? rowCount : undefined
}
