import Database from 'better-sqlite3'
import { afterAll, beforeAll } from 'vitest'
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { stream } from 'hono/streaming'
import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { currentRecord, debugToolbar, instrumentBetterSqlite3, recordLog, SLOTS, type DebugToolbarOptions } from '../../src/index.js'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'

/** A password the app writes into SQL, a log line, a header and a span: it must never come out. */
export const SECRET = 'hunter2-s3cr3t'

/**
 * A shop with real SQLite queries (an N+1 loop, a slow query), logs, a fetch to another
 * route, an error, and a seeded secret; served on an ephemeral loopback port.
 */
export async function startShop(options: DebugToolbarOptions = {}, otelOptions: ConstructorParameters<typeof OpenTelemetryPanel>[0] = {}) {
  const db = instrumentBetterSqlite3(new Database(':memory:'))
  db.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, password TEXT);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, total REAL);`)
  for (let u = 1; u <= 4; u++) {
    db.prepare('INSERT INTO users (name, password) VALUES (?, ?)').run(`user${u}`, 'x')
    for (let o = 1; o <= 3; o++) db.prepare('INSERT INTO orders (user_id, total) VALUES (?, ?)').run(u, o * 10)
  }
  const app = new Hono()
  // Exported (kept in memory), as an app with a collector: its traces have Jaeger and Zipkin links.
  const otel = new OpenTelemetryPanel({ exporter: new InMemorySpanExporter(), serviceName: 'shop', ...otelOptions })
  app.use(debugToolbar({ extraPanels: [otel], ...options }))
  app.get('/users', (c) => {
    const users = db.prepare('SELECT id, name FROM users ORDER BY id').all() as Array<{ id: number; name: string }>
    // One query per user: the N+1 pattern.
    const withOrders = users.map((u) => ({ ...u, orders: db.prepare('SELECT total FROM orders WHERE user_id = ?').all(u.id) }))
    console.log('listed %d users', users.length)
    return c.json(withOrders)
  })
  app.get('/slow', (c) => {
    // A recursive CTE that really takes a while on SQLite.
    const row = db.prepare('WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 300000) SELECT SUM(x) AS s FROM n').get()
    recordLog('warn', 'slow report computed', { rows: 1 })
    return c.json(row)
  })
  // A profile as V8 takes one of a loop it optimised while it ran: every sample of the loop
  // reads (program), the handler shows only after it (what the demo's /slow gives from its
  // second request on). Set as the request's profile, so the figures are known.
  app.get('/optimised', (c) => {
    const node = (id: number, functionName: string, url: string, children: number[] = []) => ({ id, callFrame: { functionName, scriptId: '1', url, lineNumber: 4, columnNumber: 2 }, children })
    // Its last sample is the profiler stopping: the native dispatch under node:inspector's post.
    const samples = [4, ...Array.from({ length: 60 }, () => 3), 2, 2, 4, 6]
    currentRecord()!.slot(SLOTS.profiling, () => ({
      profile: {
        nodes: [node(1, '(root)', '', [2, 3, 4, 5]), node(2, 'report', 'file:///srv/shop/report.js'), node(3, '(program)', ''), node(4, '(idle)', ''), node(5, 'post', 'node:inspector', [6]), node(6, 'dispatch', '')],
        startTime: 0, endTime: samples.length * 1000, samples, timeDeltas: samples.map((_, i) => (i === 0 ? 0 : 1000)),
      },
      startMs: 1, samplingIntervalUs: 1000, skipped: undefined,
    }))
    return c.json({ ok: true })
  })
  app.post('/login', (c) => {
    db.prepare('UPDATE users SET password = ? WHERE id = ?').run(SECRET, 1)
    db.prepare(`SELECT id FROM users WHERE name = 'user1' AND password = '${SECRET}'`).get()
    console.info(`login attempt user=user1 password=${SECRET}`)
    // Secrets in the other shapes an app writes them in.
    db.prepare('UPDATE users SET password = @pw WHERE id = @id').run({ pw: SECRET, id: 1 })
    db.prepare(`SELECT id FROM users WHERE password <> '${SECRET}' OR password IN ('${SECRET}')`).all()
    // Other comparisons SQLite and PostgreSQL write, and an upsert written with literals.
    db.prepare('SELECT id FROM users WHERE password IS ? OR password == ? OR password IN (?, ?) OR password IS NOT ?').all(SECRET, SECRET, 'x', SECRET, SECRET)
    db.prepare(`SELECT id FROM users WHERE password IS '${SECRET}' OR password == '${SECRET}' OR password GLOB '${SECRET}*'`).all()
    db.prepare(`INSERT INTO users (id, name, password) VALUES (1, 'user1', '${SECRET}') ON CONFLICT(id) DO UPDATE SET password = excluded.password`).run()
    console.info(`reconnecting to postgres://admin:${SECRET}@db/app; password: ${SECRET} again`)
    recordLog('info', 'session opened', { token: SECRET, user: 'user1' })
    return c.json({ ok: true })
  })
  // A password-reset link: the token is a secret that travels in the path.
  app.get('/reset/:token', (c) => {
    console.info(`reset link opened: ${c.req.path}`)
    return c.text(`reset ${c.req.param('token').length}`)
  })
  app.get('/report', async (c) => {
    const origin = new URL(c.req.url).origin
    const users = (await (await fetch(`${origin}/users`)).json()) as unknown[]
    return c.json({ users: users.length })
  })
  // A query that fails, caught by the handler, which answers 500 itself.
  app.get('/orders/broken', (c) => {
    try {
      db.prepare('SELECT * FROM order_lines').all()
    } catch (error) {
      console.error(`could not list order lines: ${(error as Error).message}`)
    }
    return c.json({ error: 'unavailable' }, 500)
  })
  app.get('/boom/text', () => {
    // Not an Error: some libraries throw strings.
    throw 'out of stock'
  })
  // How a Hono app answers 404 or 503 from anywhere in its code, here without a message.
  app.get('/missing/:sku', () => {
    throw new HTTPException(404)
  })
  app.get('/maintenance', () => {
    throw new HTTPException(503)
  })
  app.get('/boom', () => {
    db.prepare('SELECT * FROM users WHERE id = 1').get()
    console.error('about to fail')
    throw new Error('Something went wrong in /boom')
  })

  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const get = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${base}${path}`, init)
    await res.text()
    return res.headers.get('x-debug-toolbar-request-id')!
  }
  const close = async () => {
    await otel.shutdown()
    await new Promise((resolve) => server.close(resolve))
    db.close()
  }
  return { base, get, close, db }
}

/** An MCP client of the toolbar at `base`. */
export async function connect(base: string, prefix = '/_debug_toolbar') {
  const client = new Client({ name: 'test-agent', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}${prefix}/mcp`)))
  return client
}

/** Calls a tool and returns its text, structured content and error flag. */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult
  const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n')
  return { text, data: result.structuredContent as any, isError: result.isError === true, raw: result }
}

/**
 * Registers the hooks of a test file on the shop: the shop started, `requests` made in order
 * (their request ids in `ids`, by name), an MCP client connected; all closed after the file.
 */
export function useShop(requests: Record<string, string | [string, RequestInit]>) {
  const session = { ids: {} as Record<string, string> } as { shop: Awaited<ReturnType<typeof startShop>>; client: Client; ids: Record<string, string> }
  beforeAll(async () => {
    session.shop = await startShop()
    for (const [name, request] of Object.entries(requests)) {
      session.ids[name] = typeof request === 'string' ? await session.shop.get(request) : await session.shop.get(...request)
    }
    session.client = await connect(session.shop.base)
  })
  afterAll(async () => {
    await session.client?.close()
    await session.shop?.close()
  })
  return session
}

/**
 * An app (toolbar and OpenTelemetry panel, service `shop`) whose `GET /feed` sends its first
 * chunk and then waits for `release()`: a request still sending its body, as long as a test needs.
 */
export function feedApp() {
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  app.get('/feed', (c) =>
    stream(c, async (s) => {
      await s.write('first')
      await gate
      await s.write('last')
    }),
  )
  return { app, release }
}
