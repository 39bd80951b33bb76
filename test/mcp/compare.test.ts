import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { stream } from 'hono/streaming'
import { debugToolbar, defaultPanels, recordQuery } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { loopbackServers } from '../support/loopback-service.js'
import { call, connect, useShop } from './app.js'

describe('compare_requests: a side that is missing reads as absent, a real zero as zero', () => {
  const session = useShop({ users: '/users', slow: '/slow', reset: '/reset/abc', again: '/users' })
  const { ids } = session

  it('says which request a span group is only in, with no count or time for the other side', async () => {
    const { text, data } = await call(session.client, 'compare_requests', { request_ids: [ids.users, ids.slow] })
    expect(text).toMatch(/^ {2}GET \/slow \[shop\]: only in B, x1 \d/m)
    expect(text).toMatch(/^ {2}GET \/users \[shop\]: only in A, x1 \d/m)
    expect(text).toMatch(/^ {2}SELECT orders \[shop\]: only in A, x4 \d/m)
    expect(text).not.toMatch(/x0 /)
    expect(data.removed.map((g: { name: string }) => g.name)).toContain('SELECT orders')
  })

  it('warns on its first line that two requests of different routes are not one handler before and after', async () => {
    const { text, data } = await call(session.client, 'compare_requests', { request_ids: [ids.users, ids.slow] })
    expect(text.split('\n')[0]).toBe('Warning: A and B are different routes (A: GET /users, B: GET /slow): the differences below are between two handlers, not a change of one.')
    expect(data.differentRoutes).toEqual({ a: 'GET /users', b: 'GET /slow' })
    // Two requests of one route: no warning.
    const same = await call(session.client, 'compare_requests', { route: '/users' })
    expect(same.text).toMatch(new RegExp(`^A ${ids.users} GET /users `))
    expect(same.data.differentRoutes).toBeUndefined()
  })

  it('keeps a request that made no query at 0 queries', async () => {
    const { text, data } = await call(session.client, 'compare_requests', { request_ids: [ids.users, ids.reset] })
    expect(text).toMatch(new RegExp(`^B ${ids.reset} GET /reset/:token 200 [^,]+, 0 queries in 0 ms$`, 'm'))
    expect(text).toMatch(/^Delta: duration [+-][^,]+, queries -5, query time -/m)
    expect(data.b).toMatchObject({ queries: 0, queryMs: 0 })
    expect(data.queryCountDelta).toBe(-5)
  })
})

describe('compare_requests: figures a request does not have', () => {
  const start = loopbackServers()

  it('says queries are not recorded, not 0, without the SQL panel', async () => {
    const app = new Hono()
    app.use(debugToolbar({ panels: defaultPanels().filter((p) => p.id !== 'sql'), extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
    app.get('/orders', (c) => {
      recordQuery({ sql: 'SELECT * FROM orders', startTime: performance.now(), durationMs: 2, rowCount: 3 })
      return c.text('orders')
    })
    const base = await start(app)
    const ids = [await requestId(`${base}/orders`), await requestId(`${base}/orders`)]
    const { text, data } = await compare(base, ids)
    expect(text).toMatch(new RegExp(`^A ${ids[0]} GET /orders 200 [^,]+, queries not recorded \\(no SQL panel\\)$`, 'm'))
    expect(text).toMatch(/^Delta: duration [+-][^,]+, queries –, query time –$/m)
    expect(text).not.toMatch(/0 queries/)
    expect(data.a.queries).toBeUndefined()
    expect(data.queryCountDelta).toBeUndefined()
    expect(data.queryMsDelta).toBeUndefined()
  })

  it('gives no duration delta while a request is still sending its body', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
    app.get('/feed', (c) =>
      stream(c, async (s) => {
        await s.write('first ')
        await gate
        await s.write('last')
      }),
    )
    app.get('/done', (c) => c.text('done'))
    const base = await start(app)
    const done = await requestId(`${base}/done`)
    const feed = await fetch(`${base}/feed`)
    try {
      const { text, data } = await compare(base, [done, feed.headers.get('x-debug-toolbar-request-id')!])
      expect(text).toMatch(/^B \S+ GET \/feed 200 still sending its body, /m)
      expect(text).toMatch(/^Delta: duration –, queries \+0, query time /m)
      expect(data.durationDeltaMs).toBeUndefined()
    } finally {
      release()
      await feed.text()
    }
  })

  it('does not compare span groups of requests that have no spans', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/plain', (c) => c.text('plain'))
    const base = await start(app)
    const ids = [await requestId(`${base}/plain`), await requestId(`${base}/plain`)]
    const { text, data } = await compare(base, ids)
    // Without spans, "0 added, 0 removed, 0 changed" would read as the same spans.
    expect(text).toMatch(/^Span groups not compared: A and B have no spans recorded/m)
    expect(text).not.toMatch(/Span groups added/)
    expect(data).toMatchObject({ spansA: 0, spansB: 0, added: [], removed: [], changed: [] })
  })
})

describe('compare_requests: a request whose trace is no longer kept', () => {
  const start = loopbackServers()

  it('says so, rather than calling the other request\'s span groups added', async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop', maxTraces: 1 })] }))
    app.get('/orders', (c) => c.text('orders'))
    const base = await start(app)
    const first = await requestId(`${base}/orders`)
    await requestId(`${base}/orders`)
    const last = await requestId(`${base}/orders`)
    const { text, data } = await compare(base, [first, last])
    expect(text).toMatch(/^Span groups not compared: A has no spans recorded \(no OpenTelemetry panel, or the trace is no longer kept\)$/m)
    expect(text).not.toMatch(/GET \/orders \[shop\]/)
    expect(data).toMatchObject({ spansA: 0, added: [], removed: [] })
    expect(data.spansB).toBeGreaterThan(0)
  })
})

/** compare_requests on the toolbar at `base`, from a client of its own. */
async function compare(base: string, requestIds: string[]) {
  const client = await connect(base)
  try {
    return await call(client, 'compare_requests', { request_ids: requestIds })
  } finally {
    await client.close()
  }
}

async function requestId(url: string): Promise<string> {
  const res = await fetch(url)
  await res.text()
  return res.headers.get('x-debug-toolbar-request-id')!
}
