import { gzipSync } from 'node:zlib'
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel, type OpenTelemetryStats, type ToolbarSpan } from '../../src/opentelemetry/index.js'
import { request } from '../support/local.js'

const V1_PATH = '/_debug_toolbar/zipkin/api/v1/spans'
const panel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })
const app = new Hono()
app.use(debugToolbar({ extraPanels: [panel] }))
app.get('/page', (c) => c.text('ok'))

const post = (body: string | Uint8Array, headers: Record<string, string> = { 'content-type': 'application/json' }, path = V1_PATH) =>
  request(app, path, { method: 'POST', body: body as BodyInit, headers })

async function traceSpans(traceId: string): Promise<ToolbarSpan[]> {
  return (await request(app, `/_debug_toolbar/api/traces/${traceId}`)).json().spans
}

const T = 1_700_000_000_000_000
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const web = { serviceName: 'web', ipv4: '10.0.0.1', port: 8080 }
const api = { serviceName: 'api', ipv4: '10.0.0.2', port: 9000 }
const at = (timestamp: number, value: string, endpoint: object | undefined = web) => ({ timestamp, value, endpoint })

describe('POST {prefix}/zipkin/api/v1/spans', () => {
  async function recordedTrace(): Promise<{ traceId: string; serverId: string }> {
    const res = await request(app, '/page')
    const stats: OpenTelemetryStats = (await request(app, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json().panels.opentelemetry
    return { traceId: stats.traceId, serverId: stats.rootSpanId! }
  }

  it('keeps both sides of a v1 span in the recorded trace, with their services, kinds, tags and times, answering 202', async () => {
    const { traceId, serverId } = await recordedTrace()
    const id = randomBytes(8).toString('hex')
    const now = Date.now() * 1000
    const res = await post(
      JSON.stringify([
        {
          traceId,
          parentId: serverId,
          id,
          name: 'get /users',
          annotations: [at(now, 'cs'), at(now + 100, 'sr', api), at(now + 900, 'ss', api), at(now + 1000, 'cr')],
          binaryAnnotations: [
            { key: 'http.path', value: '/users', endpoint: web },
            { key: 'db.rows', value: 3, endpoint: api },
            { key: 'sa', value: true, endpoint: api },
          ],
        },
      ]),
    )
    expect([res.status, res.text]).toEqual([202, ''])
    const spans = (await traceSpans(traceId)).filter((s) => s.source === 'zipkin')
    const client = spans.find((s) => s.kind === 'CLIENT')!
    const server = spans.find((s) => s.kind === 'SERVER')!
    expect(client).toMatchObject({
      spanId: id,
      parentSpanId: serverId,
      name: 'get /users',
      resource: { 'service.name': 'web' },
      attributes: { 'http.path': '/users', 'peer.service': 'api', 'network.peer.address': '10.0.0.2', 'network.peer.port': 9000 },
      startTimeUnixNano: String(BigInt(now) * 1000n),
      endTimeUnixNano: String(BigInt(now + 1000) * 1000n),
    })
    expect(server).toMatchObject({
      parentSpanId: id,
      resource: { 'service.name': 'api' },
      attributes: { 'db.rows': '3', 'zipkin.shared': true },
      startTimeUnixNano: String(BigInt(now + 100) * 1000n),
      endTimeUnixNano: String(BigInt(now + 900) * 1000n),
    })
    expect(server.spanId).not.toBe(id)
  })

  it("gives a span without an endpoint its parent's service, from the same POST or an earlier one", async () => {
    const traceId = randomBytes(16).toString('hex')
    const now = Date.now() * 1000
    const server = { traceId, id: '00000000000000b1', name: 'get', annotations: [at(now, 'sr', api), at(now + 900, 'ss', api)] }
    const local = { traceId, parentId: '00000000000000b1', id: '00000000000000b2', name: 'count', timestamp: now + 10, duration: 50 }
    const nested = { traceId, parentId: '00000000000000b2', id: '00000000000000b3', name: 'sum', timestamp: now + 20, duration: 5 }
    expect((await post(JSON.stringify([nested, local, server]))).status).toBe(202)
    const later = { traceId, parentId: '00000000000000b1', id: '00000000000000b4', name: 'log', timestamp: now + 80, duration: 5 }
    expect((await post(JSON.stringify([later]))).status).toBe(202)
    const spans = await traceSpans(traceId)
    const serverSpan = spans.find((s) => s.kind === 'SERVER')!
    expect(spans.map((s) => [s.name, s.resource['service.name']]).sort()).toEqual([
      ['count', 'api'],
      ['get', 'api'],
      ['log', 'api'],
      ['sum', 'api'],
    ])
    // Under the shared SERVER span's own id, as the v2 path places a service's children.
    expect(spans.filter((s) => s.name === 'count' || s.name === 'log').map((s) => s.parentSpanId)).toEqual([serverSpan.spanId, serverSpan.spanId])
  })

  it('accepts gzip and a body without a Content-Type, and answers 202 with the count when some spans are refused', async () => {
    const traceId = randomBytes(16).toString('hex')
    const span = (id: string) => ({ traceId, id, name: 'job', timestamp: Date.now() * 1000, duration: 10, binaryAnnotations: [{ key: 'lc', value: '', endpoint: { serviceName: 'batch' } }] })
    expect((await post(gzipSync(JSON.stringify([span('c1')])), { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(202)
    expect((await post(new TextEncoder().encode(JSON.stringify([span('c2')])), {})).status).toBe(202)
    const partial = await post(JSON.stringify([span('c3'), { ...span('c4'), annotations: 'x' }]))
    expect(partial.status).toBe(202)
    expect(partial.json()).toEqual({ accepted: 1, rejected: 1, error: '1 span refused: span 1: annotations is not an array' })
    expect((await traceSpans(traceId)).map((s) => s.resource['service.name'])).toEqual(['batch', 'batch', 'batch'])
  })

  it.each([
    ['a body that is not JSON', '{', { 'content-type': 'application/json' }, 400, 'the body is not valid JSON: '],
    ['JSON that is not a span list', '{"spans":[]}', { 'content-type': 'application/json' }, 400, 'expected a JSON array of Zipkin v1 spans'],
    [
      'Thrift',
      'x',
      { 'content-type': 'application/x-thrift' },
      415,
      'Content-Type "application/x-thrift" is not supported: Zipkin\'s Thrift encoding is not read: send Zipkin v1 JSON as application/json (zipkin-js: HttpLogger\'s default; Brave: SpanBytesEncoder.JSON_V1 or JSON_V2)',
    ],
    ['protobuf', 'x', { 'content-type': 'application/x-protobuf' }, 415, "Zipkin's protobuf encoding is not read: send Zipkin v1 JSON as application/json"],
    ['broken gzip', 'not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, 400, 'the body is not valid gzip'],
    ['every span refused', '[{"traceId":"x","id":"a1","timestamp":1}]', { 'content-type': 'application/json' }, 400, '1 span refused: span 0: traceId "x"'],
  ])('refuses %s with a clear message', async (_case, body, headers, status, message) => {
    const res = await post(body, headers)
    expect(res.status).toBe(status)
    expect(res.json().error).toContain(message)
  })

  it('shares the v2 path body bound: over 4 MiB, and a gzip bomb once inflated, is a 413', async () => {
    expect((await post(`[${' '.repeat(4 * 1024 * 1024)}]`)).status).toBe(413)
    const bomb = await post(gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x20)), { 'content-type': 'application/json', 'content-encoding': 'gzip' })
    expect([bomb.status, bomb.json().error]).toEqual([413, expect.stringContaining('once decompressed')])
  })

  it('answers a span logged by thousands of services at once, and refuses it as over the span bound it converts to', async () => {
    // Each service that logged in a v1 span becomes a span of its own (as Zipkin converts it).
    const span = (service: (i: number) => string) => [
      { traceId: TRACE, id: 'b1', name: 'fan-out', timestamp: T, duration: 5, annotations: Array.from({ length: 20_000 }, (_, i) => at(T + i, 'x', { serviceName: service(i) })) },
    ]
    const timed = async (body: string) => {
      const started = performance.now()
      const res = await post(body)
      return { res, ms: performance.now() - started }
    }
    // The same work on a body of the same size logged by one service: one span, 20,000 events.
    const one = await timed(JSON.stringify(span((i) => `s${String(i).padStart(5, '0')}`.replace(/./g, 'w'))))
    const many = await timed(JSON.stringify(span((i) => `s${String(i).padStart(5, '0')}`)))
    expect(one.res.status).toBe(202)
    expect([many.res.status, many.res.json().error]).toEqual([400, expect.stringContaining('at most 10000 are accepted')])
    expect(many.ms).toBeLessThan(10 * one.ms + 100)
  })

  it('answers a GET with 405, and points Zipkin v1 senders without /zipkin in the path and v1 spans at the v2 path to the v1 path', async () => {
    const get = await request(app, V1_PATH)
    expect([get.status, get.headers.get('allow'), get.json().error]).toEqual([405, 'POST', 'GET is not allowed here: send Zipkin v1 JSON spans with POST'])
    const bare = await post('[]', { 'content-type': 'application/json' }, '/_debug_toolbar/api/v1/spans')
    expect([bare.status, bare.json().error]).toEqual([404, 'nothing receives spans at /_debug_toolbar/api/v1/spans: the Zipkin receiver takes Zipkin v1 JSON at POST /_debug_toolbar/zipkin/api/v1/spans'])
    const root = await post('[]', { 'content-type': 'application/json' }, '/_debug_toolbar/zipkin')
    expect(root.json().error).toBe(
      'nothing receives spans at /_debug_toolbar/zipkin: the Zipkin receiver takes Zipkin v2 JSON at POST /_debug_toolbar/zipkin/api/v2/spans and v1 JSON at POST /_debug_toolbar/zipkin/api/v1/spans',
    )
    const v1AtV2 = await post(JSON.stringify([{ traceId: TRACE, id: 'a1', annotations: [at(T, 'cs')] }]), { 'content-type': 'application/json' }, '/_debug_toolbar/zipkin/api/v2/spans')
    expect([v1AtV2.status, v1AtV2.json().error]).toEqual([
      400,
      '1 span refused: span 0: it is Zipkin v1 JSON (annotations with an endpoint), and this endpoint reads v2: send v1 JSON to /_debug_toolbar/zipkin/api/v1/spans, or send v2 JSON here (zipkin-js: new HttpLogger({ jsonEncoder: jsonEncoder.JSON_V2, ... }))',
    ])
  })

  it('answers any body with a 2xx or a 4xx, never a 500, and keeps serving (fuzz)', async () => {
    const endpointLike = fc.oneof(fc.record({ serviceName: fc.oneof(fc.constantFrom('web', 'api', ''), fc.anything()), ipv4: fc.anything(), port: fc.anything() }, { requiredKeys: [] }), fc.anything())
    const annotationLike = fc.record(
      { timestamp: fc.oneof(fc.integer({ min: 0, max: T + 10_000 }), fc.anything()), value: fc.oneof(fc.constantFrom('cs', 'cr', 'sr', 'ss', 'ms', 'mr', 'ws', 'wr', 'x'), fc.anything()), endpoint: endpointLike },
      { requiredKeys: [] },
    )
    const binaryLike = fc.record({ key: fc.oneof(fc.constantFrom('ca', 'sa', 'ma', 'lc', 'http.path'), fc.anything()), value: fc.anything(), endpoint: endpointLike }, { requiredKeys: [] })
    const spanLike = fc.record(
      {
        traceId: fc.oneof(fc.constant(TRACE), fc.string(), fc.integer()),
        id: fc.oneof(fc.constantFrom('a1', 'a2', 'a3'), fc.string(), fc.constant(null)),
        parentId: fc.oneof(fc.constantFrom('a1', 'a2', 'a3'), fc.anything()),
        name: fc.anything(),
        timestamp: fc.oneof(fc.integer({ min: 0, max: T }), fc.anything()),
        duration: fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.anything()),
        debug: fc.anything(),
        annotations: fc.oneof(fc.array(annotationLike, { maxLength: 5 }), fc.anything()),
        binaryAnnotations: fc.oneof(fc.array(binaryLike, { maxLength: 5 }), fc.anything()),
      },
      { requiredKeys: [] },
    )
    const bodies = fc.oneof(
      fc.array(spanLike, { maxLength: 5 }).map((spans) => JSON.stringify(spans)),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.string(),
    )
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const res = await post(body)
        expect([202, 400]).toContain(res.status)
        if (res.status !== 202 || res.text !== '') expect(typeof res.json().error).toBe('string')
      }),
      { numRuns: 300 },
    )
    expect((await request(app, '/_debug_toolbar/healthz')).status).toBe(200)
  })
})
