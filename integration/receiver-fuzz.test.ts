import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { Hono } from 'hono'
import { serve, type ServerType } from '@hono/node-server'
import { debugToolbar } from '../src/index.js'
import { OpenTelemetryPanel } from '../src/opentelemetry/index.js'
import { encodeExportTraceServiceRequest } from '../src/opentelemetry/otlp-proto.js'
import { decodeRpcStatus } from '../src/opentelemetry/rpc-status.js'

const MAX_BODY = 4 * 1024 * 1024
const MAX_TRACES = 40

/** A valid OTLP/JSON export request (what the mutations start from). */
function validRequest(seed: number, name = 'span') {
  const traceId = (seed + 1).toString(16).padStart(32, 'a')
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fuzzed' } }] },
      scopeSpans: [{
        scope: { name: 'fuzz' },
        spans: [1, 2, 3].map((n) => ({
          traceId,
          spanId: n.toString(16).padStart(16, '0'),
          parentSpanId: n === 1 ? '' : '0000000000000001',
          // The name under test goes into one span: three 1 MiB names would pass the body limit.
          name: n === 1 ? name : 'span',
          kind: n,
          startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(n)),
          endTimeUnixNano: String(1_700_000_000_000_000_100n + BigInt(n)),
          attributes: [{ key: 'a', value: { arrayValue: { values: [{ intValue: 1 }, { doubleValue: 'NaN' }, { kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } }] } } }],
          events: [{ timeUnixNano: '1700000000000000050', name: 'e' }],
          links: [{ traceId, spanId: '0000000000000001' }],
          status: { code: 2, message: 'x' },
        })),
      }],
    }],
  }
}

const PROTO = { 'content-type': 'application/x-protobuf' }
const JSON_HEADERS = { 'content-type': 'application/json' }

interface Body {
  kind: string
  body: Uint8Array | string
  headers: Record<string, string>
}

const seed = fc.nat(10_000)
const mutateBytes = (bytes: Uint8Array) =>
  fc.oneof(
    fc.nat(bytes.length).map((at) => bytes.slice(0, at)),
    fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((edits) => {
      const copy = bytes.slice()
      for (const [at, value] of edits) copy[at] = value
      return copy
    }),
    // Another wire type in one field tag (the low three bits of a tag byte).
    fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 7 })).map(([at, wireType]) => {
      const copy = bytes.slice()
      copy[at] = (copy[at]! & ~7) | wireType
      return copy
    }),
    fc.tuple(fc.nat(bytes.length), fc.uint8Array({ minLength: 1, maxLength: 64 })).map(([at, extra]) => new Uint8Array([...bytes.slice(0, at), ...extra, ...bytes.slice(at)])),
  )

function varint(n: number): number[] {
  const out: number[] = []
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  out.push(n)
  return out
}

/** An export request whose one attribute nests `depth` arrays deep, written field by field (encoders recurse). */
function deepProtobuf(depth: number): Uint8Array {
  const leaf = [0x0a, 0x01, 0x78] // AnyValue { stringValue: 'x' }
  const headers: number[][] = []
  let size = leaf.length
  for (let i = 0; i < depth; i++) {
    // AnyValue { arrayValue (5) = ArrayValue { values (1) = <inner> } }
    const inner = [0x0a, ...varint(size)]
    const outer = [0x2a, ...varint(inner.length + size)]
    headers.push([...outer, ...inner])
    size += outer.length + inner.length
  }
  const value = new Uint8Array(size)
  let at = 0
  for (let i = headers.length - 1; i >= 0; i--) for (const byte of headers[i]!) value[at++] = byte
  value.set(leaf, at)
  const wrap = (tag: number, body: Uint8Array) => new Uint8Array([tag, ...varint(body.length), ...body])
  const keyValue = new Uint8Array([0x0a, 0x01, 0x6b, ...wrap(0x12, value)])
  const span = new Uint8Array([0x0a, 0x10, ...new Array(16).fill(7), 0x12, 0x08, ...new Array(8).fill(9), ...wrap(0x4a, keyValue)])
  return wrap(0x0a, wrap(0x12, wrap(0x12, span)))
}

const protobufBodies: fc.Arbitrary<Body> = fc.oneof(
  fc.integer({ min: 20, max: 30_000 }).map((depth) => ({ kind: 'deeply nested protobuf', body: deepProtobuf(depth), headers: PROTO })),
  fc.uint8Array({ maxLength: 2048 }).map((body) => ({ kind: 'random protobuf', body, headers: PROTO })),
  seed.chain((n) => mutateBytes(encodeExportTraceServiceRequest(validRequest(n)))).map((body) => ({ kind: 'mutated protobuf', body, headers: PROTO })),
)

const jsonBodies: fc.Arbitrary<Body> = fc.oneof(
  fc.string({ maxLength: 512 }).map((body) => ({ kind: 'random text as JSON', body, headers: JSON_HEADERS })),
  fc.json({ maxDepth: 6 }).map((body) => ({ kind: 'random JSON', body, headers: JSON_HEADERS })),
  seed.chain((n) => {
    const text = JSON.stringify(validRequest(n))
    return fc.oneof(
      fc.nat(text.length).map((at) => text.slice(0, at)),
      fc.tuple(fc.nat(text.length), fc.string({ minLength: 1, maxLength: 8 })).map(([at, s]) => text.slice(0, at) + s + text.slice(at)),
    )
  }).map((body) => ({ kind: 'mutated JSON', body, headers: JSON_HEADERS })),
  // Wrong ids, times and enums in an otherwise valid request.
  fc.tuple(seed, fc.constantFrom('traceId', 'spanId', 'parentSpanId', 'startTimeUnixNano', 'kind', 'attributes', 'status', 'events', 'links'), fc.anything({ maxDepth: 3 })).map(([n, field, value]) => {
    const request = validRequest(n) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> }
    request.resourceSpans[0]!.scopeSpans[0]!.spans[1]![field] = value
    return { kind: `wrong ${field}`, body: JSON.stringify(request) ?? '', headers: JSON_HEADERS }
  }),
  fc.integer({ min: 40, max: 5000 }).map((depth) => {
    let value = '{"stringValue":"leaf"}'
    for (let i = 0; i < depth; i++) value = `{"arrayValue":{"values":[${value}]}}`
    const request = JSON.stringify(validRequest(depth)).replace('{"stringValue":"fuzzed"}', value)
    return { kind: 'deeply nested value', body: request, headers: JSON_HEADERS }
  }),
  fc.integer({ min: 1000, max: 50_000 }).map((depth) => ({ kind: 'deeply nested JSON', body: '['.repeat(depth) + ']'.repeat(depth), headers: JSON_HEADERS })),
)

const gzipBodies: fc.Arbitrary<Body> = fc.oneof(
  seed.chain((n) => mutateBytes(gzipSync(JSON.stringify(validRequest(n))))).map((body) => ({ kind: 'corrupt gzip', body, headers: { ...JSON_HEADERS, 'content-encoding': 'gzip' } })),
  fc.uint8Array({ maxLength: 512 }).map((body) => ({ kind: 'random gzip', body, headers: { ...PROTO, 'content-encoding': 'gzip' } })),
)

const wrongTypes: fc.Arbitrary<Body> = fc
  .tuple(fc.oneof(fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data', 'application/protobuf', 'application/jsonx', ''), fc.string({ maxLength: 40 })), fc.string({ maxLength: 64 }))
  .map(([type, body]) => ({ kind: 'wrong content type', body, headers: type === '' ? {} : { 'content-type': type.replace(/[^\x20-\x7e]/g, '') } }))

describe('the OTLP/HTTP receiver under fuzzing', () => {
  const panel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'frontend', maxTraces: MAX_TRACES })
  let server: ServerType
  let url: string
  let statuses: Record<string, number[]> = {}

  beforeAll(async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [panel] }))
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
    await once(server, 'listening')
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/_debug_toolbar`
  })

  afterAll(async () => {
    console.info('fuzz answers by kind:', JSON.stringify(Object.fromEntries(Object.entries(statuses).map(([k, v]) => [k, summarize(v)]))))
    await panel.shutdown()
    server.close()
  })

  /** Sends one body; every answer must be 2xx (a valid body) or a 4xx with a message, never 5xx or a dropped connection. */
  async function send({ kind, body, headers }: Body): Promise<number> {
    const res = await fetch(`${url}/otlp/v1/traces`, { method: 'POST', body, headers })
    const bytes = new Uint8Array(await res.arrayBuffer())
    ;(statuses[kind] ??= []).push(res.status)
    expect(res.status, `${kind} answered ${res.status}`).toBeLessThan(500)
    if (res.status >= 400) {
      const message = res.headers.get('content-type') === 'application/x-protobuf' ? decodeRpcStatus(bytes).message : JSON.parse(new TextDecoder().decode(bytes)).message
      expect(typeof message === 'string' && message.length > 0, `${kind}: a ${res.status} without a message`).toBe(true)
    }
    return res.status
  }

  it('answers thousands of random and mutated bodies with 2xx or a 4xx with a message, and keeps serving', async () => {
    statuses = {}
    const heapBefore = process.memoryUsage().heapUsed
    await fc.assert(fc.asyncProperty(fc.oneof(protobufBodies, jsonBodies, gzipBodies, wrongTypes), async (body) => void (await send(body))), { numRuns: 2000 })
    // Malformed input is refused as a whole (400), whatever else it is.
    for (const kind of ['random text as JSON', 'wrong content type']) expect(statuses[kind]?.every((s) => s === 200 || s === 400 || s === 415)).toBe(true)
    expect(statuses['deeply nested JSON']?.every((s) => s === 400)).toBe(true)
    // Memory stays bounded: the trace store holds at most maxTraces, and the heap did not run away.
    expect(panel.processor.traces.size).toBeLessThanOrEqual(MAX_TRACES)
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(256 * 1024 * 1024)
    expect(await send({ kind: 'valid after fuzzing', body: JSON.stringify(validRequest(1)), headers: JSON_HEADERS })).toBe(200)
    expect((await fetch(`${url}/healthz`)).status).toBe(200)
  }, 90_000)

  it('keeps exactly what a valid export carries, in OTLP/JSON, protobuf and gzip protobuf alike', async () => {
    const id = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).filter((b) => b.some((x) => x !== 0)).map((b) => Buffer.from(b).toString('hex'))
    const scalar = fc.oneof(
      fc.string({ unit: 'grapheme' }).map((value) => ({ stringValue: value })),
      fc.boolean().map((value) => ({ boolValue: value })),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => ({ intValue: String(value) })),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !Object.is(value, -0)).map((value) => ({ doubleValue: value })),
    )
    const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }).map((values) => ({ arrayValue: { values } })))
    const span = fc.record({
      spanId: id(8),
      name: fc.string({ unit: 'grapheme', maxLength: 20 }),
      kind: fc.integer({ min: 0, max: 5 }),
      start: fc.bigInt({ min: 1n, max: 2n ** 62n }),
      duration: fc.bigInt({ min: 0n, max: 2n ** 40n }),
      // Keys include names of Object.prototype, which a plain assignment would not keep.
      attributes: fc.uniqueArray(fc.record({ key: fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'toString')), value }), { maxLength: 4, selector: (kv) => kv.key }),
    })
    // What the API answers for an AnyValue: integers beyond 2^53 stay exact as text.
    const plain = (v: Record<string, unknown>): unknown =>
      v.arrayValue ? (v.arrayValue as { values: Array<Record<string, unknown>> }).values.map(plain)
        : v.intValue !== undefined ? (Number.isSafeInteger(Number(v.intValue)) ? Number(v.intValue) : v.intValue)
          : (v.stringValue ?? v.boolValue ?? v.doubleValue)
    // A trace of its own for every run (shrinking replays values): the answer is that run's spans alone.
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(span, { minLength: 1, maxLength: 4, selector: (s) => s.spanId }), fc.constantFrom('json', 'protobuf', 'gzip'), async (spans, encoding) => {
        const traceId = `e0${(++run).toString(16).padStart(30, '0')}`
        const request = {
          resourceSpans: [{
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'round-trip' } }] },
            scopeSpans: [{
              scope: { name: 'fuzz' },
              spans: spans.map((s) => ({ traceId, spanId: s.spanId, name: s.name, kind: s.kind, startTimeUnixNano: String(s.start), endTimeUnixNano: String(s.start + s.duration), attributes: s.attributes })),
            }],
          }],
        }
        const body = encoding === 'json' ? JSON.stringify(request) : encoding === 'protobuf' ? encodeExportTraceServiceRequest(request) : gzipSync(encodeExportTraceServiceRequest(request))
        const headers = encoding === 'json' ? JSON_HEADERS : encoding === 'protobuf' ? PROTO : { ...PROTO, 'content-encoding': 'gzip' }
        expect(await send({ kind: `valid ${encoding}`, body, headers })).toBe(200)
        const kept: Array<{ spanId: string; name: string; startTimeUnixNano: string; endTimeUnixNano: string; attributes: Record<string, unknown> }> = (await (await fetch(`${url}/api/traces/${traceId}`)).json()).spans
        const bySpanId = (a: unknown[], b: unknown[]) => ((a[0] as string) < (b[0] as string) ? -1 : 1)
        expect(kept.map((s) => [s.spanId, s.name, s.startTimeUnixNano, s.endTimeUnixNano, s.attributes]).sort(bySpanId)).toEqual(
          spans.map((s) => [s.spanId, s.name, String(s.start), String(s.start + s.duration), Object.fromEntries(s.attributes.map((kv) => [kv.key, plain(kv.value)]))]).sort(bySpanId),
        )
      }),
      { numRuns: 150 },
    )
  })

  it('refuses a span with an attribute value of the wrong type alone, and keeps the span beside it', async () => {
    // Values JSON can carry (an infinity would be written as null, a field not set).
    const notNull = fc.jsonValue().filter((v) => v !== null)
    const wrong = fc.oneof(
      notNull.filter((v) => typeof v !== 'string').map((v) => ({ stringValue: v })),
      notNull.filter((v) => typeof v !== 'boolean').map((v) => ({ boolValue: v })),
      notNull.filter((v) => typeof v !== 'number' && !(typeof v === 'string' && /^(?:-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|NaN|-?Infinity)$/.test(v))).map((v) => ({ doubleValue: v })),
      notNull.filter((v) => typeof v !== 'object' || Array.isArray(v)).map((v) => ({ arrayValue: v })),
      notNull.filter((v) => typeof v !== 'object' || Array.isArray(v)).map((v) => ({ kvlistValue: v })),
    )
    let run = 0
    await fc.assert(
      fc.asyncProperty(wrong, async (value) => {
        const traceId = `e1${(++run).toString(16).padStart(30, '0')}`
        const span = (spanId: string, attributes: unknown[]) => ({ traceId, spanId, name: 'fuzz', startTimeUnixNano: '1700000000000000000', attributes })
        const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span('00000000000000a1', [{ key: 'bad', value }]), span('00000000000000a2', [])] }] }] })
        const res = await fetch(`${url}/otlp/v1/traces`, { method: 'POST', headers: JSON_HEADERS, body })
        expect(res.status).toBe(200)
        expect((await res.json()).partialSuccess).toMatchObject({ rejectedSpans: '1', errorMessage: expect.stringContaining('["bad"]') })
        const kept: Array<{ spanId: string }> = (await (await fetch(`${url}/api/traces/${traceId}`)).json()).spans
        expect(kept.map((s) => s.spanId)).toEqual(['00000000000000a2'])
      }),
      { numRuns: 200 },
    )
  })

  it('refuses gzip bombs and oversized bodies with 413, and takes 1 MiB strings within the limit', async () => {
    const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024))
    expect(bomb.length).toBeLessThan(1024 * 1024)
    const heapBefore = process.memoryUsage().heapUsed
    for (let i = 0; i < 20; i++) {
      expect(await send({ kind: 'gzip bomb', body: bomb, headers: { ...PROTO, 'content-encoding': 'gzip' } })).toBe(413)
    }
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(128 * 1024 * 1024)
    expect(await send({ kind: 'oversized body', body: new Uint8Array(MAX_BODY + 1), headers: PROTO })).toBe(413)
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('x', 'é', '\u{1F600}'), fc.nat(1000), async (char, n) => {
        const name = char.repeat(Math.ceil((1024 * 1024) / char.length))
        expect(await send({ kind: '1 MiB string', body: JSON.stringify(validRequest(n, name)), headers: JSON_HEADERS })).toBe(200)
      }),
      { numRuns: 12 },
    )
    expect((await fetch(`${url}/healthz`)).status).toBe(200)
  })
})

function summarize(values: number[]): Record<number, number> {
  const counts: Record<number, number> = {}
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1
  return counts
}
