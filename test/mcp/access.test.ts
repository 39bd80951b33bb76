import { afterEach, describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar, MemoryStore } from '../../src/index.js'
import { resolveMcpSettings } from '../../src/mcp/feature.js'
import { otlpJsonFromToolbarSpans } from '../../src/opentelemetry/index.js'
import { call, connect, SECRET, startShop } from './app.js'

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } },
}
const post = (headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
  body: JSON.stringify(initialize),
})
const loopback = { incoming: { socket: { remoteAddress: '127.0.0.1' } } }

function appWith(options: Parameters<typeof debugToolbar>[0]) {
  const app = new Hono()
  app.use(debugToolbar(options))
  app.get('/', (c) => c.text('home'))
  return app
}

describe('who the MCP endpoint answers', () => {
  it('answers an allowed client over POST with the server info', async () => {
    const res = await appWith({}).request('/_debug_toolbar/mcp', post(), loopback)
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body.result.serverInfo.name).toBe('hono-debug-toolbar')
    expect(body.result.instructions).toMatch(/list_requests/)
  })

  it('answers 404 to a client the toolbar does not allow, as every toolbar route', async () => {
    const app = appWith({ clientAddress: () => '203.0.113.9' })
    const res = await app.request('/_debug_toolbar/mcp', post(), loopback)
    expect(res.status).toBe(404)
    expect(await res.text()).not.toMatch(/jsonrpc|mcp/i)
  })

  it('serves nothing when the toolbar is disabled, or with mcp: false', async () => {
    for (const options of [{ enabled: false }, { mcp: false }] as const) {
      const res = await appWith(options).request('/_debug_toolbar/mcp', post(), loopback)
      expect(res.status).toBe(404)
    }
    // The rest of the toolbar still works with mcp: false.
    expect((await appWith({ mcp: false }).request('/_debug_toolbar/healthz', undefined, loopback)).status).toBe(200)
  })

  it('honours a custom prefix', async () => {
    const res = await appWith({ prefix: '/debug' }).request('/debug/mcp', post(), loopback)
    expect(res.status).toBe(200)
  })

  it('refuses pages of other sites (DNS rebinding) with the 403 the MCP transport asks for, but not a loopback page', async () => {
    const app = appWith({})
    // Streamable HTTP: an Origin present and not allowed gets 403, its body a JSON-RPC error without an id.
    const refused = async (res: Response) => {
      expect(res.status).toBe(403)
      const body = await res.json()
      expect(body).toEqual({ jsonrpc: '2.0', error: { code: -32000, message: 'Forbidden: this origin may not use the MCP server' } })
    }
    // Rebound to this server (the page's name is the request's host).
    await refused(await app.request('http://evil.example:3000/_debug_toolbar/mcp', post({ origin: 'http://evil.example:3000' }), loopback))
    // Posting to the loopback address itself.
    await refused(await app.request('http://127.0.0.1:3000/_debug_toolbar/mcp', post({ origin: 'http://evil.example:3000' }), loopback))
    await refused(await app.request('/_debug_toolbar/mcp', post({ origin: 'not a url' }), loopback))
    await refused(await app.request('/_debug_toolbar/mcp', post({ origin: 'null' }), loopback))
    expect((await app.request('/_debug_toolbar/mcp', post({ origin: 'http://localhost:5173' }), loopback)).status).toBe(200)
    // A page at a name listed in allowedHostnames is one of the developer's own.
    const named = appWith({ allowedHostnames: ['devbox'] })
    expect((await named.request('http://devbox:3000/_debug_toolbar/mcp', post({ origin: 'http://devbox:3000' }), loopback)).status).toBe(200)
    expect((await named.request('http://127.0.0.1:3000/_debug_toolbar/mcp', post({ origin: 'http://devbox:5173' }), loopback)).status).toBe(200)
    await refused(await named.request('http://127.0.0.1:3000/_debug_toolbar/mcp', post({ origin: 'http://203.0.113.7:3000' }), loopback))
    // A client without Origin (a coding agent) at a name the toolbar does not answer gets its 404, as every route.
    expect((await app.request('http://evil.example:3000/_debug_toolbar/mcp', post(), loopback)).status).toBe(404)
    // The other toolbar routes answer such a page with the app's 404 (nothing tells it the toolbar is there).
    expect((await app.request('http://127.0.0.1:3000/_debug_toolbar/api/requests', { headers: { origin: 'http://evil.example:3000' } }, loopback)).status).toBe(404)
  })

  it('answers GET and DELETE with 405: the server is stateless', async () => {
    const app = appWith({})
    const get = await app.request('/_debug_toolbar/mcp', { headers: { accept: 'text/event-stream' } }, loopback)
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
    expect((await app.request('/_debug_toolbar/mcp', { method: 'DELETE' }, loopback)).status).toBe(405)
  })

  it('answers a malformed body with a JSON-RPC parse error, and keeps serving', async () => {
    const app = appWith({})
    const res = await app.request('/_debug_toolbar/mcp', { ...post(), body: '{not json' }, loopback)
    expect(res.status).toBe(400)
    expect((await res.json()).error.code).toBe(-32700)
    expect((await app.request('/_debug_toolbar/mcp', post(), loopback)).status).toBe(200)
  })

  it('answers a body over 4 MiB with 413, and keeps serving', async () => {
    const app = appWith({})
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(4 * 1024 * 1024) } })
    const res = await app.request('/_debug_toolbar/mcp', { ...post(), body: big }, loopback)
    expect(res.status).toBe(413)
    expect((await res.json()).error.message).toMatch(/must not exceed 4194304 bytes/)
    expect((await app.request('/_debug_toolbar/mcp', post(), loopback)).status).toBe(200)
  })

  it('searches at most the newest 1,000 requests of a long history, and says so', async () => {
    const store = new MemoryStore(1200)
    for (let i = 0; i < 1100; i++) {
      const id = `r${String(i).padStart(5, '0')}`
      store.save({ id, method: 'GET', path: `/p/${i}`, route: '/p/:n', status: 200, startedAt: new Date(1e12 + i).toISOString(), durationMs: 1, traceId: undefined, panels: {}, nav: [] })
    }
    const res = await appWith({ store }).request(
      '/_debug_toolbar/mcp',
      { ...post(), body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_requests', arguments: { limit: 100 } } }) },
      loopback,
    )
    const { result } = await res.json()
    expect(result.structuredContent).toMatchObject({ total: 1000, searchedNewest: 1000, truncated: true })
    expect(result.structuredContent.requests[0].id).toBe('r01099')
    expect(result.content[0].text).toMatch(/Only the newest 1000 requests/)
  })

  it('checks the mcp option when the toolbar is created', () => {
    expect(() => appWith({ mcp: { redact: 'yes' as never } })).toThrow(/mcp\.redact must be true or false/)
    expect(() => appWith({ mcp: { redcat: true } as never })).toThrow(/mcp\.redcat is not an option/)
    expect(() => appWith({ mcp: 'on' as never })).toThrow(/mcp must be true, false or an object/)
    expect(resolveMcpSettings({ hideSqlParams: true })).toEqual({ redact: true, hideSqlParams: true, hideBodies: false })
  })
})

describe('what the MCP server hides', () => {
  let shop: Awaited<ReturnType<typeof startShop>> | undefined
  afterEach(async () => {
    await shop?.close()
    shop = undefined
  })

  it('sends no SQL params at all with hideSqlParams', async () => {
    shop = await startShop({ mcp: { hideSqlParams: true } })
    await shop.get('/users')
    const client = await connect(shop.base)
    const { data } = await call(client, 'find_slow_queries', { threshold_ms: 0 })
    expect(data.queries.length).toBeGreaterThan(0)
    expect(data.queries.every((q: { params?: unknown }) => q.params === undefined)).toBe(true)
    await client.close()
  })

  it('sends bodies and secrets as recorded when redaction is turned off, and drops body attributes with hideBodies', async () => {
    shop = await startShop({ mcp: { redact: false, hideBodies: true } })
    const id = await shop.get('/login', { method: 'POST' })
    const client = await connect(shop.base)
    // Log text is redacted where it is recorded, as the Logging panel shows it; the rest goes as recorded.
    const logs = await call(client, 'search_logs', { request_id: id })
    expect(logs.text).toContain('login attempt user=user1 password=********')
    const queries = await call(client, 'find_slow_queries', { request_id: id, threshold_ms: 0 })
    expect(queries.text).toContain(SECRET)
    // A service that records bodies on its span, on an event and on a link.
    const traceId = 'cd'.repeat(16)
    const now = BigInt(Date.now()) * 1_000_000n
    const body = { 'http.request.body.content': '{"card":"4111"}' }
    const exported = otlpJsonFromToolbarSpans([
      {
        traceId,
        spanId: '33'.repeat(8),
        name: 'POST /orders',
        kind: 'SERVER',
        startTimeUnixNano: String(now),
        endTimeUnixNano: String(now + 1_000_000n),
        attributes: { ...body, 'http.route': '/orders' },
        events: [{ name: 'request.received', timeUnixNano: String(now), attributes: body }],
        links: [{ traceId, spanId: '22'.repeat(8), attributes: { body: '{"card":"4111"}' } }],
        status: { code: 'UNSET' },
        resource: { 'service.name': 'api' },
        scope: { name: 'api' },
        source: 'otlp_http',
      },
    ])
    const sent = await fetch(`${shop.base}/_debug_toolbar/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(exported) })
    expect(sent.status).toBe(200)
    const span = await call(client, 'get_span', { trace_id: traceId, span_ids: ['33'.repeat(8)] })
    expect(span.data.spans[0].attributes).toEqual({ 'http.route': '/orders' })
    const resource = await client.readResource({ uri: `toolbar://traces/${traceId}` })
    expect(JSON.stringify(span.raw) + JSON.stringify(resource)).not.toContain('4111')
    await client.close()
  })
})
