import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { otlpJsonFromToolbarSpans, type ToolbarSpan } from '../../src/opentelemetry/index.js'
import { formatMs } from '../../src/shapes/format.js'
import { call, connect, startShop } from './app.js'

const hex = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, '0')

/** An OTLP/JSON export request of one service, as another service's SDK sends it. */
function exportRequest(service: string, spans: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string; startMs: number; durationMs?: number; error?: string }>) {
  const base = BigInt(Date.now()) * 1_000_000n
  const at = (ms: number) => String(base + BigInt(Math.round(ms * 1e6)))
  return otlpJsonFromToolbarSpans(
    spans.map(
      (s): ToolbarSpan => ({
        ...s,
        kind: 'SERVER',
        startTimeUnixNano: at(s.startMs),
        endTimeUnixNano: at(s.startMs + (s.durationMs ?? 2)),
        attributes: { 'http.request.header.authorization': ['Basic c2VjcmV0'] },
        events: [],
        links: [],
        status: s.error ? { code: 'ERROR', message: s.error } : { code: 'UNSET' },
        resource: { 'service.name': service },
        scope: { name: 'remote' },
        source: 'otlp_http',
      }),
    ),
  )
}

/** Spans that other services send to the toolbar's OTLP receiver, seen through MCP. */
describe('remote spans over MCP', () => {
  let shop: Awaited<ReturnType<typeof startShop>>
  let client: Client
  let requestId: string
  let requestTrace: string
  const workerTrace = hex(0xbeef, 16)

  beforeAll(async () => {
    shop = await startShop({}, { grafanaUrl: 'http://grafana.test:3000', jaegerUiUrl: 'http://jaeger.test:16686' })
    requestId = await shop.get('/users')
    client = await connect(shop.base)
    const tree = await call(client, 'get_trace', { request_id: requestId })
    requestTrace = tree.data.traceId
    const send = async (body: unknown) => {
      const res = await fetch(`${shop.base}/_debug_toolbar/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      expect(res.status).toBe(200)
    }
    // The inventory service answered a call of the request (it failed), and a worker ran a job of its own.
    await send(exportRequest('inventory', [{ traceId: requestTrace, spanId: hex(0x11, 8), parentSpanId: tree.data.lines[0].spanIds[0], name: 'GET /stock', startMs: 1, error: 'stock service down' }]))
    await send(
      exportRequest('worker', [
        { traceId: workerTrace, spanId: hex(1, 8), name: 'job', startMs: 0 },
        ...[2, 3, 4, 5].map((n) => ({ traceId: workerTrace, spanId: hex(n, 8), parentSpanId: hex(1, 8), name: 'poll', startMs: n })),
      ]),
    )
    // A webhook receiver whose span is named with the URL it was called at, token included.
    await send(exportRequest('hooks', [{ traceId: hex(0xb00c, 16), spanId: hex(9, 8), name: 'POST /hooks?token=c2VjcmV0LXRva2Vu', startMs: 0 }]))
  })

  afterAll(async () => {
    await client?.close()
    await shop?.close()
  })

  it("counts a downstream service's spans with the request that called it", async () => {
    const { data } = await call(client, 'list_requests', { service: 'inventory' })
    expect(data.requests.map((r: { id: string }) => r.id)).toEqual([requestId])
    expect(data.requests[0].services).toEqual(['shop', 'inventory'])
    const errors = await call(client, 'get_trace_errors', { trace_id: requestTrace })
    expect(errors.data.requestId).toBe(requestId)
    expect(errors.data.errors[0]).toMatchObject({ kind: 'span', name: 'GET /stock', message: 'stock service down' })
  })

  it("shows a downstream span whose clock disagrees inside the span that called it, saying how far it was moved", async () => {
    // The inventory span was sent with times after the request had ended (a clock ahead of
    // ours): get_trace shows it where the waterfall draws it, inside the request's SERVER span.
    const { text, data } = await call(client, 'get_trace', { trace_id: requestTrace })
    type Line = { name: string; offsetMs: number; durationMs: number; clockSkewMs?: number; spanIds: string[] }
    const lines = data.lines as Line[]
    const root = lines[0]!
    const stock = lines.find((l) => l.name === 'GET /stock')!
    expect(root.clockSkewMs).toBeUndefined()
    expect(stock.clockSkewMs).toBeLessThan(0)
    expect(stock.durationMs).toBeCloseTo(2, 6)
    expect(stock.offsetMs).toBeGreaterThanOrEqual(root.offsetMs)
    expect(stock.offsetMs + stock.durationMs).toBeLessThanOrEqual(root.offsetMs + root.durationMs + 1e-6)
    expect(data.durationMs).toBeCloseTo(root.durationMs, 6)
    // The figures the waterfall writes (formatMs): `2.00 ms`, and the skew as `1.18 s` or `572 ms`.
    const said = new RegExp(`GET /stock ${formatMs(stock.durationMs)} \\(self [\\d.]+ (?:µs|ms)\\) \\[inventory\\] SERVER ERROR (?:CRITICAL )?clock skew: drawn ([\\d.]+ (?:ms|s)) earlier than its clock says #${stock.spanIds[0]}`).exec(text)
    expect(said?.[1]).toBe(formatMs(-stock.clockSkewMs!))
    expect(lines.filter((l) => l.clockSkewMs !== undefined).map((l) => l.name)).toEqual(['GET /stock'])

    // get_span gives the span as received: on its own clock, with the shift get_trace applied.
    const span = (await call(client, 'get_span', { trace_id: requestTrace, span_ids: [stock.spanIds[0]] })).data.spans[0]
    expect(span.clockSkewMs).toBeCloseTo(stock.clockSkewMs!, 6)
    expect(span.offsetMs).toBeCloseTo(stock.offsetMs - stock.clockSkewMs!, 3)
  })

  it('lists that trace in list_traces with the duration get_trace gives it, after the clock-skew adjustment', async () => {
    const tree = await call(client, 'get_trace', { trace_id: requestTrace })
    const { data } = await call(client, 'list_traces', { service: 'inventory' })
    const listed = data.traces.find((t: { traceId: string }) => t.traceId === requestTrace)
    expect(listed.durationMs).toBeCloseTo(tree.data.durationMs, 6)
  })

  it('shows a trace no request recorded, from the trace list, redacted', async () => {
    const { text, data } = await call(client, 'get_trace', { trace_id: workerTrace })
    expect(data.services).toEqual(['worker'])
    expect(data.lines.map((l: { name: string; count: number }) => [l.name, l.count])).toEqual([
      ['job', 1],
      ['poll', 4],
    ])
    expect(text).toMatch(/poll x4/)
    const listed = await client.listResources()
    expect(listed.resources.map((r) => r.uri)).toContain(`toolbar://traces/${workerTrace}`)
    expect(listed.resources.map((r) => r.name)).toContain('POST /hooks?token=REDACTED (hooks, 1 span)')
    expect(JSON.stringify(listed)).not.toContain('c2VjcmV0LXRva2Vu')
    const spans = await call(client, 'get_span', { trace_id: workerTrace, span_ids: [hex(2, 8)] })
    expect(spans.data.spans[0].attributes['http.request.header.authorization']).toEqual(['REDACTED'])
    expect(JSON.stringify(spans.raw)).not.toContain('c2VjcmV0')
    const none = await call(client, 'get_trace_errors', { trace_id: workerTrace })
    expect(none.data.errors).toEqual([])
    expect(none.data.requestId).toBeUndefined()
  })

  it('lists the traces, those no request recorded too, by service, source and error, paged', async () => {
    // A job of another service failed: the agent finds it without knowing its trace id.
    const mailerTrace = hex(0xfa11, 16)
    const sent = await fetch(`${shop.base}/_debug_toolbar/otlp/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(exportRequest('mailer', [{ traceId: mailerTrace, spanId: hex(0x21, 8), name: 'send welcome mail', startMs: 0, error: 'SMTP refused' }])),
    })
    expect(sent.status).toBe(200)

    const all = await call(client, 'list_traces')
    type Listed = { traceId: string; rootName: string; services: string[]; spanCount: number; requestId?: string; error: boolean }
    const listed = all.data.traces as Listed[]
    expect(listed.map((t) => t.traceId).sort()).toEqual([requestTrace, workerTrace, hex(0xb00c, 16), mailerTrace].sort())
    expect(listed[0]).toMatchObject({ traceId: mailerTrace, rootName: 'send welcome mail', services: ['mailer'], spanCount: 1, error: true })
    expect(listed.find((t) => t.traceId === requestTrace)).toMatchObject({ requestId, services: ['shop', 'inventory'], error: true })
    expect(all.text).toMatch(new RegExp(`^${mailerTrace}  send welcome mail  \\[mailer\\]  1 span  [\\d.]+ ms  .*\\[error\\]$`, 'm'))
    expect(all.text).toMatch(new RegExp(`^${requestTrace}  GET /users  \\[shop, inventory\\]  \\d+ spans  .*request ${requestId}  \\[error\\]$`, 'm'))
    // The hooks trace's name carries a token in its URL: redacted as every answer is.
    expect(JSON.stringify(all.raw)).not.toContain('c2VjcmV0LXRva2Vu')

    expect((await call(client, 'list_traces', { has_error: true })).data.traces.map((t: Listed) => t.traceId)).toEqual([mailerTrace, requestTrace])
    expect((await call(client, 'list_traces', { service: 'worker' })).data.traces.map((t: Listed) => t.traceId)).toEqual([workerTrace])
    expect((await call(client, 'list_traces', { source: 'local' })).data.traces.map((t: Listed) => t.traceId)).toEqual([requestTrace])
    const first = await call(client, 'list_traces', { limit: 3 })
    expect(first.data.traces).toHaveLength(3)
    expect(first.text).toContain(`Showing traces 1-3 of 4; more with cursor "${first.data.nextCursor}"`)
    const rest = await call(client, 'list_traces', { limit: 3, cursor: first.data.nextCursor })
    expect(rest.data.traces.map((t: Listed) => t.traceId)).toEqual([listed[3]!.traceId])
    expect((await call(client, 'list_traces', { service: 'nobody' })).text).toBe('No trace matches service "nobody" (4 traces held). Services in them: hooks, inventory, mailer, shop, worker.')
    expect((await call(client, 'list_traces', { source: 'carrier-pigeon' } as never)).isError).toBe(true)
  })

  it('links a received trace and its spans to Jaeger, Zipkin and Tempo', async () => {
    const { data, text } = await call(client, 'get_links', { trace_id: workerTrace, span_ids: [hex(3, 8)] })
    expect(data.links.jaeger).toBe(`http://jaeger.test:16686/trace/${workerTrace}`)
    expect(data.links.tempo).toMatch(/^http:\/\/grafana\.test:3000\/explore\?/)
    expect(data.links.zipkin).toMatch(new RegExp(`/zipkin/traces/${workerTrace}$`))
    expect(data.links.spans[0].jaeger).toBe(`http://jaeger.test:16686/trace/${workerTrace}?uiFind=${hex(3, 8)}`)
    expect(data.links.toolbar).toBeUndefined()
    expect(text).toContain('tempo: http://grafana.test:3000/explore')
  })

  it('writes durations as the waterfall does: 440 µs, 572 ms, 1.23 s; the data keeps the numbers', async () => {
    const batchTrace = hex(0xba7c, 16)
    const spans = [
      { traceId: batchTrace, spanId: hex(0x31, 8), name: 'nightly batch', startMs: 0, durationMs: 1234.5 },
      { traceId: batchTrace, spanId: hex(0x32, 8), parentSpanId: hex(0x31, 8), name: 'cache get', startMs: 0.5, durationMs: 0.44 },
      { traceId: batchTrace, spanId: hex(0x33, 8), parentSpanId: hex(0x31, 8), name: 'render report', startMs: 2, durationMs: 572.2 },
    ]
    const sent = await fetch(`${shop.base}/_debug_toolbar/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(exportRequest('batch', spans)) })
    expect(sent.status).toBe(200)

    const { text, data } = await call(client, 'get_trace', { trace_id: batchTrace })
    expect(text).toContain(`Trace ${batchTrace}: 3 spans from batch, 1.23 s;`)
    expect(text).toMatch(new RegExp(`^\\+0 ms nightly batch 1\\.23 s \\(self 662 ms\\) \\[batch\\] SERVER (CRITICAL )?#${hex(0x31, 8)}$`, 'm'))
    expect(text).toMatch(new RegExp(`^  \\+500 µs cache get 440 µs \\(self 440 µs\\) \\[batch\\] SERVER (CRITICAL )?#${hex(0x32, 8)}$`, 'm'))
    expect(text).toMatch(new RegExp(`^  \\+2\\.00 ms render report 572 ms \\(self 572 ms\\) \\[batch\\] SERVER (CRITICAL )?#${hex(0x33, 8)}$`, 'm'))
    // The structured answer keeps the figures as numbers, to the nanosecond.
    const cache = data.lines.find((l: { name: string }) => l.name === 'cache get')
    expect(cache.durationMs).toBeCloseTo(0.44, 6)
    expect(cache.offsetMs).toBeCloseTo(0.5, 6)
    expect(data.durationMs).toBeCloseTo(1234.5, 6)

    const span = await call(client, 'get_span', { trace_id: batchTrace, span_ids: [hex(0x32, 8)] })
    expect(span.text).toContain(`Span ${hex(0x32, 8)} "cache get" (SERVER) parent ${hex(0x31, 8)} service batch: +500 µs, 440 µs, status UNSET`)
    const listed = await call(client, 'list_traces', { service: 'batch' })
    expect(listed.text).toMatch(new RegExp(`^${batchTrace}  nightly batch  \\[batch\\]  3 spans  1\\.23 s  `, 'm'))
  })
})
