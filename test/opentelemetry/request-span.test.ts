import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { serve } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { context, trace } from '@opentelemetry/api'
import { httpInstrumentationMiddleware } from '@hono/otel'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel, hrTimeFromEpochMs, type OpenTelemetryStats } from '../../src/opentelemetry/index.js'
import { withSpans, type StatsWithSpans } from '../support/trace-spans.js'

const loopback = { incoming: { socket: { remoteAddress: '127.0.0.1' } } }

async function statsOf(app: Hono, res: Response): Promise<StatsWithSpans> {
  await res.text()
  const id = res.headers.get('x-debug-toolbar-request-id')
  return withSpans(app, (await (await app.request(`/_debug_toolbar/api/requests/${id}`, undefined, loopback)).json()).panels.opentelemetry)
}

describe('the request span', () => {
  it('converts epoch milliseconds to HrTime without losing the sub-millisecond part', () => {
    expect(hrTimeFromEpochMs(1700000000123.456)).toEqual([1700000000, 123456000])
    expect(hrTimeFromEpochMs(1999.9999999999)).toEqual([2, 0])
  })

  it('starts at the request start, as the SDK stamps its own spans, and lasts the request to the microsecond', async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none' })] }))
    app.get('/', (c) => c.text('ok'))
    const res = await app.request('/', undefined, loopback)
    const stats = await statsOf(app, res)
    const detail = await (await app.request(`/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`, undefined, loopback)).json()
    const startNs = BigInt(stats.spans[0]!.startTimeUnixNano)
    expect(Number(startNs / 1_000_000n)).toBe(Date.parse(detail.startedAt))
    const durationNs = Number(BigInt(stats.spans[0]!.endTimeUnixNano!) - startNs)
    expect(Math.abs(durationNs / 1e6 - detail.durationMs)).toBeLessThanOrEqual(0.001)
    expect(durationNs % 1_000_000).not.toBe(0)
  })

  it('adopts the SERVER span of @hono/otel registered before the toolbar', async () => {
    const app = new Hono()
    app.use(httpInstrumentationMiddleware({ serviceName: 'shop' }))
    app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none' })] }))
    app.get('/items/:id', (c) => {
      trace.getTracer('app').startSpan('load item').end()
      return c.text('item')
    })
    const stats = await statsOf(app, await app.request('/items/3', undefined, loopback))
    const servers = stats.spans.filter((s) => s.kind === 'SERVER')
    expect(servers).toHaveLength(1)
    expect(servers[0]!.scope.name).toBe('@hono/otel')
    expect(servers[0]!.name).toBe('GET /items/:id')
    expect(stats.rootSpanId).toBe(servers[0]!.spanId)
    expect(stats.spans.find((s) => s.name === 'load item')!.parentSpanId).toBe(servers[0]!.spanId)
  })

  it('does not leak the active span past the request, even as the first panel', async () => {
    const app = new Hono()
    // The panel runs first: its hook is the first to enter the span's context.
    app.use(debugToolbar({ panels: [new OpenTelemetryPanel({ exporter: 'none' })], excludePaths: ['/plain'] }))
    const seen: Array<string | undefined> = []
    app.get('/traced', (c) => c.text('traced'))
    app.get('/plain', (c) => {
      seen.push(trace.getSpan(context.active())?.spanContext().traceId)
      return c.text('plain')
    })
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
    await new Promise<void>((resolve) => server.once('listening', () => resolve()))
    const { port } = server.address() as AddressInfo
    try {
      for (let i = 0; i < 3; i++) {
        await (await fetch(`http://127.0.0.1:${port}/traced`)).text()
        await (await fetch(`http://127.0.0.1:${port}/plain`)).text()
      }
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
    // Without a server, the caller's own async context is the test's: it must stay clean too.
    for (let i = 0; i < 3; i++) {
      await (await app.request('/traced', undefined, loopback)).text()
      expect(trace.getSpan(context.active())).toBeUndefined()
      await (await app.request('/plain', undefined, loopback)).text()
    }
    expect(seen).toEqual([undefined, undefined, undefined, undefined, undefined, undefined])
  })
})
