import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { PostgresStore, SchemaTooNewError, StoreUnavailableError } from '../src/store/postgres.js'
import { POSTGRES_MIGRATIONS } from '../src/store/postgres-schema.js'
import { INSTANCE } from '../src/store/queued-store.js'
import { storeContract } from '../test/store/store-contract.js'
import { olderReleaseLineReadsAsRecorded, olderReleaseSpansListedInWriteOrder } from '../test/store/older-release.js'
import { FIXTURE_TRACE, sampleRequest, sampleSpan, skewedOldSpan, tiedNewSpan, tiedOldSpans, TIED_TRACE, traceIdOf } from '../test/store/samples.js'
import { TcpCut, testPostgres, uniqueSchema, type TestPostgres } from './support/postgres-server.js'

const postgres: TestPostgres = await testPostgres()
if (!postgres.available) console.log(`PostgresStore: skipped: ${postgres.reason}`)
const url = postgres.available ? postgres.url : ''
let admin: pg.Pool

beforeAll(() => {
  if (postgres.available) admin = new pg.Pool({ connectionString: url, max: 2 })
})
afterAll(async () => {
  await admin?.end()
  if (postgres.available) postgres.close()
})

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

describe.skipIf(!postgres.available)('PostgresStore on a real PostgreSQL server', () => {
  storeContract((options) => new PostgresStore({ connectionString: url, schema: uniqueSchema('contract'), ...options }))

  it('creates its tables in its own schema, with indexes on trace id, service and start time', async () => {
    const schema = uniqueSchema('layout')
    const store = new PostgresStore({ connectionString: url, schema })
    await store.migrate()
    const tables = await admin.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema])
    expect(tables.rows.map((r) => r.table_name)).toEqual(['counters', 'requests', 'schema_version', 'spans', 'traces'])
    const indexes = await admin.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1`, [schema])
    const defs = indexes.rows.map((r) => r.indexdef).join('\n')
    expect(defs).toMatch(/spans_pkey ON .*spans USING btree \(trace_id, span_id\)/)
    expect(defs).toMatch(/spans_service ON .*spans USING btree \(service\)/)
    expect(defs).toMatch(/spans_start ON .*spans USING btree \(start_ns\)/)
    const types = await admin.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'spans' AND column_name IN ('attributes', 'events')`, [schema])
    expect(types.rows.map((r) => r.data_type)).toEqual(['jsonb', 'jsonb'])
    await store.close()
  })

  it('migrates a version 1 schema (the first release) to the current version with its data intact', async () => {
    const schema = uniqueSchema('v1')
    await admin.query(readFileSync(new URL('../test/fixtures/postgres-v1.sql', import.meta.url), 'utf8').replaceAll('{schema}', schema))
    const store = new PostgresStore({ connectionString: url, schema })
    await store.migrate()
    const version = await admin.query(`SELECT version FROM ${schema}.schema_version`)
    expect(version.rows).toEqual([{ version: POSTGRES_MIGRATIONS.length }])
    expect(await store.get('old-1')).toEqual({
      id: 'old-1', method: 'GET', path: '/users/2', route: '/users/:id', status: 200, startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 12.5, traceId: '4bf92f3577b34da6a3ce929d0e0e4736', panels: { timer: { totalMs: 12.5 } }, nav: [{ id: 'timer', title: 'Time', subtitle: '12.5 ms' }],
    })
    const [span] = (await store.getTrace('4bf92f3577b34da6a3ce929d0e0e4736'))!
    expect(span).toMatchObject({ spanId: '00f067aa0ba902b7', startTimeUnixNano: '1767225600000000123', endTimeUnixNano: '1767225600012500123', attributes: { 'http.route': '/users/:id' } })
    store.save(sampleRequest(1))
    expect((await store.list({ limit: 5, offset: 0 })).requests.map((r) => [r.id, r.instance])).toEqual([['req-1', INSTANCE], ['old-1', undefined]])
    await store.close()
  })

  it('lists and filters a trace of several services stored before version 7 by the start and duration its waterfall draws', async () => {
    const schema = uniqueSchema('skewed')
    await admin.query(readFileSync(new URL('../test/fixtures/postgres-v1.sql', import.meta.url), 'utf8').replaceAll('{schema}', schema))
    await admin.query(skewedOldSpan((name) => `${schema}.${name}`))
    const store = new PostgresStore({ connectionString: url, schema })
    // The service's 5 ms span is drawn inside the request's 12.5 ms: the trace lasts 12.5 ms.
    const listed = { traceId: FIXTURE_TRACE, services: ['shop', 'inventory'], spanCount: 2, startedAt: '2026-01-01T00:00:00.000Z', durationMs: 12.5 }
    expect(await store.listTraces({ limit: 5, offset: 0, minDurationMs: 12.5 })).toMatchObject({ traces: [listed], total: 1 })
    expect(await store.listTraces({ limit: 5, offset: 0, minDurationMs: 500 })).toMatchObject({ traces: [], total: 0 })
    await store.close()
  })

  it('reads the trace line an older release still running wrote after the migration as a recorded request, by its start', async () => {
    const schema = uniqueSchema('older')
    await olderReleaseLineReadsAsRecorded((options) => new PostgresStore({ connectionString: url, schema, ...options }), (sql) => admin.query(sql), `${schema}.traces`)
  })

  it('lists the spans an older release still running wrote after the migration in the order they were written, among those that start with them', async () => {
    const schema = uniqueSchema('older_spans')
    await olderReleaseSpansListedInWriteOrder(() => new PostgresStore({ connectionString: url, schema }), (sql) => admin.query(sql), `${schema}.spans`)
  })

  it('keeps the order of spans stored before the insertion sequence (by start, then span id), and lists a span stored after them after them', async () => {
    const schema = uniqueSchema('tied')
    await admin.query(readFileSync(new URL('../test/fixtures/postgres-v1.sql', import.meta.url), 'utf8').replaceAll('{schema}', schema))
    await admin.query(tiedOldSpans(`${schema}.spans`))
    const store = new PostgresStore({ connectionString: url, schema })
    expect((await store.getTrace(TIED_TRACE))!.map((s) => s.name)).toEqual(['old 0a', 'old 0b', 'old 0c'])
    store.saveSpans([tiedNewSpan()])
    expect((await store.getTrace(TIED_TRACE))!.map((s) => s.name)).toEqual(['old 0a', 'old 0b', 'old 0c', 'new 09'])
    await store.close()
  })

  it('refuses a schema newer than the code: migrate() rejects, reads answer unavailable with the message, writes are not retried', async () => {
    const schema = uniqueSchema('newer')
    const first = new PostgresStore({ connectionString: url, schema })
    await first.migrate()
    await first.close()
    await admin.query(`UPDATE ${schema}.schema_version SET version = $1`, [POSTGRES_MIGRATIONS.length + 3])
    const store = new PostgresStore({ connectionString: url, schema })
    await expect(store.migrate()).rejects.toThrow(SchemaTooNewError)
    await expect(store.migrate()).rejects.toThrow(`has schema version ${POSTGRES_MIGRATIONS.length + 3}, newer than this version of hono-debug-toolbar supports`)
    await expect(store.list({ limit: 5, offset: 0 })).rejects.toThrow(StoreUnavailableError)
    store.save(sampleRequest(1))
    await store.flush()
    const status = await store.status()
    expect(status).toMatchObject({ available: false, queued: 0, dropped: 1 })
    expect(status.error).toContain('newer than this version')
    await store.close()
  })

  it('is migrated once when several instances start at the same moment (advisory lock)', async () => {
    const schema = uniqueSchema('race')
    const stores = Array.from({ length: 4 }, () => new PostgresStore({ connectionString: url, schema }))
    await Promise.all(stores.map((s) => s.migrate()))
    expect((await admin.query(`SELECT version FROM ${schema}.schema_version`)).rows).toEqual([{ version: POSTGRES_MIGRATIONS.length }])
    await Promise.all(stores.map((s) => s.close()))
  })

  it('stores each span once when two instances ingest the same spans at once', async () => {
    const schema = uniqueSchema('twice')
    const a = new PostgresStore({ connectionString: url, schema })
    const b = new PostgresStore({ connectionString: url, schema })
    await Promise.all([a.migrate(), b.migrate()])
    const spans = Array.from({ length: 40 }, (_, i) => sampleSpan(1 + (i % 4), 1 + Math.floor(i / 4)))
    a.saveSpans(spans)
    b.saveSpans([...spans].reverse())
    await Promise.all([a.flush(), b.flush()])
    const counts = await admin.query(`SELECT trace_id, count(*)::int AS n FROM ${schema}.spans GROUP BY trace_id ORDER BY trace_id`)
    expect(counts.rows.map((r) => r.n)).toEqual([10, 10, 10, 10])
    const list = await a.listTraces({ limit: 10, offset: 0 })
    expect(list.traces.map((t) => t.spanCount)).toEqual([10, 10, 10, 10])
    await Promise.all([a.close(), b.close()])
  })

  it('keeps NUL characters out of jsonb without losing the rest of the batch', async () => {
    const store = new PostgresStore({ connectionString: url, schema: uniqueSchema('nul') })
    store.saveSpans([sampleSpan(1, 1, { attributes: { text: 'a\u0000b', literal: 'c\\u0000d' } }), sampleSpan(1, 2)])
    const spans = await store.getTrace(traceIdOf(1))
    expect(spans?.map((s) => s.attributes.text ?? s.attributes.count)).toEqual(['a\ufffdb', 2])
    expect(spans?.[0].attributes.literal).toBe('c\\u0000d')
    await store.close()
  })

  it('with the database down: writes queue up and nothing waits, the status says unavailable, reads answer 503, writes resume when it is back', async () => {
    const target = new URL(url)
    const cut = await new TcpCut(target.hostname, Number(target.port || 5432)).open()
    const store = new PostgresStore({ connectionString: cut.urlThrough(url), schema: uniqueSchema('down') })
    await store.migrate()
    store.save(sampleRequest(1))
    await store.flush()
    await cut.cut()
    const started = performance.now()
    for (let i = 2; i <= 6; i++) store.save(sampleRequest(i))
    store.saveSpans([sampleSpan(2, 1)], 'req-2')
    expect(performance.now() - started).toBeLessThan(1000)
    await until(async () => !(await store.status()).available, 'the store to notice the database is down')
    const down = await store.status()
    expect(down).toMatchObject({ available: false, queued: 6, dropped: 0 })
    expect(down.error).toMatch(/does not answer/)
    // What this instance recorded is still answered from the queue; the list cannot be.
    expect((await store.get('req-4'))?.path).toBe('/users/4')
    await expect(store.list({ limit: 5, offset: 0 })).rejects.toThrow(StoreUnavailableError)
    await cut.restore()
    await until(async () => (await store.status()).available && (await store.status()).queued === 0, 'the writes to resume', 20_000)
    expect((await store.list({ limit: 10, offset: 0 })).total).toBe(6)
    expect((await store.listTraces({ limit: 5, offset: 0 })).traces[0]).toMatchObject({ requestId: 'req-2', spanCount: 1 })
    await store.close()
    await cut.cut()
  })

  it('needs a server and a plain schema name; shows no password in its location', async () => {
    expect(() => new PostgresStore({} as never)).toThrow('PostgresStore needs a connectionString or a pool')
    expect(() => new PostgresStore({ connectionString: url, schema: 'x; DROP' })).toThrow('schema must be a plain identifier')
    const store = new PostgresStore({ connectionString: 'postgres://me:secret@127.0.0.1:1/app', schema: uniqueSchema('x') })
    expect(store.location).toBe('127.0.0.1:1/app schema ' + store.schema)
    await store.close()
    const pool = new pg.Pool({ connectionString: url })
    const shared = new PostgresStore({ pool, schema: uniqueSchema('pool') })
    shared.save(sampleRequest(1))
    expect((await shared.list({ limit: 1, offset: 0 })).total).toBe(1)
    await shared.close()
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
    await pool.end()
  })
})
