/**
 * `hono-debug-toolbar/store/sqlite`: the history and every trace in one SQLite file, so
 * that they survive a restart (`node --watch`, `tsx watch`) and are shared by the processes
 * of an app on one machine. WAL mode lets readers and the one writer work at once; a busy
 * timeout makes two processes take turns instead of failing.
 */
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'
import type { RequestFilter, RequestPage, StoredRequest } from '../core/store.js'
import type { ToolbarSpan, TraceFilter, TracePage } from '../core/span-model.js'
import { requestWhere, traceWhere, type SqlDialect } from './filters.js'
import { INSTANCE, PRUNE_CHUNK, QueuedStore, splitWrites, type DurableStoreOptions, type StoreBounds } from './queued-store.js'
import { optionalPeer } from './optional-peer.js'
import {
  lastOfEach,
  REQUEST_COLUMNS,
  requestFromRow,
  requestRow,
  SPAN_COLUMNS,
  KEEP_HELD_SPAN,
  listedTimes,
  OUTLINE_COLUMNS,
  spanFromRow,
  spanRow,
  summaryFromRow,
  TRACE_COLUMNS,
  recordedStarts,
  TRACE_EARLIEST,
  TRACE_KEPT,
  traceFromRow,
  traceRow,
  type SpanOutline,
  type UpsertRule,
} from './rows.js'
import { pendingMigrations } from './schema-version.js'
import { SQLITE_MIGRATIONS } from './sqlite-schema.js'
import { describeError } from './write-queue.js'

export interface SqliteStoreOptions extends DurableStoreOptions {
  /** The database file (created when missing), e.g. `.debug-toolbar.db`. */
  path: string
  /** How long a write waits for another process holding the file (ms). Default 5,000. */
  busyTimeoutMs?: number
}

const SQLITE: SqlDialect = {
  param: () => '?',
  includes: (column, param) => `instr(${column}, ${param}) > 0`,
  hasElement: (column, param) => `EXISTS (SELECT 1 FROM json_each(${column}) WHERE value = ${param})`,
}

/**
 * SQLite errors that mean "try again later": another process holds the file, the disk is
 * full or failing, or the file may not be written (its mode, a read-only mount) until
 * someone fixes that. The writes wait in the queue and the store says it is unavailable.
 */
const TRANSIENT = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|PROTOCOL|READONLY)/

/** An error's SQLite code (`SQLITE_BUSY_SNAPSHOT`), or '' when it has none. */
function sqliteCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code
  return typeof code === 'string' ? code : ''
}

/**
 * Switches `db` to WAL. When two processes open a new file at the same moment, SQLite can
 * answer SQLITE_BUSY here without waiting for `busy_timeout` (seen about once in a few
 * dozen runs of the two-writer test); the switch is tried again for as long as that
 * timeout, so that an app's second instance starting with the first does not fail.
 */
function toWal(db: BetterSqlite3.Database, busyMs: number): void {
  const until = Date.now() + busyMs
  for (;;) {
    try {
      db.pragma('journal_mode = WAL')
      return
    } catch (error) {
      if (!sqliteCode(error).startsWith('SQLITE_BUSY') || Date.now() >= until) throw error
      // At startup only: a short synchronous pause, as the constructor is synchronous.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20)
    }
  }
}

/**
 * Requests and traces in a SQLite file (better-sqlite3, an optional peer dependency).
 *
 * @example
 * ```ts
 * import { SqliteStore } from 'hono-debug-toolbar/store/sqlite'
 * app.use(debugToolbar({ store: new SqliteStore({ path: '.debug-toolbar.db' }) }))
 * ```
 */
export class SqliteStore extends QueuedStore {
  readonly location: string
  private db: BetterSqlite3.Database
  /** True after a write found the file read-only: SQLite keeps such a connection read-only, so the next write opens the file again. */
  private reopen = false
  private readonly connect: () => BetterSqlite3.Database
  private readonly forgetExit: () => void

  constructor(options: SqliteStoreOptions) {
    super('sqlite', withPath(options))
    const Database = optionalPeer<typeof BetterSqlite3>('better-sqlite3', 'SqliteStore', createRequire(import.meta.url))
    this.location = options.path === ':memory:' ? ':memory:' : resolve(options.path)
    this.connect = () => {
      let db: BetterSqlite3.Database
      try {
        db = new Database(options.path)
      } catch (error) {
        // better-sqlite3 names neither the file nor who wanted it ("the directory does not exist").
        // The code stays, so that a retry's reopen that fails (SQLITE_CANTOPEN) is still an outage.
        throw Object.assign(new Error(`SqliteStore cannot open the history file ${this.location}: ${error instanceof Error ? error.message : String(error)}`, { cause: error }), {
          code: (error as { code?: unknown })?.code,
        })
      }
      try {
        // The timeout first: switching to WAL takes a lock another process may hold right now.
        const busyMs = options.busyTimeoutMs ?? 5000
        db.pragma(`busy_timeout = ${busyMs}`)
        toWal(db, busyMs)
        // With WAL, NORMAL loses no committed data on a crash of the app, only on a power cut.
        db.pragma('synchronous = NORMAL')
      } catch (error) {
        db.close()
        throw error
      }
      return db
    }
    this.db = this.connect()
    try {
      this.migrate()
    } catch (error) {
      this.db.close()
      throw error
    }
    this.forgetExit = writeOnExit(() => this.writeQueuedNow())
    this.pruneOnOpen()
  }

  /**
   * Writes what is queued now, synchronously: called on the process's 'exit', when an app's
   * own signal handler calls `process.exit()` before the queue's next batch (25 ms) or the
   * toolbar's asynchronous flush could run. better-sqlite3 is synchronous, so nothing queued
   * is lost; a write already made is made again harmlessly (every write is an upsert).
   */
  private writeQueuedNow(): void {
    const pending = this.queue.pending()
    if (!pending.length || !this.db.open) return
    try {
      const { requests, spans } = splitWrites(pending)
      this.writeBatch(requests, spans)
    } catch (error) {
      console.warn(`[hono-debug-toolbar] the sqlite store could not write ${pending.length} queued writes at exit: ${describeError(error)}`)
    }
  }

  /** The schema version the file is at. */
  get schemaVersion(): number {
    return (this.db.prepare('SELECT max(version) AS version FROM schema_version').get() as { version: number }).version
  }

  private migrate(): void {
    // IMMEDIATE takes the write lock at once: a second process starting now waits, then finds the work done.
    this.db
      .transaction(() => {
        this.db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)')
        const row = this.db.prepare('SELECT max(version) AS version FROM schema_version').get() as { version: number | null }
        const current = row.version ?? 0
        const pending = pendingMigrations(current, SQLITE_MIGRATIONS, `the SQLite database ${this.location}`)
        for (const sql of pending) this.db.exec(sql)
        if (pending.length) this.fillListedTimes()
        if (row.version === null) this.db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SQLITE_MIGRATIONS.length)
        else if (pending.length) this.db.prepare('UPDATE schema_version SET version = ?').run(SQLITE_MIGRATIONS.length)
      })
      .immediate()
  }

  /**
   * The listed start and duration of the traces stored before they had columns (version 7)
   * that the migration could not copy: those of several services, computed from their spans.
   */
  private fillListedTimes(): void {
    const ids = this.db.prepare('SELECT trace_id FROM traces WHERE listed_started_ms IS NULL').pluck().all() as string[]
    const outline = this.db.prepare(`SELECT ${OUTLINE_COLUMNS} FROM spans WHERE trace_id = ? ORDER BY start_ns, seq`).safeIntegers(true)
    const update = this.db.prepare('UPDATE traces SET listed_started_ms = @listed_started_ms, listed_duration_ms = @listed_duration_ms WHERE trace_id = @trace_id')
    for (const traceId of ids) {
      const rows = outline.all(traceId) as SpanOutline[]
      if (rows.length) update.run({ trace_id: traceId, ...listedTimes(traceId, rows) })
    }
    // A line without spans left: its figures as received.
    this.db.exec('UPDATE traces SET listed_started_ms = started_ms, listed_duration_ms = duration_ms WHERE listed_started_ms IS NULL')
  }

  /**
   * A trace line an older release still running wrote after the migration lacks what it
   * does not know: `opened_ms` (version 6) is set as migration 6 set it (its request's start
   * while the request is stored), so that the trace goes over `maxTraces` as a recorded
   * request's, and is not taken, at the next write, for one first stored now (a received
   * trace's rule); the listed start and duration (version 7) as migration 7 set them. Two
   * index lookups when there is none (the usual case); no write lock then.
   */
  protected fillOlderLines(): void {
    const older = this.db.prepare('SELECT EXISTS (SELECT 1 FROM traces WHERE opened_ms IS NULL) OR EXISTS (SELECT 1 FROM traces WHERE listed_started_ms IS NULL)').pluck()
    if (!older.get()) return
    this.db
      .transaction(() => {
        this.db.exec(`UPDATE traces SET opened_ms = min(
          COALESCE(saved_ms, started_ms),
          COALESCE((SELECT requests.started_ms FROM requests WHERE requests.id = traces.request_id), COALESCE(saved_ms, started_ms)))
          WHERE opened_ms IS NULL`)
        this.fillListedTimes()
      })
      .immediate()
  }

  protected isTransient(error: unknown): boolean {
    return TRANSIENT.test(sqliteCode(error))
  }

  protected writeBatch(requests: StoredRequest[], spans: Array<{ span: ToolbarSpan; requestId?: string }>): void {
    if (this.reopen) {
      const fresh = this.connect()
      this.db.close()
      this.db = fresh
      this.reopen = false
    }
    try {
      this.fillOlderLines()
      this.write(requests, spans)
    } catch (error) {
      if (sqliteCode(error).startsWith('SQLITE_READONLY')) this.reopen = true
      throw error
    }
  }

  private write(requests: StoredRequest[], spans: Array<{ span: ToolbarSpan; requestId?: string }>): void {
    const db = this.db
    db.transaction(() => {
      const insertRequest = db.prepare(upsert('requests', REQUEST_COLUMNS, ['id']))
      for (const request of lastOfEach(requests, (r) => r.id)) insertRequest.run(requestRow(request, INSTANCE, JSON.stringify))
      if (!spans.length) return
      // A span's place among those that start with it: the order it was first stored in, kept
      // when it is written again. The write lock makes the sequence one for every process.
      const insertSpan = db.prepare(upsert('spans', [...SPAN_COLUMNS, 'seq'], ['trace_id', 'span_id'], { kept: ['seq'], where: KEEP_HELD_SPAN }))
      let seq = (db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM spans').get() as { seq: number }).seq
      for (const { span } of lastOfEach(spans, (s) => `${s.span.traceId}:${s.span.spanId}`)) insertSpan.run({ ...spanRow(span, INSTANCE, JSON.stringify), seq: ++seq })
      this.summarize(spans)
    }).immediate()
  }

  /** Recomputes the trace list line of every trace the batch touched. */
  private summarize(spans: Array<{ span: ToolbarSpan; requestId?: string }>): void {
    const requestIds = new Map<string, string | undefined>()
    for (const { span, requestId } of spans) requestIds.set(span.traceId, requestId ?? requestIds.get(span.traceId))
    const outline = this.db.prepare(`SELECT ${OUTLINE_COLUMNS} FROM spans WHERE trace_id = ? ORDER BY start_ns, seq`).safeIntegers(true)
    const owner = this.db.prepare(
      'SELECT coalesce((SELECT request_id FROM traces WHERE trace_id = ?), (SELECT id FROM requests WHERE trace_id = ? ORDER BY started_ms DESC LIMIT 1)) AS id',
    )
    const insertTrace = this.db.prepare(upsert('traces', TRACE_COLUMNS, ['trace_id'], { kept: TRACE_KEPT, earliest: TRACE_EARLIEST }))
    const starts = recordedStarts(spans)
    for (const [traceId, requestId] of requestIds) {
      const rows = outline.all(traceId) as SpanOutline[]
      const known = requestId ?? ((owner.get(traceId, traceId) as { id: string | null }).id ?? undefined)
      const row = traceRow(traceId, rows, known, starts.get(traceId))
      insertTrace.run({ ...row, services: JSON.stringify(row.services), sources: JSON.stringify(row.sources), error: row.error ? 1 : 0 })
    }
  }

  protected prune({ maxRequests, maxTraces, oldestMs }: StoreBounds): void {
    this.dropRequests(`DELETE FROM requests WHERE id IN (SELECT id FROM requests ORDER BY started_ms DESC, saved_ms DESC, id DESC LIMIT ${PRUNE_CHUNK} OFFSET ?)`, maxRequests)
    const doomedTraces = `SELECT trace_id FROM traces ORDER BY opened_ms DESC, saved_ms DESC, trace_id DESC LIMIT ${PRUNE_CHUNK} OFFSET ?`
    const dropTraces = this.db.transaction((ids: string[]) => {
      const spans = this.db.prepare('DELETE FROM spans WHERE trace_id = ?')
      const traces = this.db.prepare('DELETE FROM traces WHERE trace_id = ?')
      let gone = 0
      for (const id of ids) {
        spans.run(id)
        gone += traces.run(id).changes
      }
      if (gone) this.countPruned('traces_evicted', gone)
    })
    for (let ids = this.traceIds(doomedTraces, maxTraces); ids.length; ids = this.traceIds(doomedTraces, maxTraces)) dropTraces(ids)
    if (oldestMs === undefined) return
    this.dropRequests(`DELETE FROM requests WHERE id IN (SELECT id FROM requests WHERE started_ms < ? LIMIT ${PRUNE_CHUNK})`, oldestMs)
    const old = `SELECT trace_id FROM traces WHERE opened_ms < ? LIMIT ${PRUNE_CHUNK}`
    for (let ids = this.traceIds(old, oldestMs); ids.length; ids = this.traceIds(old, oldestMs)) dropTraces(ids)
  }

  /** Runs a chunked DELETE of requests, each chunk counted in the same transaction, until a chunk deletes less. */
  private dropRequests(sql: string, param: number): void {
    const statement = this.db.prepare(sql)
    const chunk = this.db.transaction(() => {
      const { changes } = statement.run(param)
      if (changes) this.countPruned('requests_dropped', changes)
      return changes
    })
    while (chunk() === PRUNE_CHUNK);
  }

  private countPruned(counter: 'requests_dropped' | 'traces_evicted', rows: number): void {
    this.db.prepare('UPDATE counters SET value = value + ? WHERE name = ?').run(rows, counter)
  }

  /** What the bounds pruned so far, by every process. */
  private counter(name: 'requests_dropped' | 'traces_evicted'): number {
    return (this.db.prepare('SELECT value FROM counters WHERE name = ?').get(name) as { value: number }).value
  }

  private traceIds(sql: string, param: number): string[] {
    return (this.db.prepare(sql).all(param) as Array<{ trace_id: string }>).map((row) => row.trace_id)
  }

  protected readRequest(id: string): StoredRequest | undefined {
    const row = this.db.prepare('SELECT * FROM requests WHERE id = ?').get(id) as Record<string, unknown> | undefined
    return row && requestFromRow(row)
  }

  protected readRequests(filter: RequestFilter): RequestPage {
    const where = requestWhere(filter, SQLITE)
    const columns = REQUEST_COLUMNS.filter((c) => c !== 'panels' && c !== 'nav').join(', ')
    const rows = this.db.prepare(`SELECT ${columns} FROM requests ${where.sql} ORDER BY started_ms DESC, saved_ms DESC, id DESC LIMIT ? OFFSET ?`).all(...where.params, filter.limit, filter.offset)
    const { total } = this.db.prepare(`SELECT count(*) AS total FROM requests ${where.sql}`).get(...where.params) as { total: number }
    return { requests: (rows as Array<Record<string, unknown>>).map(summaryFromRow), total, dropped: this.counter('requests_dropped') }
  }

  protected readTrace(traceId: string): ToolbarSpan[] | undefined {
    const rows = this.db.prepare('SELECT * FROM spans WHERE trace_id = ? ORDER BY start_ns, seq').safeIntegers(true).all(traceId)
    return rows.length ? (rows as Array<Record<string, unknown>>).map(spanFromRow) : undefined
  }

  protected readTraces(filter: TraceFilter): TracePage {
    const where = traceWhere(filter, SQLITE)
    const rows = this.db.prepare(`SELECT * FROM traces ${where.sql} ORDER BY listed_started_ms DESC, saved_ms DESC, trace_id DESC LIMIT ? OFFSET ?`).all(...where.params, filter.limit, filter.offset)
    const { total } = this.db.prepare(`SELECT count(*) AS total FROM traces ${where.sql}`).get(...where.params) as { total: number }
    return { traces: (rows as Array<Record<string, unknown>>).map(traceFromRow), total, evicted: this.counter('traces_evicted') }
  }

  protected countInstances(): number {
    const sql = 'SELECT count(*) AS n FROM (SELECT instance FROM requests WHERE instance IS NOT NULL UNION SELECT instance FROM spans WHERE instance IS NOT NULL)'
    return (this.db.prepare(sql).get() as { n: number }).n
  }

  protected deleteAll(): void {
    this.db.exec('DELETE FROM requests; DELETE FROM spans; DELETE FROM traces;')
  }

  protected release(): void {
    this.forgetExit()
    if (this.db.open) this.db.close()
  }
}

/** What each open SQLite store writes on 'exit', run by one listener for all. */
const onExit = new Set<() => void>()

function writeOnExit(write: () => void): () => void {
  if (onExit.size === 0) process.on('exit', writeAllOnExit)
  onExit.add(write)
  return () => {
    onExit.delete(write)
    if (onExit.size === 0) process.off('exit', writeAllOnExit)
  }
}

function writeAllOnExit(): void {
  for (const write of onExit) write()
}

function withPath(options: SqliteStoreOptions): SqliteStoreOptions {
  if (typeof options?.path !== 'string' || options.path === '') throw new TypeError('SqliteStore needs a path, e.g. { path: ".debug-toolbar.db" }')
  return options
}

/**
 * `INSERT ... ON CONFLICT DO UPDATE` of every column but the key and the `kept` ones (the
 * `earliest` ones only to an earlier value): a second write replaces the first, unless
 * `where` (a condition on `excluded`) says it may not.
 */
function upsert(table: string, columns: readonly string[], key: string[], { kept = [], earliest = [], where }: UpsertRule = {}): string {
  const updates = columns
    .filter((c) => !key.includes(c) && !kept.includes(c))
    .map((c) => (earliest.includes(c) ? `${c} = min(coalesce(${c}, excluded.${c}), excluded.${c})` : `${c} = excluded.${c}`))
  const values = columns.map((c) => `@${c}`).join(', ')
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${values}) ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updates.join(', ')}${where ? ` WHERE ${where}` : ''}`
}

export { SchemaTooNewError } from './schema-version.js'
export { StoreUnavailableError, type StoreStatus } from '../core/store.js'
export type { DurableStoreOptions } from './queued-store.js'
