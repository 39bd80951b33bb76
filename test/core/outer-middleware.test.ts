import { describe, expect, it, vi } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { formatMs } from '../../src/shapes/format.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { clientEnv } from '../support/local.js'
import { h } from 'preact'
import { renderToString } from 'preact-render-to-string'
import { panelViews } from '../../templates/client/panels/index.js'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { loopbackServers } from '../support/loopback-service.js'

// Middleware registered before the toolbar runs around it: what it does after `next()`
// (throw, answer another response) happens after the toolbar saw the app's response. On
// Node the toolbar records the status that was sent, so the history, the Request panel and
// the SERVER span say what the client got.

const start = loopbackServers()

function appWithOuterMiddleware(options: { maxRequests?: number } = {}) {
  const app = new Hono()
  app.use(async function audit(c, next) {
    await next()
    if (c.req.path === '/audited') throw new Error('audit log unavailable')
  })
  app.use(async function teapot(c, next) {
    await next()
    if (c.req.path === '/teapot') {
      c.res = undefined
      c.res = new Response('short and stout', { status: 418 })
    }
  })
  app.use(debugToolbar({ ...options, extraPanels: [new OpenTelemetryPanel({ exporter: 'none' })] }))
  app.get('*', (c) => c.html('<html><body>ok</body></html>'))
  app.onError((_error, c) => c.text('something went wrong', 500))
  return app
}

async function shown(base: string, id: string) {
  const detail = await (await fetch(`${base}/_debug_toolbar/api/requests/${id}`)).json()
  const list = await (await fetch(`${base}/_debug_toolbar/api/requests`)).json()
  const trace = await (await fetch(`${base}/_debug_toolbar/api/traces/${detail.traceId}`)).json()
  const server = trace.spans.find((span: { kind: string }) => span.kind === 'SERVER')
  return { detail, listed: list.requests.find((r: { id: string }) => r.id === id), server }
}

describe('middleware before the toolbar that changes the response after next()', () => {
  it('a 500 from an error thrown after the toolbar: recorded as 500, the span an error', async () => {
    const base = await start(appWithOuterMiddleware())
    const res = await fetch(`${base}/audited`)
    expect(res.status).toBe(500)
    await res.text()
    const { detail, listed, server } = await shown(base, res.headers.get('x-debug-toolbar-request-id')!)
    expect(detail.status).toBe(500)
    expect(listed.status).toBe(500)
    expect(detail.panels.request.status).toBe(500)
    expect(server.attributes['http.response.status_code']).toBe(500)
    expect(server.status.code).toBe('ERROR')
    expect(server.attributes['error.type']).toBe('500')
  })

  it('another response answered instead: recorded with its status', async () => {
    const base = await start(appWithOuterMiddleware())
    const res = await fetch(`${base}/teapot`)
    expect(res.status).toBe(418)
    expect(await res.text()).toBe('short and stout')
    const { detail, listed, server } = await shown(base, res.headers.get('x-debug-toolbar-request-id')!)
    expect(detail.status).toBe(418)
    expect(listed.status).toBe(418)
    expect(server.attributes['http.response.status_code']).toBe(418)
    expect(server.status.code).toBe('UNSET')
  })
})

// Other runtimes (Bun, Deno, Workers; here app.request() without Node's response): the
// toolbar re-wraps the body to learn when it was sent. A response replaced around the
// toolbar is sent instead of that body, which is then never read: the request is still
// stored, with the status that was answered and a mark that the toolbar's response was not
// the one sent.
describe('middleware before the toolbar that replaces the response, on other runtimes', () => {
  /** The stored request `path` (the toolbar's header is gone when the response was replaced whole). */
  async function settledDetail(app: Hono, path: string) {
    let detail: any
    let id = ''
    await vi.waitFor(
      async () => {
        const list = await (await app.request('/_debug_toolbar/api/requests', undefined, clientEnv())).json()
        id = list.requests.find((r: { path: string }) => r.path === path)?.id
        expect(id).toBeDefined()
        detail = await (await app.request(`/_debug_toolbar/api/requests/${id}`, undefined, clientEnv())).json()
      },
      { timeout: 2000, interval: 20 },
    )
    const list = await (await app.request('/_debug_toolbar/api/requests', undefined, clientEnv())).json()
    const trace = await (await app.request(`/_debug_toolbar/api/traces/${detail.traceId}`, undefined, clientEnv())).json()
    const server = trace.spans.find((span: { kind: string }) => span.kind === 'SERVER')
    return { detail, listed: list.requests.find((r: { id: string }) => r.id === id), server }
  }

  it('another response answered instead: in the history with its status, marked, its trace closed, request.finished sent', async () => {
    const app = appWithOuterMiddleware()
    const events = await app.request('/_debug_toolbar/api/events', undefined, clientEnv())
    const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader()
    const res = await app.request('/teapot', undefined, clientEnv())
    expect(res.status).toBe(418)
    expect(await res.text()).toBe('short and stout')
    const { detail, listed, server } = await settledDetail(app, '/teapot')
    const id = detail.id
    expect(listed.status).toBe(418)
    expect(detail.status).toBe(418)
    expect(detail.panels.request.status).toBe(418)
    expect(detail.panels.timer.responseReplaced).toBe(true)
    const { component: Timer } = panelViews.timer!
    expect(renderToString(h(Timer, { stats: detail.panels.timer, request: detail, prefix: '/_debug_toolbar', openRequest: () => {} }))).toContain('another response was sent')
    expect(detail.inFlight).not.toBe(true)
    expect(detail.durationMs).toBeGreaterThan(0)
    expect(server.endTimeUnixNano).toBeDefined()
    expect(server.attributes['http.response.status_code']).toBe(418)
    expect(server.attributes['hono_debug_toolbar.response_replaced']).toBe(true)
    let seen = ''
    while (!seen.includes('"request.finished"')) seen += (await reader.read()).value
    expect(seen).toContain(`"requestId":"${id}"`)
    await reader.cancel()
    // An agent asking over MCP is told the same.
    const client = new Client({ name: 'test-agent', version: '1.0.0' })
    const fetchApp = (url: string | URL, init?: RequestInit) => app.request(String(url), init, clientEnv())
    await client.connect(new StreamableHTTPClientTransport(new URL('http://localhost/_debug_toolbar/mcp'), { fetch: fetchApp }))
    const brief = (await client.callTool({ name: 'get_request', arguments: { request_id: id } })) as CallToolResult
    const text = brief.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n')
    expect(text).toMatch(/-> 418 in /)
    const headersMs = (brief.structuredContent as { time: { headersMs: number } }).time.headersMs
    expect(text).toMatch(/^Time: headers after [\d.]+ (?:µs|ms), another response was sent/m)
    expect(text).toContain(`Time: headers after ${formatMs(headersMs)}, `)
    await client.close()
  })

  it('a replaced response whose request left the history before the toolbar looked: still finished, its span ended', async () => {
    // More requests than the history keeps arrive before the toolbar looks at unread bodies.
    const app = appWithOuterMiddleware({ maxRequests: 3 })
    const events = await app.request('/_debug_toolbar/api/events', undefined, clientEnv())
    const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader()
    expect((await app.request('/teapot', undefined, clientEnv())).status).toBe(418)
    for (let i = 0; i < 5; i++) expect(await (await app.request(`/page-${i}`, undefined, clientEnv())).text()).toContain('ok')
    // The first request the events tell of is the replaced one (every path answers `GET /*`).
    let seen = ''
    while (!seen.includes('"request.created"')) seen += (await reader.read()).value
    const id = /"request.created","data":\{"requestId":"(\w+)"/.exec(seen)![1]
    const finished = new RegExp(`"request.finished","data":\\{"requestId":"${id}","traceId":"(\\w+)"[^}]*"status":(\\d+)`)
    while (!finished.test(seen)) seen += (await reader.read()).value
    await reader.cancel()
    const [, traceId, status] = finished.exec(seen)!
    expect(status).toBe('418')
    const trace = await (await app.request(`/_debug_toolbar/api/traces/${traceId}`, undefined, clientEnv())).json()
    const server = trace.spans.find((span: { kind: string }) => span.kind === 'SERVER')
    expect(server.endTimeUnixNano).toBeDefined()
    expect(server.attributes['http.response.status_code']).toBe(418)
  })

  it('an error thrown after the toolbar: in the history as the 500 onError answered, with the error', async () => {
    const app = appWithOuterMiddleware()
    const res = await app.request('/audited', undefined, clientEnv())
    expect(res.status).toBe(500)
    expect(await res.text()).toBe('something went wrong')
    const { detail, listed, server } = await settledDetail(app, '/audited')
    expect(detail.id).toBe(res.headers.get('x-debug-toolbar-request-id'))
    expect(listed.status).toBe(500)
    expect(detail.panels.request.error).toBe('Error: audit log unavailable')
    expect(detail.panels.timer.responseReplaced).toBe(true)
    expect(server.status.code).toBe('ERROR')
  })

  it('a response that passes through untouched is stored as sent, not marked', async () => {
    const app = appWithOuterMiddleware()
    const res = await app.request('/page', undefined, clientEnv())
    expect(await res.text()).toContain('ok')
    const { detail } = await settledDetail(app, '/page')
    expect(detail.status).toBe(200)
    expect(detail.panels.timer.responseReplaced).toBe(false)
    expect(detail.panels.timer.responseBytes).toBe('<html><body>ok</body></html>'.length)
  })

  it('a HEAD request, whose body Hono drops: in the history', async () => {
    const app = appWithOuterMiddleware()
    const res = await app.request('/page', { method: 'HEAD' }, clientEnv())
    expect(res.status).toBe(200)
    const { listed } = await settledDetail(app, '/page')
    expect(listed).toMatchObject({ method: 'HEAD', status: 200 })
  })

  it('never breaks a response that a middleware takes off the context and answers later', async () => {
    const app = new Hono()
    app.use(async function later(c, next) {
      await next()
      const mine = c.res
      c.res = undefined
      // Longer than the toolbar waits between its looks at unread bodies.
      await new Promise((resolve) => setTimeout(resolve, 250))
      c.res = new Response(mine.body, mine)
    })
    app.use(debugToolbar())
    app.get('/page', (c) => c.body(new ReadableStream({ start(controller) { controller.enqueue(new TextEncoder().encode('the whole page')); controller.close() } })))
    const res = await app.request('/page', undefined, clientEnv())
    expect(await res.text()).toBe('the whole page')
  })
})
