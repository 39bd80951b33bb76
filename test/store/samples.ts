import type { StoredRequest } from '../../src/core/store.js'
import type { ToolbarSpan } from '../../src/core/span-model.js'

const BASE_NS = 1_767_225_600_000_000_000n // 2026-01-01T00:00:00Z

/** A finished request as the toolbar stores it, `index` ms after the base time. */
export function sampleRequest(index: number, overrides: Partial<StoredRequest> = {}): StoredRequest {
  return {
    id: `req-${index}`,
    method: index % 3 === 0 ? 'POST' : 'GET',
    path: `/users/${index}`,
    route: '/users/:id',
    status: index % 4 === 0 ? 404 : 200,
    startedAt: new Date(Number(BASE_NS / 1_000_000n) + index).toISOString(),
    durationMs: 1.5 + index,
    traceId: traceIdOf(index),
    panels: { timer: { totalMs: 1.5 + index, note: 'naïve ✓ "quoted" \\u0000 text' }, sql: { queries: [{ sql: 'SELECT 1', params: [index] }] } },
    nav: [{ id: 'timer', title: 'Time', subtitle: `${1.5 + index} ms` }],
    ...overrides,
  }
}

export function traceIdOf(index: number): string {
  return index.toString(16).padStart(32, 'a')
}

/** A span of trace `trace`, starting `startMs` after the base time. */
export function sampleSpan(trace: number, span: number, overrides: Partial<ToolbarSpan> & { startMs?: number; durationMs?: number; service?: string } = {}): ToolbarSpan {
  const { startMs = span, durationMs = 2, service = 'shop', ...rest } = overrides
  const start = BASE_NS + BigInt(trace) * 1_000_000_000n + BigInt(Math.round(startMs * 1e6)) + 123n
  return {
    traceId: traceIdOf(trace),
    spanId: span.toString(16).padStart(16, '0'),
    parentSpanId: span === 1 ? undefined : (1).toString(16).padStart(16, '0'),
    name: span === 1 ? 'GET /users/:id' : `child ${span}`,
    kind: span === 1 ? 'SERVER' : 'INTERNAL',
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + BigInt(Math.round(durationMs * 1e6))).toString(),
    attributes: { 'http.route': '/users/:id', count: span, ok: true, list: ['a', 1, null] },
    events: [{ name: 'log', timeUnixNano: start.toString(), attributes: { message: 'hello' } }],
    links: [],
    status: { code: 'UNSET' },
    resource: { 'service.name': service },
    scope: { name: 'hono-debug-toolbar', version: '0.1.0' },
    source: 'local',
    ...rest,
  }
}

/** The trace of `tiedOldSpans`. */
export const TIED_TRACE = 'c'.repeat(32)

/**
 * Three spans of `TIED_TRACE` that start at the same nanosecond, as a release before the
 * insertion sequence stored them (the version 1 columns), written in an order their ids do
 * not sort in: `table` is `spans` or `"schema".spans`.
 */
export function tiedOldSpans(table: string): string {
  return ['0c', '0a', '0b']
    .map(
      (id) => `INSERT INTO ${table} VALUES ('${TIED_TRACE}', '${id.padStart(16, '0')}', NULL, 'old ${id}', 'INTERNAL',
        1767225600000000123, 1767225600012500123, 'shop', 'local', 'UNSET', '{}', '[]', '[]', '{"code":"UNSET"}', '{"service.name":"shop"}', '{"name":"old"}');`,
    )
    .join('\n')
}

/** A span stored after the migration, at the same nanosecond as `tiedOldSpans`, with an id (`span`, 9 unless told) that sorts before theirs. */
export function tiedNewSpan(span = 9): ToolbarSpan {
  const name = `new ${span.toString(16).padStart(2, '0')}`
  return { ...sampleSpan(0, span, { startTimeUnixNano: '1767225600000000123', endTimeUnixNano: '1767225600000000999' }), traceId: TIED_TRACE, parentSpanId: undefined, name }
}

/** The trace of the version 1 fixtures (`test/fixtures/*-v1.sql`): one SERVER span of 12.5 ms. */
export const FIXTURE_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'

/**
 * A downstream service's span joining `FIXTURE_TRACE`, 1,002 ms after the request started on
 * the service's clock (1 s ahead of the app's), and the trace's summary line as a release
 * before version 7 stored it (start and duration as received: 1,007 ms). `table(name)` is the
 * table's name (`spans`, or `"schema".spans`).
 */
export function skewedOldSpan(table: (name: string) => string): string {
  return `INSERT INTO ${table('spans')} VALUES ('${FIXTURE_TRACE}', '00f067aa0ba902b8', '00f067aa0ba902b7', 'GET /stock/:sku', 'SERVER',
      1767225601002000123, 1767225601007000123, 'inventory', 'otlp_http', 'UNSET', '{}', '[]', '[]', '{"code":"UNSET"}', '{"service.name":"inventory"}', '{"name":"inventory"}');
    UPDATE ${table('traces')} SET services = '["shop","inventory"]', sources = '["local","otlp_http"]', span_count = 2, duration_ms = 1007 WHERE trace_id = '${FIXTURE_TRACE}';`
}
