import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { stream } from 'hono/streaming'
import { trace } from '@opentelemetry/api'
import { debugToolbar } from '../../src/index.js'
import { injectTraceContext, OpenTelemetryPanel, type OpenTelemetryStats, type ToolbarSpan } from '../../src/opentelemetry/index.js'
import { withSpans, type StatsWithSpans } from '../support/trace-spans.js'

const loopback = { incoming: { socket: { remoteAddress: '127.0.0.1' } } }

function makeApp(options: ConstructorParameters<typeof OpenTelemetryPanel>[0] = {}) {
  const app = new Hono()
  const panel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop', ...options })
  app.use(debugToolbar({ extraPanels: [panel] }))
  const get = async (path: string, init?: RequestInit) => {
    const res = await app.request(path, init, loopback)
    const body = await res.text()
    return { res, body }
  }
  const stats = async (res: Response): Promise<StatsWithSpans> => {
    const id = res.headers.get('x-debug-toolbar-request-id')
    const detail = await (await app.request(`/_debug_toolbar/api/requests/${id}`, undefined, loopback)).json()
    return withSpans(app, detail.panels.opentelemetry as OpenTelemetryStats)
  }
  return { app, panel, get, stats }
}

const byName = (spans: ToolbarSpan[], name: string) => spans.find((s) => s.name === name)

describe('OpenTelemetryPanel', () => {
  it('never starts a span the handler starts at once before the request\'s SERVER span', async () => {
    const { app, get, stats } = makeApp()
    app.get('/at-once', (c) => {
      trace.getTracer('shop').startSpan('first thing').end()
      return c.text('ok')
    })
    for (let i = 0; i < 40; i++) {
      const s = await stats((await get('/at-once')).res)
      const server = byName(s.spans, 'GET /at-once')!
      const child = byName(s.spans, 'first thing')!
      expect(BigInt(child.startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(server.startTimeUnixNano))
      expect(BigInt(child.endTimeUnixNano!)).toBeLessThanOrEqual(BigInt(server.endTimeUnixNano!))
    }
  })

  it('gives Server-Timing the flags the app\'s outgoing requests carry, random flag included', async () => {
    const { app, get } = makeApp()
    let outgoing = ''
    app.get('/call', (c) => {
      const headers: Record<string, string> = {}
      injectTraceContext(headers)
      outgoing = headers.traceparent!
      return c.text('ok')
    })
    const parent = '4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7'
    for (const [incoming, flags] of [[`00-${parent}-03`, '03'], [`00-${parent}-01`, '01'], [undefined, '03']] as const) {
      const { res } = await get('/call', incoming ? { headers: { traceparent: incoming } } : undefined)
      const sent = /traceparent;desc="([^"]+)"/.exec(res.headers.get('server-timing') ?? '')![1]!
      expect(sent.endsWith(`-${flags}`)).toBe(true)
      expect(outgoing.endsWith(`-${flags}`)).toBe(true)
      expect(sent.slice(0, 36)).toBe(outgoing.slice(0, 36))
    }
  })

  it('makes each request a trace with a SERVER span named after the route, and the app spans inside it', async () => {
    const { app, get, stats } = makeApp()
    app.get('/users/:id', async (c) => {
      const tracer = trace.getTracer('shop')
      await tracer.startActiveSpan('load user', async (outer) => {
        tracer.startActiveSpan('read cache', (inner) => inner.end())
        outer.end()
      })
      return c.json({ id: c.req.param('id') })
    })
    const { res } = await get('/users/7?q=shoes&api_key=abc')
    const s = await stats(res)
    const server = byName(s.spans, 'GET /users/:id')!
    expect(server.kind).toBe('SERVER')
    expect(server.spanId).toBe(s.rootSpanId)
    // What tells requests apart; not what is the same for every request on a dev server
    // (server.address and port, client.address, network.protocol.version).
    expect(server.attributes).toEqual({
      'http.request.method': 'GET',
      'url.path': '/users/7',
      'url.scheme': 'http',
      'url.query': 'q=shoes&api_key=REDACTED',
      'http.route': '/users/:id',
      'http.response.status_code': 200,
    })
    const outer = byName(s.spans, 'load user')!
    const inner = byName(s.spans, 'read cache')!
    expect(outer.parentSpanId).toBe(server.spanId)
    expect(inner.parentSpanId).toBe(outer.spanId)
    expect(new Set(s.spans.map((span) => span.traceId))).toEqual(new Set([s.traceId]))
    // The request's stats count the spans; the spans come from the trace API.
    const raw = (await (await app.request(`/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`, undefined, loopback)).json()).panels.opentelemetry
    expect(raw.spans).toBeUndefined()
    expect(raw).toMatchObject({ spanCount: 3, inFlightSpans: 0 })
    expect(s.spans).toHaveLength(3)
    // Sampled (01) and a trace id the toolbar made at random (02), as outgoing requests say.
    expect(res.headers.get('server-timing')).toContain(`traceparent;desc="00-${s.traceId}-${server.spanId}-03"`)
    expect(s.traceparent).toBe(`00-${s.traceId}-${server.spanId}-03`)
    expect(s.serviceName).toBe('shop')
    expect(s.links.jaeger).toBe(`http://localhost:16686/trace/${s.traceId}`)
    expect(s.links.zipkin).toBe(`http://localhost:9411/zipkin/traces/${s.traceId}`)
    expect(s.links.otlpJson).toBe(`/_debug_toolbar/api/traces/${s.traceId}/otlp`)
    expect(s.links.tempo).toBeUndefined()
    expect(s.inFlightSpans).toBe(0)
    expect(server.resource['service.name']).toBe('shop')
  })


  it('lets a middleware after the toolbar\'s add attributes to the SERVER span, as README shows', async () => {
    const { app, get, stats } = makeApp()
    app.use(async (c, next) => {
      trace.getActiveSpan()?.setAttributes({ 'client.address': '127.0.0.1', 'network.protocol.version': '1.1' })
      await next()
    })
    app.get('/page', (c) => c.text('ok'))
    const server = byName((await stats((await get('/page')).res)).spans, 'GET /page')!
    expect(server.attributes).toMatchObject({ 'client.address': '127.0.0.1', 'network.protocol.version': '1.1' })
  })

  it('gives the SERVER span the client\'s user agent and the URL\'s scheme, as the request had them', async () => {
    const { app, get, stats } = makeApp()
    app.get('/page', (c) => c.text('ok'))
    const agent = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0'
    const { res } = await get('https://shop.localhost/page', { headers: { 'user-agent': agent } })
    const server = byName((await stats(res)).spans, 'GET /page')!
    expect(server.attributes).toMatchObject({ 'url.scheme': 'https', 'user_agent.original': agent })
    const plain = byName((await stats((await get('/page')).res)).spans, 'GET /page')!
    expect(plain.attributes['url.scheme']).toBe('http')
    expect(plain.attributes).not.toHaveProperty('user_agent.original')
  })
  it('lists the request with its trace id and the span count as the subtitle', async () => {
    const { app, get, stats } = makeApp()
    app.get('/', (c) => c.text('ok'))
    const { res } = await get('/')
    const s = await stats(res)
    const list = await (await app.request('/_debug_toolbar/api/requests', undefined, loopback)).json()
    expect(list.requests[0].traceId).toBe(s.traceId)
    const detail = await (await app.request(`/_debug_toolbar/api/requests/${list.requests[0].id}`, undefined, loopback)).json()
    expect(detail.nav.find((n: { id: string }) => n.id === 'opentelemetry').subtitle).toBe('1 span')
  })

  it('keeps the traces of 50 concurrent requests apart', async () => {
    const { app, get, stats } = makeApp()
    app.get('/work/:n', async (c) => {
      const n = c.req.param('n')
      const span = trace.getTracer('shop').startSpan(`work ${n}`)
      await new Promise((resolve) => setTimeout(resolve, Number(n) % 5))
      span.end()
      return c.text(n)
    })
    const results = await Promise.all(Array.from({ length: 50 }, (_, n) => get(`/work/${n}`)))
    const traceIds = new Set<string>()
    for (const [n, { res }] of results.entries()) {
      const s = await stats(res)
      traceIds.add(s.traceId)
      expect(s.spans.map((span) => span.name).sort()).toEqual(['GET /work/:n', `work ${n}`])
      const server = byName(s.spans, 'GET /work/:n')!
      expect(byName(s.spans, `work ${n}`)!.parentSpanId).toBe(server.spanId)
    }
    expect(traceIds.size).toBe(50)
  })

  it('continues an incoming traceparent and ignores a malformed one', async () => {
    const { app, get, stats } = makeApp()
    app.get('/', (c) => c.text('ok'))
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
    const continued = await stats((await get('/', { headers: { traceparent: incoming } })).res)
    expect(continued.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
    expect(continued.spans[0]!.parentSpanId).toBe('00f067aa0ba902b7')

    const fresh = await stats((await get('/', { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1' } })).res)
    expect(fresh.traceId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736')
    expect(fresh.spans[0]!.parentSpanId).toBeUndefined()
  })

  it('marks 5xx and thrown errors as ERROR with an exception event, and leaves 4xx UNSET', async () => {
    const { app, get, stats } = makeApp()
    app.get('/missing', (c) => c.text('no', 404))
    app.get('/broken', (c) => c.text('down', 503))
    app.get('/throws', () => {
      throw new TypeError('boom')
    })
    const missing = (await stats((await get('/missing')).res)).spans[0]!
    expect(missing.status.code).toBe('UNSET')
    expect(missing.attributes['http.response.status_code']).toBe(404)
    const broken = (await stats((await get('/broken')).res)).spans[0]!
    // "Don't set the span status description if the reason can be inferred from http.response.status_code."
    expect(broken.status).toEqual({ code: 'ERROR' })
    expect(broken.attributes['error.type']).toBe('503')
    const thrown = (await stats((await get('/throws')).res)).spans[0]!
    expect(thrown.status).toEqual({ code: 'ERROR', message: 'boom' })
    const exception = thrown.events.find((e) => e.name === 'exception')!
    expect(exception.attributes['exception.type']).toBe('TypeError')
    expect(exception.attributes['exception.message']).toBe('boom')
    expect(String(exception.attributes['exception.stacktrace'])).toContain('boom')
  })

  it('cuts a very long error message in the Request panel and on the SERVER span, keeping the frames of its stack', async () => {
    const { app, get, stats } = makeApp()
    app.get('/page', () => {
      throw new RangeError('e'.repeat(1_000_000))
    })
    // Hono's default handler would print the megabyte message.
    app.onError((_error, c) => c.text('failed', 500))
    const { res } = await get('/page')
    const detail = await (await app.request(`/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`, undefined, loopback)).json()
    const message = `${'e'.repeat(8192)}… (991808 more characters)`
    expect(detail.panels.request.error).toBe(`RangeError: ${message}`)
    const { spans } = await stats(res)
    const server = spans.find((s) => s.kind === 'SERVER')!
    expect(server.status).toEqual({ code: 'ERROR', message })
    const exception = server.events.find((e) => e.name === 'exception')!
    expect(exception.attributes['exception.type']).toBe('RangeError')
    expect(exception.attributes['exception.message']).toBe(message)
    expect(String(exception.attributes['exception.stacktrace'])).toMatch(new RegExp(`^RangeError: e{8192}… \\(991808 more characters\\)\\n    at .*panel\\.test\\.ts`))
    expect(JSON.stringify(detail).length + JSON.stringify(spans).length).toBeLessThan(100_000)
  })

  it("starts an exception's stack with the error's name as it is when thrown, and the name alone for an empty message", async () => {
    const { app, get, stats } = makeApp()
    app.onError((_error, c) => c.text('failed', 500))
    app.get('/renamed', () => {
      const error = new Error('read timed out')
      void error.stack // V8 writes the stack's first line when it is first read
      error.name = 'TimeoutError'
      throw error
    })
    app.get('/empty', () => {
      throw new Error('')
    })
    const stackOf = async (path: string) => {
      const server = (await stats((await get(path)).res)).spans.find((s) => s.kind === 'SERVER')!
      return String(server.events.find((e) => e.name === 'exception')!.attributes['exception.stacktrace'])
    }
    expect(await stackOf('/renamed')).toMatch(/^TimeoutError: read timed out\n {4}at /)
    expect(await stackOf('/empty')).toMatch(/^Error\n {4}at /)
  })

  it('names an error of a subclass without a name of its own after its class, in the Request panel and the exception', async () => {
    const { app, get, stats } = makeApp()
    app.onError((_error, c) => c.text('failed', 500))
    class NotFound extends Error {}
    class OrderError extends Error {
      override name = 'OrderError'
    }
    const given = new NotFound('given')
    given.name = 'Error'
    const thrown: Record<string, Error> = { '/plain': new NotFound('no such order'), '/named': new OrderError('bad order'), '/given': given }
    app.get('/:case', (c) => {
      throw thrown[`/${c.req.param('case')}`]
    })
    const seen = async (path: string) => {
      const { res } = await get(path)
      const detail = await (await app.request(`/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`, undefined, loopback)).json()
      const server = (await stats(res)).spans.find((s) => s.kind === 'SERVER')!
      const exception = server.events.find((e) => e.name === 'exception')!.attributes
      return { panel: detail.panels.request.error, type: exception['exception.type'], errorType: server.attributes['error.type'], stack: String(exception['exception.stacktrace']).split('\n')[0] }
    }
    expect(await seen('/plain')).toEqual({ panel: 'NotFound: no such order', type: 'NotFound', errorType: 'NotFound', stack: 'NotFound: no such order' })
    expect(await seen('/named')).toEqual({ panel: 'OrderError: bad order', type: 'OrderError', errorType: 'OrderError', stack: 'OrderError: bad order' })
    // A name the app gave the error itself is the name it is shown by, even 'Error'.
    expect(await seen('/given')).toEqual({ panel: 'Error: given', type: 'Error', errorType: 'Error', stack: 'Error: given' })
  })

  it('marks a request whose handler threw something other than an Error as ERROR, with its route and 500', async () => {
    const { app, stats } = makeApp()
    const odd = Object.create(null)
    app.get('/string', () => {
      throw 'out of stock'
    })
    app.get('/odd', () => {
      throw odd
    })
    // Hono hands anything but an Error back to the server, which answers 500.
    await expect(app.request('/string', undefined, loopback)).rejects.toBe('out of stock')
    await expect(app.request('/odd', undefined, loopback)).rejects.toBe(odd)
    const { requests } = await (await app.request('/_debug_toolbar/api/requests', undefined, loopback)).json()
    const servers = []
    for (const { id } of requests.reverse()) {
      const { spans } = await stats(new Response(null, { headers: { 'x-debug-toolbar-request-id': id } }))
      servers.push(spans.find((s) => s.kind === 'SERVER')!)
    }
    expect(servers.map((s) => [s.name, s.attributes['http.route'], s.attributes['http.response.status_code'], s.status])).toEqual([
      ['GET /string', '/string', 500, { code: 'ERROR', message: 'out of stock' }],
      ['GET /odd', '/odd', 500, { code: 'ERROR', message: '[object Object]' }],
    ])
    expect(servers.map((s) => s.attributes['error.type'])).toEqual(['500', '500'])
    // No type or stack of its own: the message alone.
    expect(servers.map((s) => s.events.filter((e) => e.name === 'exception').map((e) => e.attributes))).toEqual([
      [{ 'exception.message': 'out of stock' }],
      [{ 'exception.message': '[object Object]' }],
    ])
  })

  it('ends the SERVER span of a streamed response after its last chunk', async () => {
    const { app, stats } = makeApp()
    let lastChunkAt = 0
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    app.get('/stream', (c) =>
      stream(c, async (s) => {
        await s.write('first ')
        await released
        // Far enough after the first chunk that a span ended there would end well before the last.
        await new Promise((resolve) => setTimeout(resolve, 25))
        // Whole wall-clock milliseconds: the SDK anchors span times to Date.now(), so a span's
        // time is up to 1 ms behind the true time, and this reading up to 1 ms behind too.
        lastChunkAt = Date.now()
        await s.write('last')
      }),
    )
    const res = await app.request('/stream', undefined, loopback)
    const reader = res.body!.getReader()
    await reader.read()
    release()
    while (!(await reader.read()).done);
    const span = (await stats(res)).spans[0]!
    const endMs = Number(BigInt(span.endTimeUnixNano!) / 1000n) / 1000
    expect(endMs).toBeGreaterThanOrEqual(lastChunkAt - 1)
  })

  it('answers the trace API, as JSON and as an OTLP/JSON file', async () => {
    const { app, get, stats } = makeApp()
    app.get('/', (c) => c.text('ok'))
    const s = await stats((await get('/')).res)
    const api = (path: string) => app.request(`/_debug_toolbar/api/traces/${path}`, undefined, loopback)

    const found = await api(s.traceId)
    expect(found.status).toBe(200)
    const body = await found.json()
    expect(body.traceId).toBe(s.traceId)
    expect(body.spans.map((span: ToolbarSpan) => span.spanId)).toEqual([s.rootSpanId])

    const otlp = await api(`${s.traceId}/otlp`)
    expect(otlp.headers.get('content-disposition')).toBe(`attachment; filename="trace-${s.traceId}.json"`)
    const file = await otlp.json()
    expect(file.resourceSpans[0].scopeSpans[0].spans[0].spanId).toBe(s.rootSpanId)

    expect((await api('0123456789abcdef0123456789abcdef')).status).toBe(404)
    const bad = await api('not-a-trace')
    expect(bad.status).toBe(400)
    expect((await bad.json()).error).toContain('not a trace id')
    // Not allowed clients do not learn that the route exists.
    expect((await app.request(`/_debug_toolbar/api/traces/${s.traceId}`)).status).toBe(404)
  })

  it('adds Grafana Tempo links when grafanaUrl is set', async () => {
    const { app, get, stats } = makeApp({ grafanaUrl: 'http://localhost:3000', tempoDatasourceUid: 'tempo-1' })
    app.get('/', (c) => c.text('ok'))
    const s = await stats((await get('/')).res)
    expect(s.links.tempo).toContain('http://localhost:3000/explore?')
    expect(decodeURIComponent(s.links.tempo!)).toContain(s.traceId)
  })

  it('fails at startup on an option it cannot use', () => {
    expect(() => new OpenTelemetryPanel({ otlpProtocol: 'carrier-pigeon' as never })).toThrow(/otlpProtocol/)
  })
})
