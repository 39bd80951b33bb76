import { describe, expect, it } from 'vitest'
import { ZipkinDecodeError } from '../../src/opentelemetry/zipkin-json.js'
import { zipkinV1SpansToToolbar, zipkinV1SpanToV2 } from '../../src/opentelemetry/zipkin-v1.js'

const T = 1_700_000_000_000_000
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const web = { serviceName: 'web', ipv4: '10.0.0.1', port: 8080 }
const api = { serviceName: 'api', ipv4: '10.0.0.2', port: 9000 }
const at = (timestamp: number, value: string, endpoint: object | undefined = web) => ({ timestamp, value, endpoint })

describe('Zipkin v1 JSON converted to v2 as Zipkin converts it', () => {
  it('reads a client span: kind from cs/cr, its own timestamp and duration, the sa address, string tags, other annotations, debug and parentId', () => {
    expect(
      zipkinV1SpanToV2({
        traceId: TRACE,
        parentId: '00f067aa0ba902b8',
        id: '00f067aa0ba902b7',
        name: 'get /users',
        timestamp: T,
        duration: 1500,
        debug: true,
        annotations: [at(T + 1500, 'cr'), at(T, 'cs'), at(T + 200, 'wire.send')],
        binaryAnnotations: [
          { key: 'http.path', value: '/users', endpoint: web },
          { key: 'sa', value: true, endpoint: api },
        ],
      }),
    ).toEqual([
      {
        traceId: TRACE,
        parentId: '00f067aa0ba902b8',
        id: '00f067aa0ba902b7',
        name: 'get /users',
        kind: 'CLIENT',
        timestamp: T,
        duration: 1500,
        localEndpoint: web,
        remoteEndpoint: api,
        annotations: [{ timestamp: T + 200, value: 'wire.send' }],
        tags: { 'http.path': '/users' },
        debug: true,
      },
    ])
  })

  it('splits a span that both sides logged under one id into the CLIENT span and a shared SERVER span timed by sr/ss', () => {
    const spans = zipkinV1SpanToV2({
      traceId: TRACE,
      id: '00f067aa0ba902b7',
      name: 'get /users',
      timestamp: T,
      duration: 3000,
      annotations: [at(T, 'cs'), at(T + 500, 'sr', api), at(T + 2500, 'ss', api), at(T + 3000, 'cr')],
      binaryAnnotations: [
        { key: 'http.path', value: '/users', endpoint: web },
        { key: 'db.rows', value: '3', endpoint: api },
        { key: 'ca', value: true, endpoint: { serviceName: 'web', ipv4: '10.0.0.1', port: 51000 } },
        { key: 'sa', value: true, endpoint: api },
      ],
    })
    expect(spans).toEqual([
      { traceId: TRACE, id: '00f067aa0ba902b7', name: 'get /users', kind: 'CLIENT', timestamp: T, duration: 3000, localEndpoint: web, remoteEndpoint: api, tags: { 'http.path': '/users' } },
      {
        traceId: TRACE,
        id: '00f067aa0ba902b7',
        name: 'get /users',
        kind: 'SERVER',
        timestamp: T + 500,
        duration: 2000,
        localEndpoint: api,
        remoteEndpoint: { serviceName: 'web', ipv4: '10.0.0.1', port: 51000 },
        tags: { 'db.rows': '3' },
        shared: true,
      },
    ])
  })

  it('splits a loopback span (the same service on both sides) too', () => {
    const spans = zipkinV1SpanToV2({ traceId: TRACE, id: 'a1', name: 'self', annotations: [at(T, 'cs'), at(T + 10, 'sr'), at(T + 90, 'ss'), at(T + 100, 'cr')] })
    expect(spans.map((s) => [s.kind, s.timestamp, s.duration, s.shared, s.localEndpoint?.serviceName])).toEqual([
      ['CLIENT', T, 100, undefined, 'web'],
      ['SERVER', T + 10, 80, true, 'web'],
    ])
  })

  it('derives a missing timestamp and duration from the core annotations, and marks a server side without its own timestamp shared', () => {
    expect(zipkinV1SpanToV2({ traceId: TRACE, id: 'a1', name: 'get', annotations: [at(T, 'cs'), at(T + 700, 'cr')] })).toEqual([
      { traceId: TRACE, id: 'a1', name: 'get', kind: 'CLIENT', timestamp: T, duration: 700, localEndpoint: web },
    ])
    // zipkin-js's server side of a joined span: no timestamp, sr and ss.
    expect(zipkinV1SpanToV2({ traceId: TRACE, id: 'a1', name: 'get', annotations: [at(T + 100, 'sr', api), at(T + 600, 'ss', api)] })).toEqual([
      { traceId: TRACE, id: 'a1', name: 'get', kind: 'SERVER', timestamp: T + 100, duration: 500, localEndpoint: api, shared: true },
    ])
    // Only the start seen: a CLIENT span without a duration, its end still to come.
    expect(zipkinV1SpanToV2({ traceId: TRACE, id: 'a1', annotations: [at(T, 'cs')] })).toEqual([{ traceId: TRACE, id: 'a1', kind: 'CLIENT', timestamp: T, localEndpoint: web }])
    // Core annotations without an endpoint are plain annotations.
    expect(zipkinV1SpanToV2({ traceId: TRACE, id: 'a1', timestamp: T, duration: 5, annotations: [{ timestamp: T, value: 'cs' }] })).toEqual([
      { traceId: TRACE, id: 'a1', timestamp: T, duration: 5, annotations: [{ timestamp: T, value: 'cs' }] },
    ])
  })

  it('gives a local span the endpoint of its lc binary annotation, without an empty lc tag', () => {
    expect(
      zipkinV1SpanToV2({ traceId: TRACE, id: 'a1', name: 'compute', timestamp: T, duration: 40, binaryAnnotations: [{ key: 'lc', value: '', endpoint: { serviceName: 'batch' } }] }),
    ).toEqual([{ traceId: TRACE, id: 'a1', name: 'compute', timestamp: T, duration: 40, localEndpoint: { serviceName: 'batch' } }])
    const named = zipkinV1SpanToV2({ traceId: TRACE, id: 'a1', timestamp: T, duration: 40, binaryAnnotations: [{ key: 'lc', value: 'hystrix', endpoint: { serviceName: 'batch' } }] })
    expect(named[0]).toMatchObject({ localEndpoint: { serviceName: 'batch' }, tags: { lc: 'hystrix' } })
  })

  it('reads ca and sa without core annotations: both, the remote side; ca alone, a SERVER span; sa alone, only the remote side', () => {
    const base = { traceId: TRACE, id: 'a1', timestamp: T, duration: 10 }
    const both = zipkinV1SpanToV2({ ...base, binaryAnnotations: [{ key: 'ca', value: true, endpoint: web }, { key: 'sa', value: true, endpoint: api }] })
    expect(both).toEqual([{ ...base, localEndpoint: web, remoteEndpoint: api }])
    const ca = zipkinV1SpanToV2({ ...base, binaryAnnotations: [{ key: 'ca', value: true, endpoint: web }] })
    expect(ca).toEqual([{ ...base, kind: 'SERVER', remoteEndpoint: web }])
    const sa = zipkinV1SpanToV2({ ...base, binaryAnnotations: [{ key: 'sa', value: true, endpoint: api }] })
    expect(sa).toEqual([{ ...base, remoteEndpoint: api }])
    // Finagle's "ca" names the server's own service: the name is dropped, the address kept.
    const finagle = zipkinV1SpanToV2({ traceId: TRACE, id: 'a1', annotations: [at(T, 'sr', api), at(T + 9, 'ss', api)], binaryAnnotations: [{ key: 'ca', value: true, endpoint: { serviceName: 'api', ipv4: '10.0.0.9', port: 4000 } }] })
    expect(finagle[0]!.remoteEndpoint).toEqual({ ipv4: '10.0.0.9', port: 4000 })
  })

  it('keeps boolean and number binary annotations as tags with their text; a null or an object value is skipped, as Zipkin skips it', () => {
    const [span] = zipkinV1SpanToV2({
      traceId: TRACE,
      id: 'a1',
      timestamp: T,
      duration: 10,
      binaryAnnotations: [
        { key: 'cache.hit', value: false, endpoint: web },
        { key: 'db.rows', value: 42, endpoint: web },
        { key: 'ratio', value: 0.25, endpoint: web },
        { key: 'nothing', value: null, endpoint: web },
        { key: 'blob', value: { a: 1 }, endpoint: web },
      ],
    })
    expect(span!.tags).toEqual({ 'cache.hit': 'false', 'db.rows': '42', ratio: '0.25' })
    expect(span!.localEndpoint).toEqual(web)
  })

  it('reads messaging spans: ms PRODUCER, mr CONSUMER, ma the broker', () => {
    const broker = { serviceName: 'kafka', ipv4: '10.0.0.5', port: 9092 }
    const producer = zipkinV1SpanToV2({ traceId: TRACE, id: 'a1', annotations: [at(T, 'ms'), at(T + 3, 'ws')], binaryAnnotations: [{ key: 'ma', value: true, endpoint: broker }] })
    expect(producer).toEqual([{ traceId: TRACE, id: 'a1', kind: 'PRODUCER', timestamp: T, duration: 3, localEndpoint: web, remoteEndpoint: broker }])
    const consumer = zipkinV1SpanToV2({ traceId: TRACE, id: 'a1', annotations: [at(T + 50, 'mr', api)], binaryAnnotations: [{ key: 'ma', value: true, endpoint: broker }] })
    expect(consumer).toEqual([{ traceId: TRACE, id: 'a1', kind: 'CONSUMER', timestamp: T + 50, localEndpoint: api, remoteEndpoint: broker }])
  })

  it('refuses a malformed span alone, with the reason and its position; a body that is not a list whole', () => {
    const good = { traceId: TRACE, id: '00000000000000a1', name: 'ok', annotations: [at(T, 'cs'), at(T + 5, 'cr')] }
    const { spans, rejected } = zipkinV1SpansToToolbar([
      good,
      { ...good, annotations: {} },
      { ...good, annotations: [{ timestamp: T }] },
      { ...good, annotations: [{ timestamp: 'soon', value: 'cs', endpoint: web }] },
      { ...good, binaryAnnotations: [{ value: 'x' }] },
      { ...good, annotations: [{ timestamp: T, value: 'cs', endpoint: 'web' }] },
      { traceId: TRACE, id: 'a2', timestamp: T, localEndpoint: web, tags: {} },
      { ...good, id: 'nope' },
      'span',
    ])
    expect(spans.map((s) => [s.name, s.kind, s.resource['service.name']])).toEqual([['ok', 'CLIENT', 'web']])
    expect(rejected).toEqual([
      'span 1: annotations is not an array',
      'span 2: annotation 0 has no string value',
      'span 3: annotation 0 timestamp "soon" is not a non-negative whole number of microseconds',
      'span 4: binary annotation 0 has no string key',
      'span 5: annotation 0 endpoint is not an object',
      'span 6: it is Zipkin v2 JSON (localEndpoint), and this endpoint reads v1: send it to /zipkin/api/v2/spans',
      'span 8: not an object',
      'span 7: id "nope" is not 1 to 16 hex characters, not all zero',
    ])
    expect(() => zipkinV1SpansToToolbar({ spans: [] })).toThrow(new ZipkinDecodeError('expected a JSON array of Zipkin v1 spans'))
  })
})
