/**
 * The HTTP semantic conventions (semantic-conventions docs/http/http-spans.md), checked on
 * the spans a user sees: requests through the toolbar, and fetch() to a loopback service.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { serveStatic } from '@hono/node-server/serve-static'
import { knownHttpMethods, redactUrl, type OpenTelemetryPanel, type ToolbarSpan } from '../../src/opentelemetry/index.js'
import { startLoopbackService } from '../support/loopback-service.js'
import { otelApp } from '../support/otel-app.js'
import { clientEnv } from '../support/local.js'

let downstream: Awaited<ReturnType<typeof startLoopbackService>>
let base = ''

beforeAll(async () => {
  const service = new Hono()
  service.all('*', (c) => c.text(c.req.method, Number(c.req.query('status') ?? 200) as 200))
  downstream = await startLoopbackService(service)
  base = downstream.base
})

afterAll(() => downstream.close())

function makeApp(options: ConstructorParameters<typeof OpenTelemetryPanel>[0] = {}) {
  const { app, run: request } = otelApp(options)
  const run = async (path: string, init?: RequestInit) => {
    const { stats } = await request(path, init)
    return { stats, server: stats.spans.find((s) => s.kind === 'SERVER')!, clients: stats.spans.filter((s) => s.kind === 'CLIENT') }
  }
  return { app, run }
}

describe('HTTP server spans', () => {
  it('marks a 5xx answered without an exception ERROR, error.type = the code, no description', async () => {
    // "For HTTP status codes in the 5xx range ... span status SHOULD be set to Error."
    // "Don't set the span status description if the reason can be inferred from http.response.status_code."
    // error.type: "SHOULD be set to the status code number (represented as a string)".
    const { app, run } = makeApp()
    app.get('/down', (c) => c.text('maintenance', 503))
    const { server } = await run('/down')
    expect(server.status).toEqual({ code: 'ERROR' })
    expect(server.attributes['error.type']).toBe('503')
  })

  it('leaves a 4xx SERVER span UNSET and without error.type', async () => {
    // "For HTTP status codes in the 4xx range span status MUST be left unset in case of SpanKind.SERVER"
    const { app, run } = makeApp()
    app.get('/gone', (c) => c.text('no', 410))
    const { server } = await run('/gone')
    expect(server.status.code).toBe('UNSET')
    expect(server.attributes['error.type']).toBeUndefined()
  })

  it("leaves a 4xx that the app answered by throwing Hono's HTTPException UNSET, and keeps a 5xx one an error", async () => {
    // HTTPException is how a Hono app answers 401 or 404 from anywhere in its code: the
    // status code describes the span; a 4xx SERVER span stays UNSET, in Jaeger and the trace list.
    const { app, run } = makeApp()
    app.get('/private', () => {
      throw new HTTPException(401, { message: 'sign in first' })
    })
    app.get('/db', () => {
      throw new HTTPException(503, { message: 'database down' })
    })
    app.get('/maintenance', () => {
      throw new HTTPException(503)
    })
    const unauthorized = await run('/private')
    expect(unauthorized.server.attributes['http.response.status_code']).toBe(401)
    expect(unauthorized.server.status.code).toBe('UNSET')
    expect(unauthorized.server.attributes['error.type']).toBeUndefined()
    expect(unauthorized.server.events.filter((e) => e.name === 'exception')).toEqual([])
    const list = (await app.request(`/_debug_toolbar/api/traces`, undefined, clientEnv())).json() as Promise<{ traces: Array<{ traceId: string; error: boolean }> }>
    expect((await list).traces.find((t) => t.traceId === unauthorized.server.traceId)?.error).toBe(false)

    const unavailable = await run('/db')
    expect(unavailable.server.status).toEqual({ code: 'ERROR', message: 'database down' })
    // Named for its class: Hono's HTTPException keeps the name `Error`.
    expect(unavailable.server.attributes['error.type']).toBe('HTTPException')
    expect(unavailable.server.events.map((e) => e.name)).toContain('exception')
    // Thrown without a message: described by its status, not an empty message.
    const maintenance = await run('/maintenance')
    expect(maintenance.server.status).toEqual({ code: 'ERROR', message: '503 Service Unavailable' })
    const exception = maintenance.server.events.find((e) => e.name === 'exception')!
    expect(exception.attributes).toMatchObject({ 'exception.type': 'HTTPException', 'exception.message': '503 Service Unavailable' })
    expect(String(exception.attributes['exception.stacktrace'])).toMatch(/^HTTPException: 503 Service Unavailable\n\s+at /)
  })

  it('reports a method outside RFC 9110, PATCH and QUERY as _OTHER with the original, named HTTP', async () => {
    // "If the HTTP request method is not known to instrumentation, it MUST set the
    // http.request.method attribute to _OTHER"; "{method} MUST be HTTP" then.
    const { app, run } = makeApp()
    app.on('PURGE', '/cache/:key', (c) => c.text('purged'))
    const { server } = await run('/cache/home', { method: 'PURGE' })
    expect(server.name).toBe('HTTP /cache/:key')
    expect(server.attributes['http.request.method']).toBe('_OTHER')
    expect(server.attributes['http.request.method_original']).toBe('PURGE')
    const { server: unrouted } = await run('/nothing', { method: 'PURGE' })
    expect(unrouted.name).toBe('HTTP')
  })

  it('keeps PATCH and QUERY as they are, without method_original', async () => {
    const { app, run } = makeApp()
    app.patch('/items/:id', (c) => c.text('ok'))
    const { server } = await run('/items/1', { method: 'PATCH' })
    expect(server.name).toBe('PATCH /items/:id')
    expect(server.attributes['http.request.method']).toBe('PATCH')
    expect(server.attributes['http.request.method_original']).toBeUndefined()
    expect(knownHttpMethods(undefined).has('QUERY')).toBe(true)
  })

  it('reads the known methods from OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS, which replaces the list', async () => {
    // "this list MUST be a full override of the default known methods"
    process.env.OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS = 'GET,PURGE'
    try {
      const { app, run } = makeApp()
      app.on('PURGE', '/cache', (c) => c.text('purged'))
      const { server } = await run('/cache', { method: 'PURGE' })
      expect(server.name).toBe('PURGE /cache')
      expect(server.attributes['http.request.method']).toBe('PURGE')
    } finally {
      delete process.env.OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS
    }
  })

  it('gives a request no route matched no http.route and the method alone as its name', async () => {
    // "If there is no (low-cardinality) {target} available, HTTP span names SHOULD be {method}";
    // http.route is "Conditionally Required If and only if it's available".
    const { app, run } = makeApp()
    app.use('/api/*', async (_c, next) => next())
    app.get('/api/users', (c) => c.text('users'))
    for (const path of ['/nowhere', '/api/nowhere']) {
      const { server, stats } = await run(path)
      expect(server.name).toBe('GET')
      expect(server.attributes['http.route']).toBeUndefined()
      expect(server.attributes['http.response.status_code']).toBe(404)
      expect(stats.spans).toHaveLength(1)
    }
    const { server } = await run('/api/users')
    expect(server.name).toBe('GET /api/users')
    expect(server.attributes['http.route']).toBe('/api/users')
  })

  it('keeps the route of a middleware that answered (a static file), and of a handler that answered 404', async () => {
    const { app, run } = makeApp()
    app.use('/static/*', serveStatic({ root: './', rewriteRequestPath: (path) => path.replace(/^\/static/, '') }))
    app.get('/users/:id', (c) => c.text('no such user', 404))
    expect((await run('/static/package.json')).server.attributes['http.route']).toBe('/static/*')
    expect((await run('/users/9')).server.name).toBe('GET /users/:id')
  })

  it('redacts url.query values of the keys the conventions list and of the toolbar\'s secret names', async () => {
    // "Query string values for the following keys SHOULD be redacted by default and replaced
    // by the value REDACTED: ... AWSAccessKeyId, Signature, sig, X-Goog-Signature"; keys kept.
    const { app, run } = makeApp()
    app.get('/file', (c) => c.text('ok'))
    const query = 'color=blue&AWSAccessKeyId=AKIA&Signature=s1&sig=s2&X-Goog-Signature=s3&X-Amz-Signature=s4&session_token=t&SIG=kept'
    const { server } = await run(`/file?${query}`)
    expect(server.attributes['url.query']).toBe(
      'color=blue&AWSAccessKeyId=REDACTED&Signature=REDACTED&sig=REDACTED&X-Goog-Signature=REDACTED&X-Amz-Signature=REDACTED&session_token=REDACTED&SIG=kept',
    )
  })

  it('redacts the secrets of a URL given as a query value, in url.query', async () => {
    const { app, run } = makeApp()
    app.get('/login', (c) => c.text('ok'))
    const { server } = await run('/login?next=https%3A%2F%2Fapi.example%2Fcb%3Ftoken%3Ds3cret-1%26step%3D2&callback=https://user:s3cret-2@host/x&q=a')
    expect(server.attributes['url.query']).toBe(
      `next=${encodeURIComponent('https://api.example/cb?token=REDACTED&step=2')}&callback=${encodeURIComponent('https://REDACTED@host/x')}&q=a`,
    )
  })
})

describe('HTTP client spans (fetch)', () => {
  it('marks a 4xx answer ERROR with error.type, and a 5xx too, without a description', async () => {
    // "For HTTP status codes in the 4xx range span status ... SHOULD be set to Error in case of SpanKind.CLIENT."
    const { app, run } = makeApp()
    app.get('/', async (c) => {
      await (await fetch(`${base}/a?status=404`)).text()
      await (await fetch(`${base}/b?status=502`)).text()
      await (await fetch(`${base}/c?status=204`)).text()
      return c.text('ok')
    })
    const { clients } = await run('/')
    const by = (n: number) => clients.find((s: ToolbarSpan) => s.attributes['http.response.status_code'] === n)!
    expect(by(404).status).toEqual({ code: 'ERROR' })
    expect(by(404).attributes['error.type']).toBe('404')
    expect(by(502).status).toEqual({ code: 'ERROR' })
    expect(by(502).attributes['error.type']).toBe('502')
    expect(by(204).status.code).toBe('UNSET')
    expect(by(204).attributes['error.type']).toBeUndefined()
  })

  it('leaves a request the caller aborted UNSET, without error.type', async () => {
    // "If the HTTP client instrumentation can detect that the request was cancelled intentionally
    // by the caller ... the cancellation SHOULD NOT be treated as an error"
    const { app, run } = makeApp()
    app.get('/', async (c) => {
      const controller = new AbortController()
      controller.abort()
      await fetch(`${base}/x`, { signal: controller.signal }).catch(() => undefined)
      return c.text('ok')
    })
    const { clients } = await run('/')
    expect(clients).toHaveLength(1)
    expect(clients[0]!.status.code).toBe('UNSET')
    expect(clients[0]!.attributes['error.type']).toBeUndefined()
  })

  it('names an unknown method HTTP, with _OTHER and the original method', async () => {
    const { app, run } = makeApp()
    app.get('/', async (c) => c.text(await (await fetch(`${base}/x`, { method: 'PURGE' })).text()))
    const { clients } = await run('/')
    expect(clients[0]!.name).toBe('HTTP')
    expect(clients[0]!.attributes).toMatchObject({ 'http.request.method': '_OTHER', 'http.request.method_original': 'PURGE' })
  })

  it('redacts the secrets of a URL given as a query value, in the url.full of a fetch', async () => {
    const { app, run } = makeApp()
    const next = encodeURIComponent('https://api.example/cb?api_key=s3cret-3&step=2')
    app.get('/', async (c) => c.text(await (await fetch(`${base}/go?next=${next}`)).text()))
    const { clients } = await run('/')
    expect(clients[0]!.attributes['url.full']).toBe(`${base}/go?next=${encodeURIComponent('https://api.example/cb?api_key=REDACTED&step=2')}`)
  })

  it('redacts credentials and signed-URL parameters in url.full', () => {
    // "username and password SHOULD be redacted and attribute's value SHOULD be https://REDACTED:REDACTED@www.example.com/"
    expect(redactUrl(new URL('https://u:p@bucket.example.com/k?X-Amz-Credential=c&X-Amz-Security-Token=t&v=1#frag'))).toBe(
      'https://REDACTED:REDACTED@bucket.example.com/k?X-Amz-Credential=REDACTED&X-Amz-Security-Token=REDACTED&v=1',
    )
  })
})
