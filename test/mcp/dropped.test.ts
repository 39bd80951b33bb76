/**
 * What the bounds dropped is said over MCP too, as the browser's panels say it: the requests
 * the history pushed out (History panel: "… older requests dropped from the history") and the
 * template renders not kept (Templates panel: "N not kept"), what a span lost over the
 * span limits (the waterfall's span detail: "N more dropped"), and the attributes of a log
 * line past 128 (Logging panel: "N more attributes not kept").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { ExportResultCode, type ExportResult } from '@opentelemetry/core'
import { debugToolbar, defaultPanels, recordLog, renderTemplate, TemplatesPanel } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { call, connect } from './app.js'

describe('MCP says what the bounds dropped', () => {
  let server: ServerType
  let base: string
  let client: Client
  let otel: OpenTelemetryPanel
  const ids: string[] = []

  beforeAll(async () => {
    const app = new Hono()
    const panels = [...defaultPanels().filter((p) => p.id !== 'templates'), new TemplatesPanel({ maxRenders: 2 })]
    otel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })
    app.use(debugToolbar({ enabled: true, maxRequests: 3, panels, extraPanels: [otel] }))
    // Five renders of a row partial: two are kept.
    app.get('/page/:n', (c) => c.html(Array.from({ length: 5 }, (_, i) => renderTemplate('row.html', () => `<p>${i}</p>`)).join('')))
    // A line logged with 130 attributes: 128 are kept.
    app.get('/import', (c) => {
      recordLog('info', 'import finished', Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`row.${i}`, i])))
      return c.text('ok')
    })
    server = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    // Five requests into a history of three: two are dropped.
    for (let n = 1; n <= 5; n++) {
      const res = await fetch(`${base}/page/${n}`)
      await res.text()
      ids.push(res.headers.get('x-debug-toolbar-request-id')!)
    }
    client = await connect(base)
  })

  afterAll(async () => {
    await client?.close()
    await otel?.shutdown()
    await new Promise((resolve) => server?.close(resolve))
  })

  it('list_requests says how many older requests the history dropped (maxRequests)', async () => {
    const listed = await call(client, 'list_requests')
    expect(listed.data.requests.map((r: { id: string }) => r.id)).toEqual([ids[4], ids[3], ids[2]])
    expect(listed.text).toContain('2 older requests were dropped from the history (maxRequests).')
    expect(listed.data.dropped).toBe(2)
    // Also when nothing matches the filter.
    const none = await call(client, 'list_requests', { route: '/nowhere' })
    expect(none.text).toContain('2 older requests were dropped from the history (maxRequests).')
  })

  it('get_request says how many template renders were not kept (maxRenders)', async () => {
    const brief = await call(client, 'get_request', { request_id: ids[4] })
    expect(brief.text).toContain('Templates: 5 renders')
    expect(brief.text).toContain('3 not kept (maxRenders)')
    expect(brief.data.templates.dropped).toBe(3)
  })

  it('get_span says what a span lost over the span limits: by its sender, and past the toolbar\'s own 128 events', async () => {
    const traceId = 'ab'.repeat(16)
    const start = BigInt(Date.now()) * 1_000_000n
    const span = {
      traceId, spanId: '0123456789abcdef', name: 'charge card', kind: 3,
      startTimeUnixNano: String(start), endTimeUnixNano: String(start + 5_000_000n),
      attributes: [{ key: 'card.brand', value: { stringValue: 'visa' } }],
      droppedAttributesCount: 5,
      // 130 events: the toolbar keeps a received span's last 128.
      events: Array.from({ length: 130 }, (_, i) => ({ name: `retry ${i}`, timeUnixNano: String(start + BigInt(i)) })),
      links: [], droppedLinksCount: 1, status: { code: 0 },
    }
    const body = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'payments' } }] }, scopeSpans: [{ scope: { name: 'payments' }, spans: [span] }] }] }
    const res = await fetch(`${base}/_debug_toolbar/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect(res.status).toBe(200)
    const shown = await call(client, 'get_span', { trace_id: traceId, span_ids: '0123456789abcdef' })
    expect(shown.text).toContain('attributes: card.brand="visa" (5 more dropped by the sender or over the toolbar\'s limit of 128)')
    expect(shown.text).toContain('(78 more events not shown)')
    expect(shown.text).toContain('(2 more events dropped by the sender or over the toolbar\'s limit of 128)')
    expect(shown.text).toContain('(1 more link dropped by the sender or over the toolbar\'s limit of 128)')
    expect(shown.data.spans[0]).toMatchObject({ droppedAttributesCount: 5, droppedEventsCount: 2, droppedLinksCount: 1 })
  })

  it('search_logs says how many attributes of a line were not kept (over 128)', async () => {
    const res = await fetch(`${base}/import`)
    await res.text()
    const id = res.headers.get('x-debug-toolbar-request-id')!
    const found = await call(client, 'search_logs', { request_id: id })
    expect(found.text).toContain('import finished')
    expect(found.text).toContain('(2 more attributes not kept)')
    expect(found.data.logs[0].droppedAttributes).toBe(2)
  })
})

describe('MCP says what the exporters lost', () => {
  it('get_links says how many spans were dropped while an exporter was paused after failures, as the export status does', async () => {
    // A collector that is down: every export fails, and the breaker pauses after the first.
    const down = {
      export: (_spans: unknown[], done: (result: ExportResult) => void) => done({ code: ExportResultCode.FAILED, error: new Error('connect ECONNREFUSED') }),
      shutdown: async () => {},
    }
    const otel = new OpenTelemetryPanel({ exporter: down, serviceName: 'shop', exportBreaker: { failureThreshold: 1, backoffMs: 60_000 } })
    const app = new Hono()
    app.use(debugToolbar({ enabled: true, extraPanels: [otel] }))
    app.get('/', (c) => c.text('ok'))
    const server: ServerType = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const client = await connect(base)
    try {
      const ids: string[] = []
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${base}/`)
        await res.text()
        ids.push(res.headers.get('x-debug-toolbar-request-id')!)
        await otel.forceFlush()
      }
      const links = await call(client, 'get_links', { request_id: ids[1] })
      expect(links.text).toMatch(/Since the app started, \d+ spans? (was|were) dropped while an exporter was paused after failures: Jaeger, Zipkin or Tempo may lack spans of this trace/)
      expect(links.data.unexported.paused).toBeGreaterThan(0)
    } finally {
      await client.close()
      await otel.shutdown()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})

describe('MCP says what the receivers refused', () => {
  it('list_traces says how many spans and exports the receivers refused, as the receiver status does', async () => {
    const otel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })
    const app = new Hono()
    app.use(debugToolbar({ enabled: true, extraPanels: [otel] }))
    const server: ServerType = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const client = await connect(base)
    try {
      // An export that is not JSON, and one whose span has an id that is not hexadecimal.
      const post = (body: string) => fetch(`${base}/_debug_toolbar/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      expect((await post('{not json')).status).toBe(400)
      const start = String(BigInt(Date.now()) * 1_000_000n)
      const bad = { traceId: 'cd'.repeat(16), spanId: 'not-a-span-id!!!', name: 'bad', kind: 1, startTimeUnixNano: start, endTimeUnixNano: start }
      const good = { ...bad, spanId: '00000000000000aa', name: 'good' }
      const spans = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'worker' } }] }, scopeSpans: [{ spans: [bad, good] }] }] }
      expect((await post(JSON.stringify(spans))).status).toBe(200)
      const listed = await call(client, 'list_traces')
      expect(listed.text).toContain('Since the app started, the receivers refused 1 span and 1 export (malformed, too large, or over a bound): traces sent to the toolbar may lack them.')
      expect(listed.data.refused).toEqual({ spans: 1, exports: 1 })
    } finally {
      await client.close()
      await otel.shutdown()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})

