// Names that are also the members of every JavaScript object (`__proto__`, `constructor`,
// `toString`) come in as data: query parameters, log fields, SQL parameters, span tags from
// other services. They are shown and kept like any other name: a record built with a plain
// assignment lost `__proto__` (it set the record's prototype), and a lookup read
// Object.prototype's `constructor` where the name was missing.
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { debugToolbar, LoggingPanel, recordLog, RequestPanel, type LoggingStats, type RequestStats } from '../../src/index.js'
import { OpenTelemetryPanel, type ToolbarSpan } from '../../src/opentelemetry/index.js'
import { displayParams } from '../../src/recorders/sql/display.js'
import { redactValue } from '../../src/mcp/redact.js'
import { resolveOpenTelemetryConfig } from '../../src/opentelemetry/config.js'
import { request } from '../support/local.js'

// What JSON.parse makes of a body that names them: own properties, as a server gets them.
const parsed = () => JSON.parse('{"__proto__": {"role": "admin"}, "constructor": "c", "toString": "t"}') as Record<string, unknown>

async function detailOf(app: Hono, path: string) {
  const res = await request(app, path)
  return (await request(app, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
}

describe('data named like the members of every object', () => {
  it('shows query parameters named __proto__, constructor and toString in the Request panel, every value', async () => {
    const app = new Hono()
    app.use(debugToolbar({ panels: [new RequestPanel()] }))
    app.get('/search', (c) => c.text('ok'))
    const detail = await detailOf(app, '/search?__proto__=a&constructor=b&toString=c&constructor=d&q=e')
    // It failed whole: "this panel failed: query[name].push is not a function".
    expect(detail.failures).toBeUndefined()
    const query = (detail.panels.request as RequestStats).query
    expect(Object.entries(query)).toEqual([['__proto__', ['a']], ['constructor', ['b', 'd']], ['toString', ['c']], ['q', ['e']]])
  })

  it("keeps a log call's fields of those names in the Logging panel", async () => {
    const app = new Hono()
    app.use(debugToolbar({ panels: [new LoggingPanel()] }))
    app.get('/signup', (c) => {
      recordLog('info', 'body', parsed())
      return c.text('ok')
    })
    const stats = (await detailOf(app, '/signup')).panels.logging as LoggingStats
    const [own] = stats.logs
    expect(own!.attributes).toEqual(expect.objectContaining({ constructor: 'c', toString: 't' }))
    expect(Object.keys(own!.attributes)).toEqual(['__proto__', 'constructor', 'toString'])
    expect(JSON.stringify(own!.attributes['__proto__'])).toContain('admin')
  })

  it("exports a log line's fields named constructor and toString on its span event", async () => {
    const panel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })
    const app = new Hono()
    app.use(debugToolbar({ panels: [new LoggingPanel()], extraPanels: [panel] }))
    app.get('/signup', (c) => {
      recordLog('info', 'body', { constructor: 'c', toString: 't', hasOwnProperty: 'h' })
      return c.text('ok')
    })
    const detail = await detailOf(app, '/signup')
    const spans: ToolbarSpan[] = (await request(app, `/_debug_toolbar/api/traces/${detail.panels.opentelemetry.traceId}`)).json().spans
    const event = spans.flatMap((span) => span.events).find((e) => e.attributes['log.message'] === 'body')!
    // They were left out: `attributes[key] ??= value` read Object.prototype's members.
    expect(event.attributes).toMatchObject({ constructor: 'c', toString: 't', hasOwnProperty: 'h' })
  })

  it('shows a SQL parameter object with a __proto__ key as it was bound', () => {
    expect(JSON.stringify(displayParams([parsed()]).params)).toBe('[{"__proto__":{"role":"admin"},"constructor":"c","toString":"t"}]')
  })

  it('keeps an attribute named __proto__ in what the MCP server sends, redacted as any other', () => {
    const sent = redactValue({ attributes: JSON.parse('{"__proto__": "token=abc123", "constructor": "password=hunter2"}') })
    expect(JSON.stringify(sent)).toBe('{"attributes":{"__proto__":"token=REDACTED","constructor":"password=REDACTED"}}')
  })

  it('reads OTEL_RESOURCE_ATTRIBUTES keys named __proto__ and constructor', () => {
    const config = resolveOpenTelemetryConfig({ serviceName: 'shop' }, { OTEL_RESOURCE_ATTRIBUTES: '__proto__=a,constructor=b' }, process.cwd())
    expect(Object.entries(config.resourceAttributes)).toEqual([['__proto__', 'a'], ['constructor', 'b'], ['service.name', 'shop']])
  })

  describe('spans and tags received from other services', () => {
    const panel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [panel] }))
    const post = (path: string, body: unknown) =>
      request(app, `/_debug_toolbar/zipkin/api/${path}/spans`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
    const spansOf = async (traceId: string): Promise<ToolbarSpan[]> => (await request(app, `/_debug_toolbar/api/traces/${traceId}`)).json().spans
    const T = 1_700_000_000_000_000

    it('reads a Zipkin kind "constructor" or "__proto__" as no kind, as any unknown kind, and keeps a __proto__ tag', async () => {
      const traceId = '5af7651916cd43dd8448eb211c80319c'
      const spans = ['constructor', '__proto__', 'toString', 'CLIENT'].map((kind, i) => ({
        traceId, id: `00000000000000a${i}`, name: `call ${i}`, kind, timestamp: T + i, duration: 10,
        localEndpoint: { serviceName: 'api' }, tags: JSON.parse('{"__proto__": "p", "constructor": "c"}'),
      }))
      expect((await post('v2', spans)).status).toBe(202)
      const stored = await spansOf(traceId)
      // A function (Object) and Object.prototype were stored as kinds, and left out of the JSON.
      expect(stored.map((s) => s.kind)).toEqual(['INTERNAL', 'INTERNAL', 'INTERNAL', 'CLIENT'])
      expect(stored.every((s) => s.attributes['__proto__'] === 'p' && s.attributes['constructor'] === 'c')).toBe(true)
    })

    it('keeps a Zipkin v1 binary annotation named __proto__ as a tag', async () => {
      const traceId = '6af7651916cd43dd8448eb211c80319c'
      const endpoint = { serviceName: 'api', ipv4: '10.0.0.2' }
      const res = await post('v1', [{
        traceId, id: '00000000000000b1', name: 'get',
        annotations: [{ timestamp: T, value: 'sr', endpoint }, { timestamp: T + 10, value: 'ss', endpoint }],
        binaryAnnotations: [{ key: '__proto__', value: 'p', endpoint }, { key: 'constructor', value: 'c', endpoint }],
      }])
      expect(res.status).toBe(202)
      const [span] = await spansOf(traceId)
      expect(span!.attributes).toMatchObject({ __proto__: 'p', constructor: 'c' })
      expect(Object.keys(span!.attributes)).toContain('__proto__')
    })
  })
})
