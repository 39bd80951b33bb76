import { afterAll, describe, expect, it } from 'vitest'
import { startDemo, type DemoProcess } from './support/demo-process.js'
import pg from 'pg'
import { downstreamSpans, postOtlp } from './support/otlp-payload.js'
import { TcpCut, testPostgres, uniqueSchema, type TestPostgres } from './support/postgres-server.js'

const PREFIX = '/_debug_toolbar'
const postgres: TestPostgres = await testPostgres()
if (!postgres.available) console.log(`PostgresStore with two app processes: skipped: ${postgres.reason}`)
const url = postgres.available ? postgres.url : ''
const running: DemoProcess[] = []
afterAll(async () => {
  await Promise.all(running.map((demo) => demo.stop('SIGKILL')))
  if (postgres.available) postgres.close()
})

async function demo(env: Record<string, string>): Promise<DemoProcess> {
  const started = await startDemo(env)
  running.push(started)
  return started
}

async function visit(app: DemoProcess, path: string): Promise<{ id: string; status: number }> {
  const res = await fetch(`${app.url}${path}`)
  await res.arrayBuffer()
  return { id: res.headers.get('x-debug-toolbar-request-id')!, status: res.status }
}

async function get(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url)
  return { status: res.status, body: await res.json() }
}

describe.skipIf(!postgres.available)('two instances of the demo app sharing one PostgresStore', () => {
  it('serves a request recorded by instance A in full from instance B, and both say two instances wrote', async () => {
    const env = { DEBUG_TOOLBAR_STORE: url, DEBUG_TOOLBAR_STORE_SCHEMA: uniqueSchema('shared') }
    const [a, b] = await Promise.all([demo(env), demo(env)])
    const { id } = await visit(a, '/users/2')
    await visit(b, '/api/users')
    const fromA = await get(`${a.url}${PREFIX}/api/requests/${id}`)
    expect(fromA.status).toBe(200)
    await expect.poll(async () => (await get(`${b.url}${PREFIX}/api/requests/${id}`)).body).toEqual(fromA.body)
    expect(fromA.body.instance).toMatch(new RegExp(`:${a.child.pid}$`))
    const listB = await get(`${b.url}${PREFIX}/api/requests`)
    expect(listB.body.requests.map((r: { path: string }) => r.path)).toEqual(['/api/users', '/users/2'])
    expect(new Set(listB.body.requests.map((r: { instance: string }) => r.instance)).size).toBe(2)
    const status = await get(`${b.url}${PREFIX}/api/store`)
    expect(status.body).toMatchObject({ kind: 'postgres', available: true, instances: 2 })
    expect(status.body.location).toContain(`schema ${env.DEBUG_TOOLBAR_STORE_SCHEMA}`)

    // A downstream service sends its spans to B: they join the trace of A's request, on both instances.
    const { traceId, rootSpanId } = fromA.body.panels.opentelemetry
    expect((await postOtlp(b.url, downstreamSpans(traceId, rootSpanId, 'inventory', 4))).status).toBe(200)
    for (const app of [a, b]) {
      await expect
        .poll(async () => (await get(`${app.url}${PREFIX}/api/traces/${traceId}`)).body.spans.map((s: { source: string }) => s.source).filter((s: string) => s === 'otlp_http').length)
        .toBe(4)
      const trace = (await get(`${app.url}${PREFIX}/api/traces/${traceId}`)).body.spans
      expect(trace.filter((s: { parentSpanId?: string }) => !s.parentSpanId).map((s: { name: string }) => s.name)).toEqual(['GET /users/:id'])
      expect(trace.filter((s: { source: string }) => s.source === 'local').length).toBe(fromA.body.panels.opentelemetry.spanCount)
      const list = (await get(`${app.url}${PREFIX}/api/traces?service=inventory`)).body
      expect(list.traces).toEqual([expect.objectContaining({ traceId, requestId: id, services: ['demo-basic', 'inventory'], rootName: 'GET /users/:id' })])
    }
  })

  it('stores each span of an OTLP payload once when it is sent twice, to one instance and to two', async () => {
    const schema = uniqueSchema('idempotent')
    const env = { DEBUG_TOOLBAR_STORE: url, DEBUG_TOOLBAR_STORE_SCHEMA: schema }
    const [a, b] = await Promise.all([demo(env), demo(env)])
    const traceId = 'ab'.repeat(16)
    const payload = downstreamSpans(traceId, '00000000000000ff', 'worker', 5, 7)
    for (const app of [a, a, b]) expect((await postOtlp(app.url, payload)).status).toBe(200)
    await Promise.all([a.stop('SIGTERM'), b.stop('SIGTERM')])
    const db = new pg.Pool({ connectionString: url, max: 1 })
    try {
      const spans = await db.query(`SELECT span_id, count(*)::int AS n FROM ${schema}.spans WHERE trace_id = $1 GROUP BY span_id`, [traceId])
      expect(spans.rows.map((r) => r.n)).toEqual([1, 1, 1, 1, 1])
      const summary = await db.query(`SELECT span_count FROM ${schema}.traces WHERE trace_id = $1`, [traceId])
      expect(summary.rows).toEqual([{ span_count: 5 }])
    } finally {
      await db.end()
    }
  })

  it('keeps serving requests while the database is down, says the store is unavailable, and writes what it held when it is back', async () => {
    const target = new URL(url)
    const cut = await new TcpCut(target.hostname, Number(target.port || 5432)).open()
    const app = await demo({ DEBUG_TOOLBAR_STORE: cut.urlThrough(url), DEBUG_TOOLBAR_STORE_SCHEMA: uniqueSchema('outage') })
    expect((await visit(app, '/users/1')).status).toBe(200)
    await expect.poll(async () => (await get(`${app.url}${PREFIX}/api/requests`)).body.total).toBe(1)
    await cut.cut()
    const during = []
    for (let i = 0; i < 10; i++) during.push(await visit(app, `/users/${1 + (i % 6)}`))
    expect(during.map((r) => r.status)).toEqual(Array(10).fill(200))
    await expect.poll(async () => (await get(`${app.url}${PREFIX}/api/store`)).body.available, { timeout: 10_000 }).toBe(false)
    const down = await get(`${app.url}${PREFIX}/api/store`)
    expect(down.body.error).toMatch(/does not answer/)
    expect(down.body.queued).toBeGreaterThan(0)
    const list = await get(`${app.url}${PREFIX}/api/requests`)
    expect(list.status).toBe(503)
    expect(list.body.error).toMatch(/the postgres store at .* is unavailable/)
    // A request this instance recorded is still served in full from the queue.
    const held = await get(`${app.url}${PREFIX}/api/requests/${during[9].id}`)
    expect(held.status).toBe(200)
    expect(held.body.panels.sql.queries.length).toBeGreaterThan(0)
    await cut.restore()
    await expect.poll(async () => (await get(`${app.url}${PREFIX}/api/requests`)).body.total, { timeout: 20_000 }).toBe(11)
    expect((await get(`${app.url}${PREFIX}/api/store`)).body).toMatchObject({ available: true, queued: 0, dropped: 0 })
    await app.stop('SIGTERM')
    await cut.cut()
  })
})
