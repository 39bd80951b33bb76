import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { loopbackServers } from '../support/loopback-service.js'
import { call, connect, feedApp } from './app.js'

describe('list_traces: a trace whose request is still running', () => {
  const start = loopbackServers()

  it('reads still running, with how long so far, not 0 ms', async () => {
    const { app, release } = feedApp()
    const base = await start(app)
    const feed = await fetch(`${base}/feed`)
    const client = await connect(base)
    try {
      await new Promise((resolve) => setTimeout(resolve, 20))
      const { text, data } = await call(client, 'list_traces')
      expect(text).toMatch(/^[0-9a-f]{32} {2}GET \/feed {2}\[shop\] {2}1 span {2}still running \(started \S+ (µs|ms|s) ago\) {2}\S+ {2}request \S+$/m)
      expect(text).not.toMatch(/ 0 ms /)
      expect(data.traces[0]).toMatchObject({ rootName: 'GET /feed', running: true })
      expect(data.traces[0].runningForMs).toBeGreaterThan(0)
      // A trace that hangs is what min_duration_ms looks for: its time so far counts, not the
      // time to its latest span that ended (0 ms here).
      await new Promise((resolve) => setTimeout(resolve, 40))
      const slow = await call(client, 'list_traces', { min_duration_ms: 30 })
      expect(slow.data.traces.map((t: { rootName: string }) => t.rootName)).toEqual(['GET /feed'])
      const slower = await call(client, 'list_traces', { min_duration_ms: 60_000 })
      expect(slower.data.traces).toEqual([])
    } finally {
      release()
      await feed.text()
      await client.close()
    }
  })
})

describe('list_requests: a request whose handler has not returned yet', () => {
  const start = loopbackServers()

  it('is listed first, marked running with how long so far, and get_request answers for it', async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    app.get('/hang/:id', async (c) => {
      await gate
      return c.text('done')
    })
    app.get('/done', (c) => c.text('done'))
    const base = await start(app)
    const done = await fetch(`${base}/done`)
    await done.text()
    const hanging = fetch(`${base}/hang/7`)
    const client = await connect(base)
    try {
      await new Promise((resolve) => setTimeout(resolve, 50))
      const { text, data } = await call(client, 'list_requests')
      const lines = text.split('\n')
      expect(lines[0]).toMatch(/^\S+ {2}GET \/hang\/:id \(\/hang\/7\) {2}… {2}running for \S+ (µs|ms|s) {2}trace [0-9a-f]{32} {2}spans \d+, queries 0, logs 0, errors 0 {2}\[running\]$/)
      expect(lines[1]).toMatch(new RegExp(`^${done.headers.get('x-debug-toolbar-request-id')} {2}GET /done {2}200 `))
      expect(data.requests[0]).toMatchObject({ route: '/hang/:id', path: '/hang/7', running: true })
      expect(data.requests[0].runningForMs).toBeGreaterThanOrEqual(40)
      expect(data.total).toBe(2)
      // A hanging request is what min_duration_ms looks for: its time so far counts.
      const slow = await call(client, 'list_requests', { min_duration_ms: 30 })
      expect(slow.data.requests.map((r: { id: string }) => r.id)).toEqual([data.requests[0].id])
      // Status filters need a status, which a running request has not sent yet.
      expect((await call(client, 'list_requests', { status: '2xx' })).data.requests.map((r: { path: string }) => r.path)).toEqual(['/done'])
      const brief = await call(client, 'get_request', { request_id: data.requests[0].id })
      expect(brief.isError).toBe(false)
      // Its handler has not returned: nothing is being sent yet.
      expect(brief.text.split('\n')[0]).toBe(`Request ${data.requests[0].id}: GET /hang/:id (/hang/7) -> … in ? (still running: its handler has not returned)`)
      const compared = await call(client, 'compare_requests', { request_ids: [done.headers.get('x-debug-toolbar-request-id'), data.requests[0].id] })
      expect(compared.text).toMatch(/^B \S+ GET \/hang\/:id … still running: its handler has not returned, /m)
    } finally {
      release()
      await (await hanging).text()
      await client.close()
    }
  })
})

describe('get_request on a request the history let go of', () => {
  const start = loopbackServers()

  it('gives the trace id when its trace is still kept, for get_trace', async () => {
    const app = new Hono()
    app.use(debugToolbar({ maxRequests: 1, extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
    app.get('/orders', (c) => c.text('orders'))
    const base = await start(app)
    const first = await fetch(`${base}/orders`)
    await first.text()
    await (await fetch(`${base}/orders`)).text()
    const client = await connect(base)
    try {
      const id = first.headers.get('x-debug-toolbar-request-id')!
      const traceId = (await call(client, 'list_traces')).data.traces.find((t: { requestId?: string }) => t.requestId === id)?.traceId
      expect(traceId).toMatch(/^[0-9a-f]{32}$/)
      const { text, isError } = await call(client, 'get_request', { request_id: id })
      expect(isError).toBe(true)
      expect(text).toBe(`no request with id "${id}": it is no longer in the history (maxRequests), but its trace ${traceId} is still kept: get_trace with trace_id "${traceId}" shows it`)
      expect((await call(client, 'get_trace', { trace_id: traceId })).text).toMatch(/^Trace /)
    } finally {
      await client.close()
    }
  })
})
