/**
 * The shapes of what the recorders write into a RequestRecord, and the typed slot keys they
 * use. The recorders write them, the data panels read them to build their stats, the
 * OpenTelemetry converter reads them to place spans, and the browser bundle imports the
 * log levels: every item carries its start offset from the request start (milliseconds,
 * from `performance.now()`) and its duration. Nothing here imports Node or any layer.
 */
import { slotKey } from './slot-key.js'

/** One database query. */
export interface RecordedQuery {
  /** Sequence number within the request (1, 2, ...): the id EXPLAIN is asked by. */
  id: number
  sql: string
  params: unknown[]
  /** 'sqlite' | 'postgresql' | any OpenTelemetry `db.system.name`. */
  dbSystem: string
  /** Milliseconds from the request start. */
  startMs: number
  durationMs: number
  /** Rows returned (reads) or changed (writes), when the driver tells. */
  rowCount: number | undefined
  /** The error message when the query failed. */
  error: string | undefined
  /** The app's calling frame, `file:line:column`, when captured. */
  caller: string | undefined
  /** Set when the query ran inside a transaction. */
  inTransaction: boolean
  /**
   * The render the query was made in (RecordedRender.id), for nesting in traces: set only in
   * one (renders of async components run side by side, so their times cannot tell).
   */
  renderId?: number
  /** The app's own span open where the query was made (its id; see `OpenSpanSource`), if any. */
  spanId?: string
  /** The operation name the caller gave (`recordQuery({ operation })`), never guessed from the text. */
  operation?: string | undefined
  /** The table or collection the caller gave (`recordQuery({ collection })`), never guessed from the text. */
  collection?: string | undefined
  /**
   * Set when the query was too big to keep whole (a bulk INSERT's text, a blob param): the
   * SQL was cut at `MAX_QUERY_CHARS` (`sqlChars` is its length) and/or the params, over
   * `MAX_PARAM_BYTES`, were kept as their shortened display form (`params`). Such a query
   * cannot be explained.
   */
  cut?: { sqlChars?: number; params?: true }
}

/** Characters of one query's SQL kept in a request's record. */
export const MAX_QUERY_CHARS = 65_536
/** About how many bytes of one query's params are kept as they are; bigger ones are shortened. */
export const MAX_PARAM_BYTES = 131_072

/** The SQL slot: queries in order, and how many were not kept (over `maxQueries`). */
export interface QueryLog {
  queries: RecordedQuery[]
  dropped: number
}

/** The levels a log line can have, lowest first. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const

export type LogLevel = (typeof LOG_LEVELS)[number]

/** One log line. */
export interface RecordedLog {
  level: LogLevel
  message: string
  attributes: Record<string, unknown>
  /** 'console' | 'pino' | 'recordLog' */
  source: string
  startMs: number
  /** The render this line was written in (RecordedRender.id), for nesting in traces. */
  renderId: number | undefined
  /** The app's own span open where the line was written (its id; see `OpenSpanSource`), if any. */
  spanId?: string
  /** Attributes past the first 128, not kept (set only when there were some). */
  droppedAttributes?: number
}

export interface LogBook {
  logs: RecordedLog[]
  dropped: number
  /** Lines written per level, the dropped ones included. */
  counts?: Partial<Record<LogLevel, number>>
  /** How many lines are kept (LoggingPanel's `maxLogs`). */
  maxLogs?: number
}

/** One template render; `parentId` nests partials under the layout that rendered them. */
export interface RecordedRender {
  id: number
  name: string
  parentId: number | undefined
  startMs: number
  /** Undefined while the render is still running. */
  durationMs: number | undefined
  error: string | undefined
  /** Set when the render went on while the response was sent (a streamed page): it ends with the last byte. */
  streamed?: true
  /** The app's own span open where the render started (its id; see `OpenSpanSource`), if any. */
  spanId?: string
}

/**
 * What the OpenTelemetry panel keeps in a request's `opentelemetry` slot, as the recorders
 * see it: the id of the span the app has open here (`tracer.startActiveSpan('charge card',
 * ...)`), when it is not the request's own span, so that a query, a log line or a render
 * made in it nests under it in the trace. The recorders read it through this key, without
 * knowing OpenTelemetry.
 */
export interface OpenSpanSource {
  openSpanId(): string | undefined
}

export const OPEN_SPAN_SLOT = slotKey<OpenSpanSource>('opentelemetry')

export interface RenderLog {
  renders: RecordedRender[]
  dropped: number
  /** How many renders are kept (TemplatesPanel's `maxRenders`). */
  maxRenders?: number
  /** The id the next render gets (ids stay unique when renders are dropped). */
  nextId?: number
}

/** Query parameter, header and cookie that ask for a CPU profile of one request (the Profile panel's toggle sets the cookie). */
export const PROFILE_QUERY = '_dt_profile'
export const PROFILE_HEADER = 'X-Debug-Toolbar-Profile'
export const PROFILE_COOKIE = 'hdt_profile'

/** A node of a V8 CPU profile (the `.cpuprofile` format). */
export interface ProfileNode {
  id: number
  callFrame: { functionName: string; scriptId: string; url: string; lineNumber: number; columnNumber: number }
  hitCount?: number
  children?: number[]
}

/** The CPU profile of one request, or why there is none. */
export interface RecordedProfile {
  /** The raw profile from node:inspector (what "Download .cpuprofile" serves). */
  profile: { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] } | undefined
  /** Offset of the profile's startTime from the request start, in ms (profile times are µs on their own clock). */
  startMs: number
  samplingIntervalUs: number
  /** Why there is no profile (another request was being profiled, the inspector failed...). */
  skipped: string | undefined
  /** How far `startMs` may be off, in ms (see specs/data-panels.md: profiling clock). */
  startErrorMs?: number
  /** What starting the profiler cost this request, in ms (the inspector's start is not free). */
  startCostMs?: number
  /** Offset from the request start of where starting the profiler began, in ms (it lasted `startCostMs`). */
  startBeganMs?: number
  /** V8's profiler was already running (after an earlier profiled request, or started ahead by the toggle), so starting this profile cost next to nothing. */
  startedWarm?: boolean
}

/**
 * The recorders' slots in the RequestRecord, typed: `record.peek(SLOTS.sql)` is a
 * `QueryLog | undefined` without a type argument.
 */
export const SLOTS = {
  sql: slotKey<QueryLog>('sql'),
  logging: slotKey<LogBook>('logging'),
  templates: slotKey<RenderLog>('templates'),
  profiling: slotKey<RecordedProfile>('profiling'),
} as const

/** What starting V8's profiler ahead of the next profiled request did (`POST {prefix}/api/profiler`). */
export interface ProfilerAhead {
  /** V8's profiler runs now, and the next profiled request starts it at no cost. */
  running: boolean
  /** What starting it took now (ms), absent when it was running already. */
  startCostMs?: number
  /** How long it keeps running without a profiled request (ms). */
  keepWarmMs: number
  /** Why it does not run (`keepWarmMs` is 0). */
  reason?: string
}
