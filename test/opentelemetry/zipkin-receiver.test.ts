import { gzipSync } from 'node:zlib'
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel, type OpenTelemetryStats, type ToolbarSpan } from '../../src/opentelemetry/index.js'
import { SharedSpanIds, zipkinSpansToToolbar, ZipkinDecodeError } from '../../src/opentelemetry/zipkin-json.js'
import { request } from '../support/local.js'

const PATH = '/_debug_toolbar/zipkin/api/v2/spans'
const panel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })
const app = new Hono()
app.use(debugToolbar({ extraPanels: [panel] }))
app.get('/page', (c) => c.text('ok'))

/** A recorded request, so its trace is one the toolbar keeps. */
async function recordedTrace(): Promise<{ traceId: string; serverId: string }> {
  const res = await request(app, '/page')
  const id = res.headers.get('x-debug-toolbar-request-id')
  const stats: OpenTelemetryStats = (await request(app, `/_debug_toolbar/api/requests/${id}`)).json().panels.opentelemetry
  return { traceId: stats.traceId, serverId: stats.rootSpanId! }
}

const post = (body: string | Uint8Array, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  request(app, PATH, { method: 'POST', body: body as BodyInit, headers })

async function traceSpans(traceId: string): Promise<ToolbarSpan[]> {
  return (await request(app, `/_debug_toolbar/api/traces/${traceId}`)).json().spans
}

const NOW_US = Date.now() * 1000

function zipkinSpan(traceId: string, fields: Record<string, unknown> = {}) {
  return { traceId, id: randomBytes(8).toString('hex'), name: 'get /stock', kind: 'SERVER', timestamp: NOW_US, duration: 1500, localEndpoint: { serviceName: 'stock' }, ...fields }
}

describe('the Zipkin v2 JSON mapping', () => {
  it('maps ids, microsecond times, service, tags, endpoints, annotations and the error tag', () => {
    const { spans, rejected } = zipkinSpansToToolbar([
      {
        traceId: 'A3CE929D0E0E4736',
        id: 'f067aa0ba902b7',
        parentId: '00f067aa0ba902b8',
        name: 'get /stock',
        kind: 'CLIENT',
        timestamp: 1_700_000_000_123_456,
        duration: 1_500,
        localEndpoint: { serviceName: 'stock', ipv4: '10.0.0.1' },
        remoteEndpoint: { serviceName: 'db', ipv4: '10.0.0.2', port: 5432 },
        annotations: [{ timestamp: 1_700_000_000_124_000, value: 'ws' }],
        tags: { 'http.path': '/stock', error: 'timeout' },
      },
    ])
    expect(rejected).toEqual([])
    expect(spans[0]).toEqual({
      traceId: '0000000000000000a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      parentSpanId: '00f067aa0ba902b8',
      name: 'get /stock',
      kind: 'CLIENT',
      startTimeUnixNano: '1700000000123456000',
      endTimeUnixNano: '1700000000124956000',
      attributes: { 'http.path': '/stock', error: 'timeout', 'peer.service': 'db', 'network.peer.address': '10.0.0.2', 'network.peer.port': 5432 },
      events: [{ name: 'ws', timeUnixNano: '1700000000124000000', attributes: {} }],
      links: [],
      status: { code: 'ERROR', message: 'timeout' },
      resource: { 'service.name': 'stock' },
      scope: { name: 'zipkin' },
      source: 'zipkin',
    })
  })

  it('refuses a bad span alone, with the reason; a body that is not a list whole', () => {
    const good = zipkinSpan('4bf92f3577b34da6a3ce929d0e0e4736')
    const { spans, rejected } = zipkinSpansToToolbar([
      good,
      { ...good, traceId: 'xyz' },
      { ...good, id: '0000000000000000' },
      { ...good, timestamp: -1 },
      { ...good, timestamp: 1.5 },
      { ...good, tags: { n: true } },
      'span',
      { ...good, timestamp: 0 },
    ])
    expect(spans).toHaveLength(1)
    expect(rejected).toEqual([
      'span 1: traceId "xyz" is not 16 to 32 hex characters, not all zero',
      'span 2: id "0000000000000000" is not 1 to 16 hex characters, not all zero',
      'span 3: timestamp -1 is not a non-negative whole number of microseconds',
      'span 4: timestamp 1.5 is not a non-negative whole number of microseconds',
      'span 5: tag "n" is not a string',
      'span 6: not an object',
      'span 7: timestamp 0 is not a start time',
    ])
    expect(() => zipkinSpansToToolbar({ spans: [] })).toThrow(ZipkinDecodeError)
  })

  it('keeps a shared SERVER span beside the CLIENT span with the same id, under it, and its children under it', () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    const shared = new SharedSpanIds()
    const clientId = '00f067aa0ba902b7'
    const first = zipkinSpansToToolbar([{ ...zipkinSpan(traceId), id: 'aaaaaaaaaaaaaaaa', parentId: clientId, kind: undefined, name: 'child' }, zipkinSpan(traceId, { id: clientId, shared: true })], shared)
    const server = first.spans.find((s) => s.kind === 'SERVER')!
    const child = first.spans.find((s) => s.name === 'child')!
    expect(server.spanId).not.toBe(clientId)
    expect(server.parentSpanId).toBe(clientId)
    expect(server.attributes['zipkin.shared']).toBe(true)
    expect(child.parentSpanId).toBe(server.spanId)
    // A child in a later POST, and a retried POST, find the same derived id.
    const later = zipkinSpansToToolbar([{ ...zipkinSpan(traceId), id: 'bbbbbbbbbbbbbbbb', parentId: clientId }], shared)
    expect(later.spans[0]!.parentSpanId).toBe(server.spanId)
    expect(zipkinSpansToToolbar([zipkinSpan(traceId, { id: clientId, shared: true })], new SharedSpanIds()).spans[0]!.spanId).toBe(server.spanId)
    // Another service's span whose parent is the CLIENT span stays under the CLIENT span.
    const other = zipkinSpansToToolbar([{ ...zipkinSpan(traceId), parentId: clientId, localEndpoint: { serviceName: 'cache' } }], shared)
    expect(other.spans[0]!.parentSpanId).toBe(clientId)
  })
})

describe('POST {prefix}/zipkin/api/v2/spans', () => {
  it('stores spans into the recorded request trace with source zipkin, answering 202', async () => {
    const { traceId, serverId } = await recordedTrace()
    const span = zipkinSpan(traceId, { parentId: serverId })
    const res = await post(JSON.stringify([span]))
    expect(res.status).toBe(202)
    expect(res.text).toBe('')
    const stored = (await traceSpans(traceId)).find((s) => s.spanId === span.id)!
    expect(stored).toMatchObject({ source: 'zipkin', parentSpanId: serverId, resource: { 'service.name': 'stock' } })
    // Counted with the OTLP receivers: one pipeline.
    expect(panel.receivers!.ingest.counters.accepted).toBeGreaterThan(0)
  })

  it('accepts gzip', async () => {
    const { traceId } = await recordedTrace()
    const span = zipkinSpan(traceId)
    const res = await post(gzipSync(JSON.stringify([span])), { 'content-type': 'application/json', 'content-encoding': 'gzip' })
    expect(res.status).toBe(202)
    expect((await traceSpans(traceId)).some((s) => s.spanId === span.id)).toBe(true)
  })

  it('answers 202 with the count when some spans are refused, 400 when all are', async () => {
    const { traceId } = await recordedTrace()
    const partial = await post(JSON.stringify([zipkinSpan(traceId), { ...zipkinSpan(traceId), id: 'nope' }]))
    expect(partial.status).toBe(202)
    expect(partial.json()).toEqual({ accepted: 1, rejected: 1, error: expect.stringContaining('1 span refused: span 1: id "nope"') })
    const none = await post(JSON.stringify([{ ...zipkinSpan(traceId), timestamp: 'now' }]))
    expect(none.status).toBe(400)
    expect(none.json().error).toContain('span 0: timestamp "now" is not a non-negative whole number of microseconds')
  })

  it('keeps spans of a trace no request recorded as a trace of its own', async () => {
    const traceId = randomBytes(16).toString('hex')
    const span = zipkinSpan(traceId, { kind: 'CLIENT', localEndpoint: { serviceName: 'batch-job' } })
    expect((await post(JSON.stringify([span]))).status).toBe(202)
    const list = (await request(app, '/_debug_toolbar/api/traces?source=zipkin')).json()
    expect(list.traces.find((t: { traceId: string }) => t.traceId === traceId)).toMatchObject({ services: ['batch-job'], spanCount: 1 })
  })

  it.each([
    ['a body that is not JSON', '{', { 'content-type': 'application/json' }, 400, 'the body is not valid JSON'],
    ['JSON that is not a span list', '{"spans":[]}', { 'content-type': 'application/json' }, 400, 'expected a JSON array of Zipkin v2 spans'],
    ['protobuf', 'x', { 'content-type': 'application/x-protobuf' }, 415, 'send Zipkin v2 JSON as application/json'],
    ['deflate', 'x', { 'content-type': 'application/json', 'content-encoding': 'deflate' }, 415, 'Content-Encoding "deflate" is not supported'],
    ['broken gzip', 'not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, 400, 'the body is not valid gzip'],
    ['invalid UTF-8', new Uint8Array([0x5b, 0xff, 0x5d]), { 'content-type': 'application/json' }, 400, 'not valid UTF-8'],
  ])('refuses %s with a clear message', async (_case, body, headers, status, message) => {
    const res = await post(body, headers)
    expect(res.status).toBe(status)
    expect(res.json().error).toContain(message)
  })

  it('refuses a body over 4 MiB, and a gzip bomb once inflated past it, with 413', async () => {
    const big = `[${' '.repeat(4 * 1024 * 1024)}]`
    expect((await post(big)).status).toBe(413)
    const bomb = await post(gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x20)), { 'content-type': 'application/json', 'content-encoding': 'gzip' })
    expect(bomb.status).toBe(413)
    expect(bomb.json().error).toContain('once decompressed')
  })

  it('answers any body with a 2xx or a 4xx, never a 500, and keeps serving (fuzz)', async () => {
    const { traceId } = await recordedTrace()
    const spanLike = fc.record(
      {
        traceId: fc.oneof(fc.constant(traceId), fc.string(), fc.integer()),
        id: fc.oneof(fc.stringMatching(/^[0-9a-f]{1,16}$/), fc.string(), fc.constant(null)),
        parentId: fc.oneof(fc.stringMatching(/^[0-9a-f]{16}$/), fc.anything()),
        name: fc.anything(),
        kind: fc.oneof(fc.constantFrom('CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER'), fc.anything()),
        timestamp: fc.oneof(fc.integer({ min: 0 }), fc.double(), fc.anything()),
        duration: fc.oneof(fc.integer({ min: 0 }), fc.anything()),
        shared: fc.oneof(fc.boolean(), fc.anything()),
        localEndpoint: fc.oneof(fc.record({ serviceName: fc.anything() }), fc.anything()),
        remoteEndpoint: fc.anything(),
        annotations: fc.oneof(fc.array(fc.record({ timestamp: fc.anything(), value: fc.anything() })), fc.anything()),
        tags: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.anything()),
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
        if (res.status === 400) expect(typeof res.json().error).toBe('string')
      }),
      { numRuns: 300 },
    )
    expect((await request(app, '/_debug_toolbar/healthz')).status).toBe(200)
  })
})
