import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { Hono } from 'hono'
import { context, propagation, trace } from '@opentelemetry/api'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel, OpenTelemetryConfigError, type ToolbarSpan } from '../../src/opentelemetry/index.js'
import { resolvePropagatorNames } from '../../src/opentelemetry/propagators.js'
import { BAGGAGE_MAX_BYTES, BAGGAGE_MAX_MEMBER_BYTES, BAGGAGE_MAX_MEMBERS } from '../../src/shapes/baggage-limits.js'
import { request } from '../support/local.js'

// A downstream service on loopback that remembers the headers of each call.
let downstream: Server
let downstreamUrl = ''
let received: IncomingHttpHeaders[] = []

beforeAll(async () => {
  downstream = createServer((req, res) => {
    received.push(req.headers)
    res.end('ok')
  })
  await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve))
  downstreamUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}/api`
})
afterAll(() => new Promise<void>((resolve) => downstream.close(() => resolve())))
afterEach(() => {
  received = []
  vi.unstubAllEnvs()
})

import { randomBytes } from 'node:crypto'
import { withSpans, type StatsWithSpans } from '../support/trace-spans.js'

// The panels of one process share one trace store: every test continues a trace of its own.
let TRACE = ''
let SHORT = ''
const SPAN = '00f067aa0ba902b7'
const PARENT = 'b7ad6b7169203331'
beforeEach(() => {
  TRACE = randomBytes(16).toString('hex')
  SHORT = randomBytes(8).toString('hex')
})

/** The app: `/call` fetches the downstream service; answers the panel's stats and what downstream saw. */
function appWith(options: ConstructorParameters<typeof OpenTelemetryPanel>[0] = {}) {
  const panel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop', ...options })
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [panel] }))
  app.get('/call', async (c) => {
    trace.getTracer('app').startSpan('app work').end()
    const tenant = propagation.getBaggage(context.active())?.getEntry('tenant')?.value ?? ''
    await (await fetch(downstreamUrl)).text()
    return c.text(`tenant ${tenant}`)
  })
  const call = async (headers: Record<string, string>) => {
    const res = await request(app, '/call', { headers })
    const id = res.headers.get('x-debug-toolbar-request-id')
    const stats: StatsWithSpans = await withSpans(app, (await request(app, `/_debug_toolbar/api/requests/${id}`)).json().panels.opentelemetry)
    const server = stats.spans.find((s) => s.kind === 'SERVER')!
    const client = stats.spans.find((s) => s.kind === 'CLIENT')!
    return { text: res.text, stats, server, client, sent: received.at(-1)! }
  }
  return { panel, call }
}

const ids = (span: ToolbarSpan) => ({ traceId: span.traceId, parentSpanId: span.parentSpanId })

describe('propagator names', () => {
  it('defaults to tracecontext,baggage; the option wins over OTEL_PROPAGATORS; none alone is none', () => {
    expect(resolvePropagatorNames(undefined, undefined)).toEqual(['tracecontext', 'baggage'])
    expect(resolvePropagatorNames(undefined, ' B3 , tracecontext,b3 ')).toEqual(['b3', 'tracecontext'])
    expect(resolvePropagatorNames(['jaeger'], 'b3')).toEqual(['jaeger'])
    expect(resolvePropagatorNames(undefined, 'none')).toEqual([])
    expect(resolvePropagatorNames(undefined, 'none,b3multi')).toEqual(['b3multi'])
  })

  it('stops at startup on an unknown name, naming the variable or option and the value', () => {
    vi.stubEnv('OTEL_PROPAGATORS', 'tracecontext,xray')
    expect(() => new OpenTelemetryPanel({ exporter: 'none' })).toThrow(OpenTelemetryConfigError)
    expect(() => new OpenTelemetryPanel({ exporter: 'none' })).toThrow(
      'OTEL_PROPAGATORS: unknown propagator "xray" (expected tracecontext, baggage, b3, b3multi, jaeger, none)',
    )
    expect(() => new OpenTelemetryPanel({ exporter: 'none', propagators: ['B3'] })).toThrow('propagators: unknown propagator "B3"')
    expect(() => new OpenTelemetryPanel({ exporter: 'none', propagators: 'b3' as never })).toThrow('propagators: expected an array')
  })
})

describe('each propagator round-trips through the toolbar (incoming -> outgoing fetch)', () => {
  it('tracecontext (the default): traceparent and tracestate in, the CLIENT span out', async () => {
    const { call } = appWith()
    const { server, client, sent, stats } = await call({ traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: 'congo=t61rcWkgMzE' })
    expect(ids(server)).toEqual({ traceId: TRACE, parentSpanId: SPAN })
    expect(sent.traceparent).toBe(`00-${TRACE}-${client.spanId}-01`)
    expect(sent.tracestate).toBe('congo=t61rcWkgMzE')
    expect(sent.b3).toBeUndefined()
    expect(stats.propagators).toEqual(['tracecontext', 'baggage'])
  })

  it('baggage with properties and percent-encoded values is kept, forwarded, and shown redacted', async () => {
    const { call } = appWith()
    const { text, sent, stats, server } = await call({
      traceparent: `00-${TRACE}-${SPAN}-01`,
      baggage: 'tenant=acme;ttl=30;shared, note=hello%20world%2C%20%C3%A9t%C3%A9 ,api_key=s3cret',
    })
    expect(text).toBe('tenant acme')
    // Forwarded as the next service needs it: properties kept, values percent-encoded.
    const members = sent.baggage!.split(',')
    expect(members).toEqual(['tenant=acme;ttl=30;shared', 'note=hello%20world%2C%20%C3%A9t%C3%A9', 'api_key=s3cret'])
    expect(stats.baggage).toEqual({
      members: [
        { key: 'tenant', value: 'acme', properties: 'ttl=30;shared' },
        { key: 'note', value: 'hello world, été' },
        { key: 'api_key', value: '********' },
      ],
      dropped: 0,
    })
    // Baggage is not copied into attributes unless asked.
    expect(Object.keys(server.attributes).filter((k) => k === 'tenant' || k.startsWith('baggage'))).toEqual([])
  })

  it.each([
    ['with parent id and sampled', () => `${TRACE}-${SPAN}-1-${PARENT}`, () => TRACE, '1'],
    ['without parent id', () => `${TRACE}-${SPAN}-1`, () => TRACE, '1'],
    ['debug flag (sent on as debug)', () => `${TRACE}-${SPAN}-d`, () => TRACE, 'd'],
    ['not sampled', () => `${TRACE}-${SPAN}-0`, () => TRACE, '0'],
    ['64-bit trace id, zero-padded', () => `${SHORT}-${SPAN}-1`, () => `0000000000000000${SHORT}`, '1'],
  ])('b3 single header %s', async (_case, header, expectedTrace, sampled) => {
    const { call } = appWith({ propagators: ['b3'] })
    const traceId = expectedTrace()
    const { server, client, sent, stats } = await call({ b3: header() })
    if (sampled !== '0') {
      expect(ids(server)).toEqual({ traceId, parentSpanId: SPAN })
      expect(sent.b3).toBe(`${traceId}-${client.spanId}-${sampled}`)
    } else {
      // Not sampled: no span is recorded, the decision and the trace id still travel downstream.
      expect(stats.spans).toEqual([])
      expect(sent.b3).toMatch(new RegExp(`^${traceId}-[0-9a-f]{16}-0$`))
    }
    expect(sent.traceparent).toBeUndefined()
  })

  it('b3multi: X-B3-* in, X-B3-* out', async () => {
    const { call } = appWith({ propagators: ['b3multi'] })
    const { server, client, sent } = await call({
      'X-B3-TraceId': TRACE,
      'X-B3-SpanId': SPAN,
      'X-B3-ParentSpanId': PARENT,
      'X-B3-Sampled': '1',
    })
    expect(ids(server)).toEqual({ traceId: TRACE, parentSpanId: SPAN })
    expect(sent).toMatchObject({ 'x-b3-traceid': TRACE, 'x-b3-spanid': client.spanId, 'x-b3-sampled': '1' })
    expect(sent.b3).toBeUndefined()
  })

  it('jaeger: uber-trace-id and uberctx-* baggage in and out', async () => {
    const { call } = appWith({ propagators: ['jaeger'] })
    const { server, client, sent, stats } = await call({ 'uber-trace-id': `${TRACE}:${SPAN}:0:1`, 'uberctx-tenant': 'acme%20corp' })
    expect(ids(server)).toEqual({ traceId: TRACE, parentSpanId: SPAN })
    expect(sent['uber-trace-id']).toBe(`${TRACE}:${client.spanId}:0:01`)
    expect(sent['uberctx-tenant']).toBe('acme%20corp')
    expect(stats.baggage.members).toEqual([{ key: 'tenant', value: 'acme corp' }])
  })

  it('none: nothing is read and nothing is sent', async () => {
    const { call } = appWith({ propagators: ['none'] })
    const { server, sent } = await call({ traceparent: `00-${TRACE}-${SPAN}-01`, baggage: 'tenant=acme' })
    expect(server.traceId).not.toBe(TRACE)
    expect(server.parentSpanId).toBeUndefined()
    expect(sent.traceparent).toBeUndefined()
    expect(sent.baggage).toBeUndefined()
  })

  it('all formats at once: every one is written for the outgoing fetch', async () => {
    vi.stubEnv('OTEL_PROPAGATORS', 'tracecontext,baggage,b3,b3multi,jaeger')
    const { call } = appWith()
    const { client, sent } = await call({ traceparent: `00-${TRACE}-${SPAN}-01`, baggage: 'tenant=acme' })
    expect(sent.traceparent).toBe(`00-${TRACE}-${client.spanId}-01`)
    expect(sent.b3).toBe(`${TRACE}-${client.spanId}-1`)
    expect(sent['x-b3-traceid']).toBe(TRACE)
    expect(sent['uber-trace-id']).toBe(`${TRACE}:${client.spanId}:0:01`)
    expect(sent.baggage).toBe('tenant=acme')
    expect(sent['uberctx-tenant']).toBe('acme')
  })
})

describe('extraction order', () => {
  const other = () => randomBytes(16).toString('hex')

  it('the first propagator in the list with a valid trace context wins', async () => {
    const OTHER = other()
    const headers = { traceparent: `00-${TRACE}-${SPAN}-01`, b3: `${OTHER}-${PARENT}-1` }
    expect((await appWith({ propagators: ['tracecontext', 'b3'] }).call(headers)).server.traceId).toBe(TRACE)
    expect((await appWith({ propagators: ['b3', 'tracecontext'] }).call(headers)).server.traceId).toBe(OTHER)
  })

  it('a later format is used when the first has nothing valid', async () => {
    const OTHER = other()
    const { server } = await appWith({ propagators: ['tracecontext', 'b3'] }).call({ traceparent: 'garbage', b3: `${OTHER}-${PARENT}-1` })
    expect(ids(server)).toEqual({ traceId: OTHER, parentSpanId: PARENT })
  })
})

describe('baggage limits and attributes', () => {
  // The limits the panel and the MCP server quote (src/shapes/baggage-limits.ts) are the ones core's propagator applies.
  it('keeps at most 180 list-members (BAGGAGE_MAX_MEMBERS) and counts the rest as dropped', async () => {
    expect(BAGGAGE_MAX_MEMBERS).toBe(180)
    const members = Array.from({ length: BAGGAGE_MAX_MEMBERS + 20 }, (_, i) => `k${i}=v${i}`).join(',')
    const { stats, sent } = await appWith().call({ baggage: members })
    expect(stats.baggage.members).toHaveLength(BAGGAGE_MAX_MEMBERS)
    expect(stats.baggage.dropped).toBe(20)
    expect(sent.baggage!.split(',')).toHaveLength(BAGGAGE_MAX_MEMBERS)
  })

  it('keeps a list-member of BAGGAGE_MAX_MEMBER_BYTES and drops a longer one, within BAGGAGE_MAX_BYTES in all', async () => {
    // The header's commas between the members kept count towards the total.
    const member = (key: string, bytes: number) => `${key}=${'x'.repeat(bytes - key.length - 1)}`
    const { stats } = await appWith().call({ baggage: [member('fits', BAGGAGE_MAX_MEMBER_BYTES), member('long', BAGGAGE_MAX_MEMBER_BYTES + 1), member('rest', BAGGAGE_MAX_BYTES - BAGGAGE_MAX_MEMBER_BYTES - 1), 'over=1'].join(',') })
    expect(stats.baggage.members.map((m) => m.key)).toEqual(['fits', 'rest'])
    expect(stats.baggage.dropped).toBe(2)
  })

  it('keeps at most 8192 bytes and counts malformed members as dropped', async () => {
    const big = Array.from({ length: 5 }, (_, i) => `big${i}=${'x'.repeat(2000)}`).join(',')
    const { stats } = await appWith().call({ baggage: `${big},=novalue,ok=1` })
    expect(stats.baggage.members.map((m) => m.key)).toEqual(['big0', 'big1', 'big2', 'big3'])
    expect(stats.baggage.dropped).toBe(3)
  })

  it('baggageToAttributes copies only the named keys into the spans of the request', async () => {
    const { server, client, stats } = await appWith({ baggageToAttributes: ['tenant', 'session_token'] }).call({
      baggage: 'tenant=acme,user=ann,session_token=abc',
    })
    expect(server.attributes).toMatchObject({ tenant: 'acme', session_token: '********' })
    expect(server.attributes.user).toBeUndefined()
    expect(client.attributes.tenant).toBe('acme')
    expect(stats.spans.every((s) => s.attributes.user === undefined)).toBe(true)
  })

  it('rejects a baggageToAttributes that is not a list of keys', () => {
    expect(() => new OpenTelemetryPanel({ exporter: 'none', baggageToAttributes: 'tenant' as never })).toThrow(
      'baggageToAttributes: expected an array of non-empty strings, got "tenant"',
    )
  })
})

describe('the Context section lists what each fetch() sent in every format', () => {
  it('shows B3 and baggage sent beside traceparent, baggage secrets redacted', async () => {
    const { call } = appWith({ propagators: ['tracecontext', 'baggage', 'b3', 'jaeger'] })
    const { stats, client, sent } = await call({ traceparent: `00-${TRACE}-${SPAN}-01`, baggage: 'tenant=acme;ttl=3,api_key=s3cret' })
    // The real values went out; the panel shows them redacted.
    expect(sent.baggage).toBe('tenant=acme;ttl=3,api_key=s3cret')
    expect(sent['uberctx-api_key']).toBe('s3cret')
    expect(stats.context!.outgoing).toEqual([
      {
        method: 'GET',
        url: expect.stringContaining('/api'),
        traceparent: `00-${TRACE}-${client.spanId}-01`,
        others: {
          b3: `${TRACE}-${client.spanId}-1`,
          baggage: 'tenant=acme;ttl=3,api_key=********',
          'uber-trace-id': `${TRACE}:${client.spanId}:0:01`,
          'uberctx-tenant': 'acme',
          'uberctx-api_key': '********',
        },
      },
    ])
  })

  it('lists a call that carried only B3', async () => {
    const { stats, client } = await appWith({ propagators: ['b3multi'] }).call({ 'X-B3-TraceId': TRACE, 'X-B3-SpanId': SPAN, 'X-B3-Sampled': '1' })
    expect(stats.context!.outgoing).toEqual([
      { method: 'GET', url: expect.any(String), others: { 'x-b3-traceid': TRACE, 'x-b3-spanid': client.spanId, 'x-b3-sampled': '1' } },
    ])
    expect(stats.context!.origin).toBe('continued')
  })
})
