/**
 * An upgrade with an older release still running on the same database (a rolling deploy of
 * several instances): the schema is migrated by the new release, and the old one, which
 * checked the version when it started, goes on writing rows of its own schema version.
 * The same test runs on SQLite (test/store/sqlite-store.test.ts) and on a real PostgreSQL
 * server (integration/postgres-store.test.ts).
 */
import { expect } from 'vitest'
import type { ToolbarStore } from '../../src/core/store.js'
import { sampleRequest, sampleSpan, tiedNewSpan, TIED_TRACE, traceIdOf } from './samples.js'

type Durable = ToolbarStore & { flush(): Promise<void>; close(): Promise<void> }

/**
 * The trace line of request `index` as a release of schema version 5 writes it: it knows
 * no `opened_ms` (version 6) nor the listed start and duration (version 7). `table` is
 * `traces` or `"schema".traces`. The line a newer release wrote for the same spans goes first.
 */
function olderReleaseTraceLine(table: string, index: number): string {
  const started = Date.parse(sampleRequest(index).startedAt)
  return `DELETE FROM ${table} WHERE trace_id = '${traceIdOf(index)}';
    INSERT INTO ${table} (trace_id, request_id, root_name, services, sources, span_count, started_ms, duration_ms, error, saved_ms)
    VALUES ('${traceIdOf(index)}', 'req-${index}', 'GET /users/:id', '["shop"]', '["local"]', 1, ${started + 1000 * index}, 2, false, ${Date.now()})`
}

/**
 * A request an older release recorded reads as recorded by the toolbar, as the newer
 * release's own do: listed by its start, and the first to go over `maxTraces` (it started
 * first), also after a downstream service's span joined its trace through the new release.
 * `exec` runs SQL on the store's database; `table` names its traces table.
 *
 * @example
 * ```ts
 * await olderReleaseLineReadsAsRecorded((options) => new SqliteStore({ path, ...options }), (sql) => db.exec(sql), 'traces')
 * ```
 */
export async function olderReleaseLineReadsAsRecorded(
  open: (options: { maxTraces: number }) => Durable,
  exec: (sql: string) => unknown,
  table: string,
): Promise<void> {
  const store = open({ maxTraces: 3 })
  // The older release records request 1: its request and span rows are the same in both versions.
  store.save(sampleRequest(1))
  store.saveSpans([sampleSpan(1, 1)], 'req-1')
  await store.flush()
  await exec(olderReleaseTraceLine(table, 1))
  // The new release records requests 2 and 3, which started after it.
  for (const index of [2, 3]) {
    store.save(sampleRequest(index))
    store.saveSpans([sampleSpan(index, 1)], `req-${index}`)
  }
  const listed = await store.listTraces!({ limit: 5, offset: 0 })
  expect(listed.traces.map((t) => t.traceId)).toEqual([traceIdOf(3), traceIdOf(2), traceIdOf(1)])
  // A downstream service sends its span of request 1's trace to the new release.
  store.saveSpans([sampleSpan(1, 2, { source: 'otlp_http', service: 'inventory' })])
  // Then request 4: over maxTraces (3) the trace that started first goes, request 1's.
  store.save(sampleRequest(4))
  store.saveSpans([sampleSpan(4, 1)], 'req-4')
  const kept = await store.listTraces!({ limit: 5, offset: 0 })
  expect(kept.traces.map((t) => t.traceId)).toEqual([traceIdOf(4), traceIdOf(3), traceIdOf(2)])
  expect(kept.evicted).toBe(1)
  await store.close()
}

/**
 * Spans `old 0c`, `old 0a`, `old 0b` of `TIED_TRACE` (in that order, which their ids do not
 * sort in), at the nanosecond of `tiedNewSpan`, as a release of schema version 4 writes them:
 * it knows no `seq` (version 5). `table` is `spans` or `"schema".spans`.
 */
function olderReleaseTiedSpans(table: string): string {
  const columns = 'trace_id, span_id, parent_span_id, name, kind, start_ns, end_ns, service, source, status_code, attributes, events, links, status, resource, scope, instance, extra'
  return ['0c', '0a', '0b']
    .map(
      (id) => `INSERT INTO ${table} (${columns}) VALUES ('${TIED_TRACE}', '${id.padStart(16, '0')}', NULL, 'old ${id}', 'INTERNAL',
        1767225600000000123, 1767225600012500123, 'shop', 'otlp_http', 'UNSET', '{}', '[]', '[]', '{"code":"UNSET"}', '{"service.name":"shop"}', '{"name":"old"}', 'old:1', NULL);`,
    )
    .join('\n')
}

/**
 * Spans an older release still running writes after the migration (without the insertion
 * sequence) are listed among the spans that start at the same nanosecond in the order they
 * were written: after a span the new release stored before them, before one it stored after.
 * `exec` runs SQL on the store's database; `table` names its spans table.
 *
 * @example
 * ```ts
 * await olderReleaseSpansListedInWriteOrder(() => new SqliteStore({ path }), (sql) => db.exec(sql), 'spans')
 * ```
 */
export async function olderReleaseSpansListedInWriteOrder(open: () => Durable, exec: (sql: string) => unknown, table: string): Promise<void> {
  const store = open()
  store.saveSpans([tiedNewSpan(9)])
  await store.flush()
  await exec(olderReleaseTiedSpans(table))
  store.saveSpans([tiedNewSpan(1)])
  await store.flush()
  const written = ['new 09', 'old 0c', 'old 0a', 'old 0b', 'new 01']
  expect((await store.getTrace(TIED_TRACE))!.map((s) => s.name)).toEqual(written)
  await store.close()
  // The same order after a restart, and when the new release writes an older span again.
  const again = open()
  again.saveSpans([tiedNewSpan(9)])
  await again.flush()
  expect((await again.getTrace(TIED_TRACE))!.map((s) => s.name)).toEqual(written)
  await again.close()
}
