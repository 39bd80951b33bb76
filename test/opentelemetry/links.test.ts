import { describe, expect, it } from 'vitest'
import { jaegerTraceUrl, tempoTraceUrl, zipkinTraceUrl } from '../../src/opentelemetry/links.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'

describe('jaegerTraceUrl', () => {
  it.each([
    ['http://localhost:16686', undefined, `http://localhost:16686/trace/${TRACE}`],
    ['http://localhost:16686/', undefined, `http://localhost:16686/trace/${TRACE}`],
    ['http://localhost:16686//', SPAN, `http://localhost:16686/trace/${TRACE}?uiFind=${SPAN}`],
    ['https://tracing.example.com/jaeger/', SPAN, `https://tracing.example.com/jaeger/trace/${TRACE}?uiFind=${SPAN}`],
    // A UI behind a proxy that wants a query of its own: the page goes in the path, before it.
    ['https://tracing.example.com/jaeger/?org=dev', SPAN, `https://tracing.example.com/jaeger/trace/${TRACE}?org=dev&uiFind=${SPAN}`],
    ['http://localhost:16686?org=dev', undefined, `http://localhost:16686/trace/${TRACE}?org=dev`],
  ])('links %s (span %s)', (base, span, expected) => {
    expect(jaegerTraceUrl(base, TRACE, span)).toBe(expected)
  })

  it.each([
    [TRACE.toUpperCase(), undefined, /invalid trace id/],
    [TRACE.slice(2), undefined, /invalid trace id/],
    ['0'.repeat(32), undefined, /invalid trace id/],
    [TRACE, SPAN.toUpperCase(), /invalid span id/],
    [TRACE, `${SPAN}0`, /invalid span id/],
    [TRACE, '', /invalid span id/],
  ])('rejects trace %s span %s', (trace, span, message) => {
    expect(() => jaegerTraceUrl('http://localhost:16686', trace, span)).toThrow(message)
  })
})

describe('zipkinTraceUrl', () => {
  it.each([
    ['http://localhost:9411', `http://localhost:9411/zipkin/traces/${TRACE}`],
    ['http://localhost:9411/', `http://localhost:9411/zipkin/traces/${TRACE}`],
    // base is the root of the Zipkin UI, as for Jaeger: its default /zipkin, or a zipkin.ui.basepath.
    ['http://localhost:9411/zipkin', `http://localhost:9411/zipkin/traces/${TRACE}`],
    ['http://localhost:9411/zipkin/', `http://localhost:9411/zipkin/traces/${TRACE}`],
    ['https://ops.example.com/tools/zipkin', `https://ops.example.com/tools/zipkin/traces/${TRACE}`],
    ['http://localhost:9411?org=dev', `http://localhost:9411/zipkin/traces/${TRACE}?org=dev`],
    ['https://ops.example.com/tools/zipkin/?org=dev', `https://ops.example.com/tools/zipkin/traces/${TRACE}?org=dev`],
  ])('links %s', (base, expected) => {
    expect(zipkinTraceUrl(base, TRACE)).toBe(expected)
  })

  it('rejects a bad trace id and an empty base', () => {
    expect(() => zipkinTraceUrl('http://localhost:9411', 'not-a-trace')).toThrow(/invalid trace id "not-a-trace"/)
    expect(() => zipkinTraceUrl('', TRACE)).toThrow(/invalid Zipkin UI URL/)
  })
})

describe('tempoTraceUrl', () => {
  it('opens Grafana Explore with a TraceQL query of the trace id', () => {
    const url = new URL(tempoTraceUrl('http://localhost:3000/', 'tempo-uid', TRACE))
    expect(url.origin + url.pathname).toBe('http://localhost:3000/explore')
    expect(url.searchParams.get('schemaVersion')).toBe('1')
    expect(url.searchParams.get('orgId')).toBe('1')
    expect(JSON.parse(url.searchParams.get('panes')!)).toEqual({
      a: {
        datasource: 'tempo-uid',
        queries: [{ refId: 'A', datasource: { type: 'tempo', uid: 'tempo-uid' }, queryType: 'traceql', query: TRACE }],
        range: { from: 'now-1h', to: 'now' },
      },
    })
  })

  it('encodes the panes JSON so that it survives in a query string', () => {
    const url = tempoTraceUrl('http://grafana.local', 'a&b=c', TRACE)
    expect(url.startsWith('http://grafana.local/explore?schemaVersion=1&orgId=1&panes=%7B%22a%22%3A')).toBe(true)
    expect(new URL(url).searchParams.has('b')).toBe(false)
    expect(JSON.parse(new URL(url).searchParams.get('panes')!).a.datasource).toBe('a&b=c')
  })

  it('rejects a bad trace id or an empty datasource uid', () => {
    expect(() => tempoTraceUrl('http://localhost:3000', 'tempo', TRACE.toUpperCase())).toThrow(/invalid trace id/)
    expect(() => tempoTraceUrl('http://localhost:3000', '', TRACE)).toThrow(/datasource uid/)
  })
})
