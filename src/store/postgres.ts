/**
 * `hono-debug-toolbar/store/postgres`: the history and every trace in PostgreSQL, for apps
 * that run as several instances: any instance answers for a request another recorded, and
 * spans received by one join the trace another started. Tables live in their own schema.
 * Each batch is one transaction and one statement per table (rows travel as one JSON array).
 * Longer than 400 lines because it is one class, the PostgreSQL side of `QueuedStore`: each
 * method answers one of its steps with the SQL written where it runs, as `sqlite.ts` does.
 */
import { createRequire } from 'node:module'
import type pg from 'pg'
import type { RequestFilter, RequestPage, StoredRequest } from '../core/store.js'
import type { ToolbarSpan, TraceFilter, TracePage } from '../core/span-model.js'
import { requestWhere, traceWhere, type SqlDialect } from './filters.js'
import { optionalPeer } from './optional-peer.js'
import { POSTGRES_MIGRATIONS } from './postgres-schema.js'
import { INSTANCE, PRUNE_CHUNK, QueuedStore, type DurableStoreOptions, type StoreBounds } from './queued-store.js'
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
import { pendingMigrations, SchemaTooNewError } from './schema-version.js'

export interface PostgresStoreOptions extends DurableStoreOptions {
  /** `postgres://user:password@host:5432/database`; or pass `pool`. */
  connectionString?: string
  /** An existing `pg.Pool` (the store does not end it on close). */
  pool?: pg.Pool
  /** The schema holding the store's tables, created when missing. Default `debug_toolbar`. */
  schema?: string
}

const PG: SqlDialect = {
  param: (n) => `$${n}`,
  includes: (column, param) => `strpos(${column}, ${param}) > 0`,
  hasElement: (column, param) => `${column} ? ${param}`,
}

/** First key of the migration lock (`pg_advisory_xact_lock(key, hashtext(schema))`): "HDTB". */
const MIGRATION_LOCK = 0x48445442
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])

/**
 * Requests and traces in PostgreSQL (`pg`, an optional peer dependency).
 *
 * @example
 * ```ts
 * import { PostgresStore } from 'hono-debug-toolbar/store/postgres'
 * app.use(debugToolbar({ store: new PostgresStore({ connectionString: process.env.DATABASE_URL }) }))
 * ```
 */
export class PostgresStore extends QueuedStore {
  readonly location: string
  readonly schema: string
  private readonly pool: pg.Pool
  private readonly ownPool: boolean
  private readonly table: (name: string) => string
  private migrated: Promise<void> | undefined

  constructor(options: PostgresStoreOptions) {
    super('postgres', withServer(options))
    this.schema = options.schema ?? 'debug_toolbar'
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(this.schema)) throw new TypeError(`schema must be a plain identifier such as "debug_toolbar", got "${this.schema}"`)
    this.table = (name) => `"${this.schema}".${name}`
    this.ownPool = !options.pool
    if (options.pool) {
      this.pool = options.pool
    } else {
      const { Pool } = optionalPeer<typeof pg>('pg', 'PostgresStore', createRequire(import.meta.url))
      // A short connect timeout: an unreachable host makes writes wait, never the app.
      this.pool = new Pool({ connectionString: options.connectionString, max: 4, connectionTimeoutMillis: 3_000 })
      // An idle connection the server closed: the next query says so; it must not end the app.
      this.pool.on('error', () => undefined)
    }
    this.location = `${describeServer(options.connectionString, this.pool)} schema ${this.schema}`
    // Migrations start now; a database that is down is retried by the first write.
    this.pruneOnOpen(this.migrate())
  }

  /**
   * Brings the schema to the current version (once; again after a failed attempt). Rejects
   * with a SchemaTooNewError when the database was migrated by a newer release.
   *
   * @example
   * ```ts
   * const store = new PostgresStore({ connectionString })
   * await store.migrate() // fail fast at startup instead of on the first write
   * ```
   */
  migrate(): Promise<void> {
    this.migrated ??= this.transaction(async (client) => {
      const schemaVersion = this.table('schema_version')
      // Two instances starting at once: the second waits here, then finds nothing to do.
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK, this.schema])
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`)
      await client.query(`CREATE TABLE IF NOT EXISTS ${schemaVersion} (version integer NOT NULL)`)
      const { rows } = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${schemaVersion}`)
      const current = rows[0].version
      const pending = pendingMigrations(current ?? 0, POSTGRES_MIGRATIONS, `the PostgreSQL schema "${this.schema}" at ${this.location}`)
      for (const sql of pending) await client.query(sql.replaceAll('{schema}', `"${this.schema}"`))
      if (pending.length) await this.fillListedTimes(client)
      const latest = POSTGRES_MIGRATIONS.length
      if (current === null) await client.query(`INSERT INTO ${schemaVersion} (version) VALUES ($1)`, [latest])
      else if (pending.length) await client.query(`UPDATE ${schemaVersion} SET version = $1`, [latest])
    }).catch((error) => {
      if (error instanceof SchemaTooNewError) {
        this.fatalError = error
        console.error(`[hono-debug-toolbar] ${error.message}`)
      } else {
        this.migrated = undefined
      }
      throw error
    })
    return this.migrated
  }

  /**
   * The listed start and duration of the traces stored before they had columns (version 7)
   * that the migration could not copy: those of several services, computed from their spans.
   */
  private async fillListedTimes(client: pg.PoolClient): Promise<void> {
    const traces = this.table('traces')
    const { rows: ids } = await client.query<{ trace_id: string }>(`SELECT trace_id FROM ${traces} WHERE listed_started_ms IS NULL`)
    if (ids.length) {
      const rows = [...(await this.outlines(client, ids.map((row) => row.trace_id)))].map(([traceId, outlines]) => ({ trace_id: traceId, ...listedTimes(traceId, outlines) }))
      await client.query(
        `UPDATE ${traces} AS t SET listed_started_ms = r.listed_started_ms, listed_duration_ms = r.listed_duration_ms
           FROM json_populate_recordset(NULL::${traces}, $1::json) AS r WHERE t.trace_id = r.trace_id`,
        [JSON.stringify(rows)],
      )
    }
    // A line without spans left: its figures as received.
    await client.query(`UPDATE ${traces} SET listed_started_ms = started_ms, listed_duration_ms = duration_ms WHERE listed_started_ms IS NULL`)
  }

  /**
   * A trace line an older release still running wrote after the migration lacks what it
   * does not know: `opened_ms` (version 6) is set as migration 6 set it (its request's start
   * while the request is stored), so that the trace goes over `maxTraces` as a recorded
   * request's, and is not taken, at the next write, for one first stored now (a received
   * trace's rule); the listed start and duration (version 7) as migration 7 set them (a
   * NULL start listed the line first, whatever its start). One query of two index lookups
   * when there is none (the usual case).
   */
  protected async fillOlderLines(): Promise<void> {
    const traces = this.table('traces')
    const { rows } = await this.pool.query<{ older: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ${traces} WHERE opened_ms IS NULL) OR EXISTS (SELECT 1 FROM ${traces} WHERE listed_started_ms IS NULL) AS older`,
    )
    if (!rows[0]?.older) return
    await this.transaction(async (client) => {
      await client.query(
        `UPDATE ${traces} AS t SET opened_ms = LEAST(
           COALESCE(t.saved_ms, t.started_ms),
           (SELECT r.started_ms FROM ${this.table('requests')} AS r WHERE r.id = t.request_id))
         WHERE t.opened_ms IS NULL`,
      )
      await this.fillListedTimes(client)
    })
  }

  /** The span outlines of each of `traceIds` that has spans, in the order the trace lists them. */
  private async outlines(client: pg.PoolClient, traceIds: string[]): Promise<Map<string, SpanOutline[]>> {
    const outlines = await client.query<SpanOutline & { trace_id: string }>(
      `SELECT trace_id, ${OUTLINE_COLUMNS} FROM ${this.table('spans')} WHERE trace_id = ANY($1) ORDER BY start_ns, seq`,
      [traceIds],
    )
    const byTrace = new Map<string, SpanOutline[]>()
    for (const row of outlines.rows) {
      const list = byTrace.get(row.trace_id)
      if (list) list.push(row)
      else byTrace.set(row.trace_id, [row])
    }
    return byTrace
  }

  protected isTransient(error: unknown): boolean {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
    if (typeof code === 'string') {
      // SQLSTATE 08 (connection), 57P0x (server shutting down or starting), 53 (out of resources), 40 (retry the transaction).
      return NETWORK_CODES.has(code) || /^(08|57P0|53|40001|40P01)/.test(code)
    }
    return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection refused/i.test(String(message))
  }

  protected async writeBatch(requests: StoredRequest[], spans: Array<{ span: ToolbarSpan; requestId?: string }>): Promise<void> {
    await this.migrate()
    await this.fillOlderLines()
    await this.transaction(async (client) => {
      const requestRows = lastOfEach(requests, (r) => r.id).map((r) => requestRow(r, INSTANCE, same))
      if (requestRows.length) await client.query(this.upsert('requests', REQUEST_COLUMNS, ['id']), [toJson(requestRows)])
      if (!spans.length) return
      const traceIds = [...new Set(spans.map((s) => s.span.traceId))].sort()
      // One writer per trace at a time, so that its summary line counts every span (two instances may receive the same trace).
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended(id, 0)) FROM unnest($1::text[]) AS id ORDER BY id', [traceIds])
      const spanRows = lastOfEach(spans, (s) => `${s.span.traceId}:${s.span.spanId}`).map((s) => spanRow(s.span, INSTANCE, same))
      await client.query(this.upsert('spans', SPAN_COLUMNS, ['trace_id', 'span_id'], { where: KEEP_HELD_SPAN }), [toJson(spanRows)])
      await this.summarize(client, traceIds, spans)
    })
  }

  /** Recomputes the trace list line of every trace the batch touched. */
  private async summarize(client: pg.PoolClient, traceIds: string[], spans: Array<{ span: ToolbarSpan; requestId?: string }>): Promise<void> {
    const given = new Map<string, string>()
    for (const { span, requestId } of spans) if (requestId) given.set(span.traceId, requestId)
    const byTrace = await this.outlines(client, traceIds)
    const owners = await client.query<{ trace_id: string; request_id: string | null }>(
      `SELECT t.id AS trace_id, coalesce(tr.request_id, (SELECT r.id FROM ${this.table('requests')} r WHERE r.trace_id = t.id ORDER BY r.started_ms DESC LIMIT 1)) AS request_id
         FROM unnest($1::text[]) AS t(id) LEFT JOIN ${this.table('traces')} tr ON tr.trace_id = t.id`,
      [traceIds],
    )
    const owner = new Map(owners.rows.map((row) => [row.trace_id, row.request_id ?? undefined]))
    // In the order the batch first saw each trace (not the lock's sorted order): that is the order they are stored in.
    const inOrder = [...new Set(spans.map((s) => s.span.traceId))]
    const starts = recordedStarts(spans)
    const rows = inOrder.map((id) => traceRow(id, byTrace.get(id) ?? [], given.get(id) ?? owner.get(id), starts.get(id)))
    await client.query(this.upsert('traces', TRACE_COLUMNS, ['trace_id'], { kept: TRACE_KEPT, earliest: TRACE_EARLIEST }), [toJson(rows)])
  }

  protected async prune({ maxRequests, maxTraces, oldestMs }: StoreBounds): Promise<void> {
    const requests = this.table('requests')
    const traces = this.table('traces')
    // The count goes up in the same statement as the delete: what is counted is what went.
    const counted = (gone: string, counter: string) =>
      `${gone}, n AS (SELECT count(*) AS n FROM gone)
       UPDATE ${this.table('counters')} SET value = value + n.n FROM n WHERE name = '${counter}' AND n.n > 0 RETURNING n.n`
    const dropRequests = (doomed: string) => counted(`WITH gone AS (DELETE FROM ${requests} WHERE id IN (${doomed}) RETURNING 1)`, 'requests_dropped')
    const dropTraces = (doomed: string) =>
      counted(
        `WITH doomed AS (${doomed}), spans AS (DELETE FROM ${this.table('spans')} WHERE trace_id IN (SELECT trace_id FROM doomed)),
         gone AS (DELETE FROM ${traces} WHERE trace_id IN (SELECT trace_id FROM doomed) RETURNING 1)`,
        'traces_evicted',
      )
    await this.chunked(dropRequests(`SELECT id FROM ${requests} ORDER BY started_ms DESC, saved_ms DESC, id DESC OFFSET $1 LIMIT ${PRUNE_CHUNK}`), maxRequests)
    await this.chunked(dropTraces(`SELECT trace_id FROM ${traces} ORDER BY opened_ms DESC, saved_ms DESC, trace_id DESC OFFSET $1 LIMIT ${PRUNE_CHUNK}`), maxTraces)
    if (oldestMs === undefined) return
    await this.chunked(dropRequests(`SELECT id FROM ${requests} WHERE started_ms < $1 LIMIT ${PRUNE_CHUNK}`), oldestMs)
    await this.chunked(dropTraces(`SELECT trace_id FROM ${traces} WHERE opened_ms < $1 LIMIT ${PRUNE_CHUNK}`), oldestMs)
  }

  /** Runs a chunked, counted DELETE (it answers how many rows went as `n`) until a chunk deletes less than a full chunk. */
  private async chunked(sql: string, param: number): Promise<void> {
    const deleted = async () => Number((await this.pool.query<{ n: string }>(sql, [param])).rows[0]?.n ?? 0)
    while ((await deleted()) === PRUNE_CHUNK);
  }

  protected async readRequest(id: string): Promise<StoredRequest | undefined> {
    await this.migrate()
    const { rows } = await this.pool.query(`SELECT * FROM ${this.table('requests')} WHERE id = $1`, [withoutNul(id)])
    return rows[0] && requestFromRow(rows[0])
  }

  protected async readRequests(filter: RequestFilter): Promise<RequestPage> {
    await this.migrate()
    const where = requestWhere({ ...filter, method: withoutNul(filter.method), path: withoutNul(filter.path) }, PG)
    const n = where.params.length
    const columns = REQUEST_COLUMNS.filter((c) => c !== 'panels' && c !== 'nav').join(', ')
    const page = await this.pool.query(
      `SELECT ${columns}, count(*) OVER () AS total FROM ${this.table('requests')} ${where.sql} ORDER BY started_ms DESC, saved_ms DESC, id DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...where.params, filter.limit, filter.offset],
    )
    const total = page.rows.length ? Number(page.rows[0].total) : await this.count('requests', where.sql, where.params)
    return { requests: page.rows.map(summaryFromRow), total, dropped: await this.counter('requests_dropped') }
  }

  protected async readTrace(traceId: string): Promise<ToolbarSpan[] | undefined> {
    await this.migrate()
    const { rows } = await this.pool.query(`SELECT * FROM ${this.table('spans')} WHERE trace_id = $1 ORDER BY start_ns, seq`, [traceId])
    return rows.length ? rows.map(spanFromRow) : undefined
  }

  protected async readTraces(filter: TraceFilter): Promise<TracePage> {
    await this.migrate()
    const where = traceWhere({ ...filter, service: withoutNul(filter.service) }, PG)
    const n = where.params.length
    const page = await this.pool.query(
      `SELECT *, count(*) OVER () AS total FROM ${this.table('traces')} ${where.sql} ORDER BY listed_started_ms DESC, saved_ms DESC, trace_id DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...where.params, filter.limit, filter.offset],
    )
    const total = page.rows.length ? Number(page.rows[0].total) : await this.count('traces', where.sql, where.params)
    return { traces: page.rows.map(traceFromRow), total, evicted: await this.counter('traces_evicted') }
  }

  /** What the bounds pruned so far (`requests_dropped`, `traces_evicted`), by every instance. */
  private async counter(name: string): Promise<number> {
    const { rows } = await this.pool.query<{ value: string }>(`SELECT value FROM ${this.table('counters')} WHERE name = $1`, [name])
    return Number(rows[0]?.value ?? 0)
  }

  /** The total of a filtered list whose page came back empty (an offset past the end). */
  private async count(table: string, where: string, params: unknown[]): Promise<number> {
    const { rows } = await this.pool.query(`SELECT count(*) AS total FROM ${this.table(table)} ${where}`, params)
    return Number(rows[0].total)
  }

  protected async countInstances(): Promise<number> {
    await this.migrate()
    const { rows } = await this.pool.query(
      `SELECT count(*) AS n FROM (SELECT instance FROM ${this.table('requests')} WHERE instance IS NOT NULL
        UNION SELECT instance FROM ${this.table('spans')} WHERE instance IS NOT NULL) AS writers`,
    )
    return Number(rows[0].n)
  }

  protected async deleteAll(): Promise<void> {
    await this.migrate()
    await this.pool.query(`TRUNCATE ${this.table('requests')}, ${this.table('spans')}, ${this.table('traces')}`)
  }

  protected async release(): Promise<void> {
    if (this.ownPool) await this.pool.end()
  }

  /** Runs `work` in a transaction on one pooled connection; a broken connection is not returned to the pool. */
  private async transaction(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect()
    let broken: Error | undefined
    // The connection dying between two queries is emitted, not thrown: without a listener it would end the app.
    const lost = (error: Error) => (broken = error)
    client.on('error', lost)
    try {
      await client.query('BEGIN')
      await work(client)
      await client.query('COMMIT')
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback))
      throw error
    } finally {
      client.off('error', lost)
      client.release(broken)
    }
  }

  /**
   * An upsert of rows sent as one JSON array: a row written twice (a retry, two instances) is
   * stored once, the later write replacing the earlier unless `where` (on `excluded`) says no;
   * `kept` columns keep their first value, `earliest` ones the earliest.
   */
  private upsert(table: string, columns: readonly string[], key: string[], { kept = [], earliest = [], where }: UpsertRule = {}): string {
    const target = this.table(table)
    const updates = columns
      .filter((c) => !key.includes(c) && !kept.includes(c))
      .map((c) => (earliest.includes(c) ? `${c} = LEAST(${target}.${c}, excluded.${c})` : `${c} = excluded.${c}`))
    const list = columns.join(', ')
    return `INSERT INTO ${target} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${target}, $1::json)
            ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updates.join(', ')}${where ? ` WHERE ${where}` : ''}`
  }
}

const same = (value: unknown) => value

/**
 * A filter's text as the stored text has it: PostgreSQL text cannot hold NUL (a query with
 * one fails), and what was written had its NULs replaced by U+FFFD (`toJson`).
 */
function withoutNul<T extends string | undefined>(value: T): T {
  return value?.replaceAll('\u0000', '\ufffd') as T
}

function withServer(options: PostgresStoreOptions): PostgresStoreOptions {
  if (!options?.pool && !options?.connectionString) throw new TypeError('PostgresStore needs a connectionString or a pool')
  return options
}

/** `host:port/database` of the server, for the status line: never the user or the password. */
function describeServer(connectionString: string | undefined, pool: pg.Pool): string {
  if (connectionString) {
    try {
      const url = new URL(connectionString)
      return `${url.hostname || url.searchParams.get('host') || 'localhost'}:${url.port || 5432}${url.pathname}`
    } catch {
      return 'PostgreSQL'
    }
  }
  const { host = 'localhost', port = 5432, database = '' } = (pool as unknown as { options: pg.PoolConfig }).options
  return `${host}:${port}/${database}`
}

/**
 * Rows as one JSON text: bigints as decimal strings (PostgreSQL reads them back as bigint),
 * and the NUL character replaced, because jsonb cannot hold it and would refuse the batch.
 */
function toJson(rows: unknown[]): string {
  return JSON.stringify(rows, (_key, value) => (typeof value === 'bigint' ? value.toString() : value)).replace(
    /(?<!\\)((?:\\\\)*)\\u0000/g,
    '$1\\ufffd',
  )
}

export { SchemaTooNewError } from './schema-version.js'
export { StoreUnavailableError, type StoreStatus } from '../core/store.js'
export type { DurableStoreOptions } from './queued-store.js'
