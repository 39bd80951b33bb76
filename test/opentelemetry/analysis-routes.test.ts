import { gzipSync } from 'node:zlib'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { trace } from '@opentelemetry/api'
import { describe, expect, it } from 'vitest'
import { debugToolbar, MemoryStore, recordQuery, ToolbarEvents, type ToolbarEvent } from '../../src/index.js'
import type { ToolbarHost } from '../../src/core/host.js'
import type { ToolbarStore } from '../../src/core/store.js'
import { SqliteStore } from '../../src/store/sqlite.js'
import { OpenTelemetryPanel, TraceStore, otlpJsonFromToolbarSpans, registerTraceImport, type ToolbarSpan, type TraceSummary } from '../../src/opentelemetry/index.js'
import { ANALYSIS_CASES, caseSpans } from '../support/analysis-cases.js'
import { ms, syntheticTrace } from '../support/synthetic-spans.js'
import { lateOtlpExport } from '../support/late-otlp-span.js'

const loopback = { incoming: { socket: { remoteAddress: '127.0.0.1' } } }
const PREFIX = '/_debug_toolbar'

function makeApp(options: ConstructorParameters<typeof OpenTelemetryPanel>[0] = {}, store?: ToolbarStore) {
  const app = new Hono()
  app.use(debugToolbar({ store, extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop', ...options })] }))
  const call = (path: string, init?: RequestInit) => app.request(`${PREFIX}${path}`, init, loopback)
  const importJson = (body: unknown) => call('/api/traces/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { app, call, importJson }
}

describe('GET /api/traces/:traceId/analysis', () => {
  for (const c of ANALYSIS_CASES) {
    it(`answers the hand-computed critical path and self times: ${c.title}`, async () => {
      const { call, importJson } = makeApp()
      const spans = caseSpans(c, 'api')
      const imported = await importJson(otlpJsonFromToolbarSpans(spans))
      expect(imported.status).toBe(200)
      const analysis = await (await call(`/api/traces/${spans[0]!.traceId}/analysis`)).json()
      const names = new Map(spans.map((s) => [s.spanId, s.name]))
      expect(analysis.criticalPath.map((id: string) => names.get(id))).toEqual(c.criticalPath)
      for (const [name, value] of Object.entries(c.selfMs)) {
        expect(analysis.selfTimeNs[spans.find((s) => s.name === name)!.spanId], name).toBe(ms(value))
      }
    })
  }

  it('answers 400 for a malformed id and 404 for an unknown trace, as JSON', async () => {
    const { call } = makeApp()
    const bad = await call('/api/traces/xyz/analysis')
    expect([bad.status, (await bad.json()).error]).toEqual([400, '"xyz" is not a trace id (32 hexadecimal characters, not all zero)'])
    const unknown = await call(`/api/traces/${'ab'.repeat(16)}/analysis`)
    expect(unknown.status).toBe(404)
    expect((await call(`/api/traces/${'ab'.repeat(16)}/compare/nope`)).status).toBe(404)
  })
})

describe('a recorded request: groups, statistics and a comparison of two runs', () => {
  function shop() {
    const made = makeApp()
    made.app.get('/users/:id', (c) => {
      const tracer = trace.getTracer('shop')
      // One query per post: /users/3 makes 3, /users/5 makes 5.
      for (let post = 1; post <= Number(c.req.param('id')); post++) {
        tracer.startSpan('SELECT comments', { attributes: { 'db.query.text': `SELECT author FROM comments WHERE post_id = ${post}` } }).end()
      }
      return c.text('ok')
    })
    return made
  }
  const traceIdOf = async (app: Hono, path: string) => {
    const res = await app.request(path, undefined, loopback)
    const id = res.headers.get('x-debug-toolbar-request-id')
    return (await (await app.request(`${PREFIX}/api/requests/${id}`, undefined, loopback)).json()).traceId as string
  }

  it('groups the N+1 queries under the SERVER span and counts them in the statistics', async () => {
    const { app, call } = shop()
    const traceId = await traceIdOf(app, '/users/3')
    const analysis = await (await call(`/api/traces/${traceId}/analysis`)).json()
    expect(analysis.groups).toHaveLength(1)
    expect(analysis.groups[0]).toMatchObject({ key: 'shop: SELECT author FROM comments WHERE post_id = ?', name: 'SELECT comments', count: 3, sql: true })
    expect(analysis.stats.map((s: { name: string; count: number }) => [s.name, s.count])).toEqual(
      expect.arrayContaining([
        ['GET /users/:id', 1],
        ['SELECT comments', 3],
      ]),
    )
    expect(analysis.criticalPath[0]).toBe(analysis.groups[0].parentSpanId)
  })

  it("groups queries with their values written into the SQL as the SQL panel's similar queries are grouped", async () => {
    const { app, call } = makeApp()
    app.get('/products', (c) => {
      const at = performance.now()
      recordQuery({ sql: 'SELECT COUNT(*) FROM products', startTime: at, durationMs: 0.1, dbSystem: 'sqlite' })
      for (const id of [10, 11, 12]) recordQuery({ sql: `SELECT name, price FROM products WHERE id = ${id}`, startTime: at, durationMs: 0.1, dbSystem: 'sqlite' })
      recordQuery({ sql: "SELECT id FROM products WHERE name IN ('Lamp', 'Desk')", startTime: at, durationMs: 0.1, dbSystem: 'sqlite' })
      recordQuery({ sql: "SELECT id FROM products WHERE name IN ('Chair')", startTime: at, durationMs: 0.1, dbSystem: 'sqlite' })
      return c.text('ok')
    })
    const res = await app.request('/products', undefined, loopback)
    expect(await res.text()).toBe('ok')
    const detail = await (await app.request(`${PREFIX}/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`, undefined, loopback)).json()
    const analysis = await (await call(`/api/traces/${detail.traceId}/analysis`)).json()
    // The waterfall's N+1 groups (by the exported text, values as `?`) and the panel's similar groups hold the same queries.
    const waterfall = analysis.groups.map((g: { key: string; count: number }) => [g.key, g.count])
    expect(waterfall).toEqual([
      ['shop: SELECT name, price FROM products WHERE id = ?', 3],
      ['shop: SELECT id FROM products WHERE name IN (?)', 2],
    ])
    expect(detail.panels.sql.similar.map((g: { count: number; queryIds: number[] }) => [g.count, g.queryIds])).toEqual([
      [3, [2, 3, 4]],
      [2, [5, 6]],
    ])
  })

  it('compares /users/3 with /users/5: duration, the query count delta, the spans added', async () => {
    const { app, call } = shop()
    const a = await traceIdOf(app, '/users/3')
    const b = await traceIdOf(app, '/users/5')
    const diff = await (await call(`/api/traces/${a}/compare/${b}`)).json()
    expect(diff.groups[0]).toMatchObject({ key: 'shop: SELECT author FROM comments WHERE post_id = ?', countA: 3, countB: 5 })
    expect(diff.added.map((s: { name: string }) => s.name)).toEqual(['SELECT comments', 'SELECT comments'])
    expect([diff.removed, diff.addedTotal, diff.removedTotal]).toEqual([[], 2, 0])
    expect(typeof diff.durationDeltaNs).toBe('string')
    expect(BigInt(diff.durationNsB) - BigInt(diff.durationNsA)).toBe(BigInt(diff.durationDeltaNs))
    expect(diff.criticalPathA[0].name).toBe('GET /users/:id')
  })

  it('gives a trace whose downstream clock is behind the same duration as the same trace without the skew', async () => {
    const { call, importJson } = makeApp()
    // S claims -5..65 on a clock 20 ms behind; moved into C it runs 15-85, as in the trace
    // without the skew. Either way the request took P's 100 ms.
    const skewed = ANALYSIS_CASES.find((c) => c.title === 'remote spans with clock skew')!
    const a = syntheticTrace('no skew', skewed.spans.map((s) => (s.service === 'back' ? { ...s, start: s.start + 20, end: s.end! + 20 } : s)))
    const b = caseSpans(skewed, 'compare')
    for (const spans of [a, b]) expect((await importJson(otlpJsonFromToolbarSpans(spans))).status).toBe(200)
    const diff = await (await call(`/api/traces/${a[0]!.traceId}/compare/${b[0]!.traceId}`)).json()
    expect([diff.durationNsA, diff.durationNsB, diff.durationDeltaNs]).toEqual([ms(100), ms(100), '0'])
  })
})

/** The import route alone, on a fresh span store and event hub. */
function bareRoutes(maxBodyBytes = 4 * 1024 * 1024) {
  const events = new ToolbarEvents()
  const seen: ToolbarEvent[] = []
  events.subscribe((e) => seen.push(e))
  const routes = new Hono()
  const host: ToolbarHost = { prefix: PREFIX, routes, store: new MemoryStore(), events, app: undefined, getRecord: () => undefined }
  const traces = new TraceStore()
  registerTraceImport(host, traces, maxBodyBytes)
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    routes.request('/api/traces/import', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
  return { post, seen, traces }
}

/**
 * What a second app on the same database (as after a restart, or another instance) shows of
 * a trace: the sources of its spans, and the traces it lists as imported.
 */
async function shownFrom(path: string, traceId: string) {
  const store = new SqliteStore({ path })
  const { call } = makeApp({}, store)
  const spans: ToolbarSpan[] = (await (await call(`/api/traces/${traceId}`)).json()).spans
  const imported: TraceSummary[] = (await (await call('/api/traces?source=import')).json()).traces
  await store.close()
  return { sources: spans.map((s) => s.source), imported: imported.map((t) => t.traceId) }
}

describe('POST /api/traces/import', () => {
  it('imports the panel\'s own download back to the same spans, with source "import"', async () => {
    const first = makeApp()
    first.app.get('/x', (c) => {
      trace.getTracer('t').startSpan('work', { attributes: { n: 1 } }).end()
      return c.text('ok')
    })
    const res = await first.app.request('/x', undefined, loopback)
    const detail = await (await first.call(`/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    const original: ToolbarSpan[] = (await (await first.call(`/api/traces/${detail.traceId}`)).json()).spans
    const file = await (await first.call(`/api/traces/${detail.traceId}/otlp`)).json()

    // Another toolbar (spans are kept per process: a fresh store stands for another process).
    const { post, traces } = bareRoutes()
    const answer = await post(JSON.stringify(file))
    expect(await answer.json()).toEqual({ traceIds: [detail.traceId], spans: original.length, rejected: 0 })
    expect(traces.spans(detail.traceId)).toEqual(original.map((span) => ({ ...span, source: 'import' })))
    const listed = traces.list({ limit: 10, offset: 0, source: 'import' }).traces
    expect(listed.map((t) => [t.traceId, t.spanCount])).toEqual([[detail.traceId, original.length]])
  })

  it('imports a download of a request that finished longer ago than the late window, and shows it', async () => {
    const { app, call, importJson } = makeApp({ gracePeriodMs: 50 })
    app.get('/x', (c) => {
      trace.getTracer('t').startSpan('work').end()
      return c.text('ok')
    })
    const res = await app.request('/x', undefined, loopback)
    await res.text() // the request finishes as its body is read
    const detail = await (await call(`/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    const file = await (await call(`/api/traces/${detail.traceId}/otlp`)).json()
    const spanCount = file.resourceSpans[0].scopeSpans.reduce((n: number, ss: { spans: unknown[] }) => n + ss.spans.length, 0)
    await new Promise((resolve) => setTimeout(resolve, 80))

    const answer = await importJson(file)
    expect([answer.status, await answer.json()]).toEqual([200, { traceIds: [detail.traceId], spans: spanCount, rejected: 0 }])
    // The toolbar still holds the trace: its spans are shown as they were, the request's own.
    const shown = await (await call(`/api/traces/${detail.traceId}`)).json()
    expect(shown.spans.map((s: ToolbarSpan) => [s.name, s.source])).toEqual(expect.arrayContaining([['work', 'local']]))
    expect(shown.spans.some((s: ToolbarSpan) => s.source === 'import')).toBe(false)
    const listed: TraceSummary[] = (await (await call('/api/traces')).json()).traces
    expect(listed.filter((t) => t.traceId === detail.traceId).map((t) => [t.requestId, t.spanCount])).toEqual([[detail.id, spanCount]])
    expect(((await (await call('/api/traces?source=import')).json()).traces as TraceSummary[]).some((t) => t.traceId === detail.traceId)).toBe(false)
  })

  it("keeps the request's own spans as local in the durable store when its download is imported back", async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hdt-import-')), 'toolbar.db')
    const store = new SqliteStore({ path })
    const { app, call, importJson } = makeApp({}, store)
    app.get('/x', (c) => c.text('ok'))
    const res = await app.request('/x', undefined, loopback)
    await res.text()
    const { traceId } = await (await call(`/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    const file = await (await call(`/api/traces/${traceId}/otlp`)).json()
    expect(await (await importJson(file)).json()).toMatchObject({ traceIds: [traceId] })
    await store.close()
    expect(await shownFrom(path, traceId)).toEqual({ sources: ['local'], imported: [] })
  })

  it("keeps the request's own spans as local in the durable store when its download is imported after memory let the trace go", async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hdt-import-')), 'toolbar.db')
    const store = new SqliteStore({ path })
    const { app, call, importJson } = makeApp({ maxTraces: 1 }, store)
    app.get('/x', (c) => c.text('ok'))
    const first = await app.request('/x', undefined, loopback)
    await first.text()
    const { traceId } = await (await call(`/api/requests/${first.headers.get('x-debug-toolbar-request-id')}`)).json()
    // A second request: memory keeps one trace, the database both.
    await (await app.request('/x', undefined, loopback)).text()
    await store.flush()
    const file = await (await call(`/api/traces/${traceId}/otlp`)).json()
    expect(await (await importJson(file)).json()).toMatchObject({ traceIds: [traceId], rejected: 0 })
    await store.close()
    expect(await shownFrom(path, traceId)).toEqual({ sources: ['local'], imported: [] })
  })

  it('merges an imported file into a trace it holds after the late window: the spans it lacks join it', async () => {
    const { app, call, importJson } = makeApp({ gracePeriodMs: 50 })
    app.get('/x', (c) => c.text('ok'))
    const res = await app.request('/x', undefined, loopback)
    await res.text() // the request finishes as its body is read
    const detail = await (await call(`/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    const held: ToolbarSpan[] = (await (await call(`/api/traces/${detail.traceId}`)).json()).spans
    const server = held.find((s) => !s.parentSpanId)!
    // What another service's exporter sent too late, as a collector's file export holds it.
    const late = { ...caseSpans(ANALYSIS_CASES[4]!, 'late')[0]!, traceId: detail.traceId, parentSpanId: server.spanId, name: 'inventory lookup' }
    await new Promise((resolve) => setTimeout(resolve, 80))

    expect(await (await importJson(otlpJsonFromToolbarSpans([late]))).json()).toEqual({ traceIds: [detail.traceId], spans: 1, rejected: 0 })
    const shown: ToolbarSpan[] = (await (await call(`/api/traces/${detail.traceId}`)).json()).spans
    expect(shown.map((s) => [s.name, s.source]).sort()).toEqual([[server.name, 'local'], ['inventory lookup', 'import']])
  })

  it('does not count an imported span among the spans services sent, or the late ones, as a received one is', async () => {
    const { app, call, importJson } = makeApp()
    app.get('/x', (c) => c.text('ok'))
    const res = await app.request('/x', undefined, loopback)
    await res.text() // the request finishes as its body is read
    const id = res.headers.get('x-debug-toolbar-request-id')
    const { traceId } = ((await (await call('/api/requests')).json()).requests as { id: string; traceId: string }[]).find((r) => r.id === id)!
    // After the request: one span a service sends, one span of a file the user opens.
    const sent = lateOtlpExport(traceId, '', 'b7ad6b7169203331', 'charge card')
    expect((await call('/otlp/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sent) })).status).toBe(200)
    const file = lateOtlpExport(traceId, '', 'c8be7c827a314442', 'from a file')
    expect(await (await importJson(file)).json()).toEqual({ traceIds: [traceId], spans: 1, rejected: 0 })

    const stats = (await (await call(`/api/requests/${id}`)).json()).panels.opentelemetry
    expect([stats.spanCount, stats.receivedSpans, stats.lateSpans]).toEqual([3, 1, 1])
  })

  it('names the bad field when every span of the file is refused', async () => {
    const { importJson } = makeApp()
    const file = otlpJsonFromToolbarSpans(caseSpans(ANALYSIS_CASES[4]!, 'bad'))
    file.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.traceId = 'zz'
    const answer = await importJson(file)
    expect([answer.status, await answer.json()]).toEqual([400, { error: '1 span refused: resourceSpans[0].scopeSpans[0].spans[0] ("R").traceId must be 32 hex characters, got "zz"' }])
  })

  it('answers only the traces it can show when a file mixes a good trace with a refused one', async () => {
    const { importJson, call } = makeApp()
    const good = caseSpans(ANALYSIS_CASES[1]!, 'kept')
    // A well-formed trace id whose only span ends before it starts: refused, nothing to show.
    const bad = { ...caseSpans(ANALYSIS_CASES[4]!, 'backwards')[0]!, parentSpanId: undefined }
    bad.endTimeUnixNano = String(BigInt(bad.startTimeUnixNano) - 1000n)
    const answer = await (await importJson(otlpJsonFromToolbarSpans([...good, bad]))).json()
    expect(answer.rejected).toBe(1)
    expect(answer.traceIds).toEqual([good[0]!.traceId])
    expect((await call(`/api/traces/${bad.traceId}`)).status).toBe(404)
  })

  it('refuses a span that is not an object alone, and answers 400 when nothing else was in the file', async () => {
    const { call, importJson } = makeApp()
    const [good] = caseSpans(ANALYSIS_CASES[4]!, 'beside null')
    const file = otlpJsonFromToolbarSpans([good!])
    ;(file.resourceSpans[0]!.scopeSpans[0]!.spans as unknown[]).unshift(null)
    const answer = await importJson(file)
    expect(answer.status).toBe(200)
    expect(await answer.json()).toMatchObject({ traceIds: [good!.traceId], spans: 1, rejected: 1, errorMessage: '1 span refused: resourceSpans[0].scopeSpans[0].spans[0] must be an object' })

    const alone = await importJson({ resourceSpans: [{ scopeSpans: [{ spans: [null] }] }] })
    expect([alone.status, (await alone.json()).error]).toEqual([400, '1 span refused: resourceSpans[0].scopeSpans[0].spans[0] must be an object'])
    expect((await call('/healthz')).status).toBe(200)
  })

  it('answers 400 for a file whose every span is refused, even when the toolbar holds their trace', async () => {
    const { app, importJson } = makeApp()
    app.get('/x', (c) => c.text('ok'))
    const res = await app.request('/x', undefined, loopback)
    await res.text()
    const traceId = (await (await app.request(`${PREFIX}/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`, undefined, loopback)).json()).traceId
    const file = lateOtlpExport(traceId)
    file.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.startTimeUnixNano = 'soon'
    const answer = await importJson(file)
    expect(answer.status).toBe(400)
    expect((await answer.json()).error).toMatch(/^1 span refused: .*startTimeUnixNano/)
  })

  it('answers only the traces it still holds when the file has more than maxTraces', async () => {
    const { call, importJson } = makeApp({ maxTraces: 2 })
    const traces = ['one', 'two', 'three'].map((label) => caseSpans(ANALYSIS_CASES[4]!, label))
    const answer = await (await importJson(otlpJsonFromToolbarSpans(traces.flat()))).json()
    expect(answer).toMatchObject({ spans: 3, rejected: 0 })
    expect(answer.traceIds).toEqual([traces[1]![0]!.traceId, traces[2]![0]!.traceId])
    for (const id of answer.traceIds) expect((await call(`/api/traces/${id}`)).status).toBe(200)
  })

  it('lists an imported trace in GET /api/traces, with source import', async () => {
    const { call, importJson } = makeApp()
    const spans = caseSpans(ANALYSIS_CASES[1]!, 'listed')
    expect((await importJson(otlpJsonFromToolbarSpans(spans))).status).toBe(200)
    const list = await (await call('/api/traces?source=import')).json()
    expect(list.traces.map((t: { traceId: string }) => t.traceId)).toContain(spans[0]!.traceId)
  })

  it('keeps at most maxSpansPerTrace spans and counts the rest as refused', async () => {
    const { importJson } = makeApp({ maxSpansPerTrace: 2 })
    const spans = caseSpans(ANALYSIS_CASES[0]!, 'bounded')
    const answer = await (await importJson(otlpJsonFromToolbarSpans(spans))).json()
    expect(answer).toMatchObject({ spans: 2, rejected: 2 })
    expect(answer.errorMessage).toMatch(/span/)
  })

  it('answers 415, 400 and 413 with a message, and keeps serving', async () => {
    const { call, importJson } = makeApp()
    const post = (body: BodyInit, headers: Record<string, string>) => call('/api/traces/import', { method: 'POST', headers, body })
    const cases: Array<[Response, number, string]> = [
      [await post('{}', { 'content-type': 'text/plain' }), 415, 'application/json'],
      [await post('{}', { 'content-type': 'application/json', 'content-encoding': 'br' }), 415, 'Content-Encoding "br"'],
      [await post('{"resourceSpans": [', { 'content-type': 'application/json' }), 400, 'not JSON'],
      [await importJson({ resourceSpans: {} }), 400, 'resourceSpans'],
      [await importJson({ resourceSpans: [] }), 400, 'no spans'],
      [await post(gzipSync('not json'), { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 400, 'not JSON'],
      [await post('plain bytes', { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 400, 'not valid gzip'],
    ]
    for (const [res, status, message] of cases) {
      expect(res.status).toBe(status)
      expect((await res.json()).error).toContain(message)
    }
    const spans = caseSpans(ANALYSIS_CASES[4]!, 'gzip')
    const gz = await post(gzipSync(JSON.stringify(otlpJsonFromToolbarSpans(spans))), { 'content-type': 'application/json; charset=utf-8', 'content-encoding': 'gzip' })
    expect(await gz.json()).toMatchObject({ traceIds: [spans[0]!.traceId], spans: 1 })
  })

  it("names the format of a Jaeger, Zipkin or Tempo trace file instead of saying it holds no spans", async () => {
    const { importJson } = makeApp()
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    // What the Jaeger UI's "Download JSON", the Zipkin UI's "Download JSON" and Grafana Tempo's
    // /api/traces/<id> save: each holds a span, in a format that is not OTLP/JSON.
    const jaeger = { data: [{ traceID: traceId, spans: [{ traceID: traceId, spanID: '00f067aa0ba902b7', operationName: 'GET /', startTime: 1_700_000_000_000_000, duration: 2000 }], processes: {} }] }
    const zipkin = [{ traceId, id: '00f067aa0ba902b7', name: 'get /', timestamp: 1_700_000_000_000_000, duration: 2000, localEndpoint: { serviceName: 'shop' } }]
    const tempo = { batches: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [{ traceId, spanId: '00f067aa0ba902b7', name: 'GET /', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000002000000' }] }] }] }
    for (const [file, format] of [[jaeger, "Jaeger's JSON"], [zipkin, "Zipkin's JSON"], [tempo, 'Grafana Tempo']] as const) {
      const answer = await importJson(file)
      const { error } = await answer.json()
      expect([answer.status, error], format).toEqual([400, expect.stringContaining(format)])
      expect(error, format).toContain('OTLP/JSON')
      expect(error, format).not.toContain('no spans')
    }
  })

  it('answers 413 over the size limit, before and after decompression', async () => {
    const { post, seen } = bareRoutes(2000)
    const big = JSON.stringify({ resourceSpans: [], padding: 'x'.repeat(5000) })
    const over = await post(big)
    expect(over.status).toBe(413)
    expect((await over.json()).error).toContain('2000')
    const bomb = await post(gzipSync(big), { 'content-encoding': 'gzip' })
    expect(bomb.status).toBe(413)
    expect((await bomb.json()).error).toContain('decompressed')
    const spans = caseSpans(ANALYSIS_CASES[4]!)
    expect((await post(JSON.stringify(otlpJsonFromToolbarSpans(spans)))).status).toBe(200)
    expect(seen.map((e) => [e.type, e.data.traceId, e.data.source])).toEqual([
      ['trace.created', spans[0]!.traceId, 'import'],
      ['trace.completed', spans[0]!.traceId, 'import'],
    ])
  })
})
