/** @jsxImportSource preact */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { renderToString } from 'preact-render-to-string'
import { context, trace } from '@opentelemetry/api'
import { AlwaysOffSampler, AlwaysOnSampler, BasicTracerProvider, ParentBasedSampler } from '@opentelemetry/sdk-trace-base'
import { debugToolbar } from '../../src/index.js'
import { checkTraceparent, checkTracestate, OpenTelemetryPanel, parseTraceparent, toolbarSpanProcessor, type OpenTelemetryStats } from '../../src/opentelemetry/index.js'
import { TraceContext } from '../../templates/client/panels/trace-context.js'
import type { TraceContextStats } from '../../src/opentelemetry/trace-context-stats.js'
import { BAGGAGE_MAX_BYTES, BAGGAGE_MAX_MEMBER_BYTES, BAGGAGE_MAX_MEMBERS } from '../../src/shapes/baggage-limits.js'
import { MAX_OUTGOING_CALLS } from '../../src/shapes/trace-context-limits.js'
import { withSpans, type StatsWithSpans } from '../support/trace-spans.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const PARENT = '00f067aa0ba902b7'
const loopback = { incoming: { socket: { remoteAddress: '127.0.0.1' } } }

/** A request's trace context in the shape an older version stored: a received header had only a value, an absent one none. */
function storedContext(): TraceContextStats {
  return {
    traceparent: { value: `00-${TRACE}-${PARENT}-01`, valid: true },
    tracestate: { valid: false, entries: 0 },
    origin: 'continued',
    parentSpanId: PARENT,
    sampled: true,
    recording: true,
    sampler: 'AlwaysOnSampler',
    outgoing: [],
    outgoingDropped: 0,
  } as unknown as TraceContextStats
}

describe('checkTraceparent names the rule an ignored traceparent breaks', () => {
  // W3C Trace Context Level 2, 3.2.2: version ff is invalid; all-zero trace-id and parent-id
  // are invalid; the fields are lowercase hex (HEXDIGLC); version 00 has exactly 55 characters.
  it.each([
    [undefined, 'no traceparent header'],
    [`ff-${TRACE}-${PARENT}-01`, 'version ff is forbidden'],
    [`00-${'0'.repeat(32)}-${PARENT}-01`, 'trace-id is all zeros (an invalid value)'],
    [`00-${TRACE}-${'0'.repeat(16)}-01`, 'parent-id is all zeros (an invalid value)'],
    [`00-${TRACE.toUpperCase()}-${PARENT}-01`, `trace-id "${TRACE.toUpperCase()}" is not 32 lowercase hex digits (uppercase hex is not allowed)`],
    [`00-${TRACE}-${PARENT}-0A`, 'trace-flags "0A" is not two lowercase hex digits (uppercase hex is not allowed)'],
    [`0G-${TRACE}-${PARENT}-01`, 'version "0G" is not two lowercase hex digits'],
    [`00-${TRACE}-${PARENT}-01-extra`, 'a version 00 traceparent has 55 characters, this one has 61'],
    [`00-${TRACE}0-${PARENT.slice(1)}-01`, "the fields are not separated by '-' at the places of version 00 (wrong field lengths)"],
    [`00_${TRACE}-${PARENT}-01`, "no '-' after the version"],
    [`01-${TRACE}-${PARENT}-01x`, "a version 01 traceparent starts with the 55 characters of version 00, followed by '-' when longer"],
    [`00-${TRACE}-${PARENT}-01, 00-${TRACE}-${PARENT}-00`, 'several traceparent values (a request carries exactly one)'],
    [`00-${TRACE}-${PARENT.slice(0, 15)}z-01`, `parent-id "${PARENT.slice(0, 15)}z" is not 16 lowercase hex digits`],
  ])('%s', (value, reason) => {
    expect(checkTraceparent(value)).toEqual({ valid: false, reason })
    expect(parseTraceparent(value)).toBeUndefined()
  })

  it('answers what parseTraceparent answers for a valid header', () => {
    const value = `  00-${TRACE}-${PARENT}-03\t`
    expect(checkTraceparent(value)).toEqual({ valid: true, traceparent: parseTraceparent(value) })
    expect(parseTraceparent(`01-${TRACE}-${PARENT}-01-future`)).toMatchObject({ version: 1, sampled: true })
  })
})

describe('checkTracestate', () => {
  it('keeps the entries of a valid list and names why a list is discarded', () => {
    expect(checkTracestate('rojo=1, congo=2')).toEqual({ valid: true, entries: [{ key: 'rojo', value: '1' }, { key: 'congo', value: '2' }] })
    expect(checkTracestate(undefined)).toEqual({ valid: false, reason: 'no tracestate header' })
    expect(checkTracestate('rojo=1,Congo=2')).toEqual({ valid: false, reason: 'member 2 "Congo=2": invalid key "Congo"' })
    expect(checkTracestate('rojo')).toEqual({ valid: false, reason: 'member 1 "rojo" has no \'=\'' })
    expect(checkTracestate('rojo=a,b')).toMatchObject({ valid: false, reason: 'member 2 "b" has no \'=\'' })
    expect(checkTracestate('rojo=x=y')).toEqual({ valid: false, reason: 'member 1 "rojo=x=y": invalid value' })
    const many = Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(',')
    expect(checkTracestate(many)).toEqual({ valid: false, reason: '33 list members, more than 32' })
  })
})

let downstream: http.Server
let downstreamUrl: string
const seen: Array<{ traceparent?: string; tracestate?: string }> = []

beforeAll(async () => {
  downstream = http.createServer((req, res) => {
    seen.push({ traceparent: req.headers.traceparent as string | undefined, tracestate: req.headers.tracestate as string | undefined })
    res.end('ok')
  })
  await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve))
  downstreamUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}`
})

afterAll(async () => {
  downstream.closeAllConnections()
  await new Promise((resolve) => downstream.close(resolve))
})

function makeApp(options: ConstructorParameters<typeof OpenTelemetryPanel>[0] = {}) {
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop', ...options })] }))
  app.get('/calls/:n', async (c) => {
    for (let i = 0; i < Number(c.req.param('n')); i++) await (await fetch(`${downstreamUrl}/api?token=secret-${i}`)).text()
    return c.text('done')
  })
  const stats = async (headers: Record<string, string>, path = '/calls/1'): Promise<StatsWithSpans> => {
    const res = await app.request(path, { headers }, loopback)
    await res.text()
    const id = res.headers.get('x-debug-toolbar-request-id')
    return withSpans(app, (await (await app.request(`/_debug_toolbar/api/requests/${id}`, undefined, loopback)).json()).panels.opentelemetry)
  }
  return stats
}

describe('the Context section of the OpenTelemetry panel', () => {
  it('shows a continued trace: the headers received, the parent, the sampled flag and what fetch() sent', async () => {
    const stats = makeApp()
    seen.length = 0
    const s = await stats({ traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' })
    expect(s.traceId).toBe(TRACE)
    expect(s.context).toMatchObject({
      traceparent: { value: `00-${TRACE}-${PARENT}-01`, valid: true },
      tracestate: { value: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE', valid: true, entries: 2 },
      origin: 'continued',
      parentSpanId: PARENT,
      incomingSampled: true,
      sampled: true,
      recording: true,
      outgoingDropped: 0,
    })
    expect(s.context!.sampler).toContain('ParentBased{root=AlwaysOnSampler')
    expect(s.context!.samplingNote).toBeUndefined()
    // What the panel says was sent is what the downstream service received.
    expect(s.context!.outgoing).toEqual([
      { method: 'GET', url: `${downstreamUrl}/api?token=REDACTED`, traceparent: seen[0]!.traceparent, tracestate: seen[0]!.tracestate },
    ])
    expect(seen[0]!.traceparent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`))
    expect(seen[0]!.tracestate).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')
  })

  it('shows a new root when no traceparent came, and why an invalid one was ignored', async () => {
    const stats = makeApp()
    const none = await stats({}, '/calls/0')
    expect(none.context).toMatchObject({ origin: 'new root', sampled: true, outgoing: [] })
    // Absent is not invalid: nothing was received to judge.
    expect([none.context!.traceparent, none.context!.tracestate]).toEqual([{ received: false }, { received: false }])

    const bad = await stats({ traceparent: `00-${'0'.repeat(32)}-${PARENT}-01`, tracestate: 'rojo=1' }, '/calls/0')
    expect(bad.traceId).not.toBe('0'.repeat(32))
    expect(bad.context).toMatchObject({
      traceparent: { value: `00-${'0'.repeat(32)}-${PARENT}-01`, valid: false, reason: 'trace-id is all zeros (an invalid value)' },
      tracestate: { received: true, value: 'rojo=1', valid: false, reason: 'not read: the traceparent is not valid' },
      origin: 'new root',
    })
    // An invalid traceparent without a tracestate: the tracestate is absent, not ignored.
    const badAlone = await stats({ traceparent: `ff-${TRACE}-${PARENT}-01` }, '/calls/0')
    expect(badAlone.context).toMatchObject({ traceparent: { received: true, valid: false, reason: 'version ff is forbidden' }, tracestate: { received: false } })
    expect(badAlone.context!.tracestate).toEqual({ received: false })
    const html = renderToString(<TraceContext context={badAlone.context!} />)
    expect(html).toMatch(/tracestate received<\/th><td><span class="hdt-muted">none<\/span><\/td>/)
    expect(html).toContain('ignored: version ff is forbidden')
    const validAlone = await stats({ traceparent: `00-${'c4'.repeat(16)}-${PARENT}-01` }, '/calls/0')
    expect(validAlone.context!.tracestate).toEqual({ received: false })

    const badState = await stats({ traceparent: `00-${'c3'.repeat(16)}-${PARENT}-01`, tracestate: 'rojo=1,Bad=2' }, '/calls/0')
    expect(badState.context).toMatchObject({ origin: 'continued', tracestate: { valid: false, reason: 'member 2 "Bad=2": invalid key "Bad"' } })
  })

  it('explains an empty waterfall when the caller did not sample, and the sampler option records it', async () => {
    const stats = makeApp()
    const unsampled = 'a1'.repeat(16)
    const s = await stats({ traceparent: `00-${unsampled}-${PARENT}-00` }, '/calls/0')
    expect(s.traceId).toBe(unsampled)
    expect(s.spans).toEqual([])
    expect(s.context).toMatchObject({ origin: 'continued', incomingSampled: false, sampled: false, recording: false })
    expect(s.context!.samplingNote).toContain('sampled flag is 0')
    expect(s.context!.samplingNote).toContain('new OpenTelemetryPanel({ sampler: new ParentBasedSampler({ root: new AlwaysOnSampler(), remoteParentNotSampled: new AlwaysOnSampler() }) })')

    const recordAll = makeApp({ sampler: new ParentBasedSampler({ root: new AlwaysOnSampler(), remoteParentNotSampled: new AlwaysOnSampler() }) })
    const recorded = await recordAll({ traceparent: `00-${'b2'.repeat(16)}-${PARENT}-00` }, '/calls/0')
    expect(recorded.context).toMatchObject({ incomingSampled: false, sampled: true, recording: true })
    expect(recorded.spans.length).toBeGreaterThan(0)
  })

  it('calls a trace continued from a context another propagator extracted continued, without a traceparent', async () => {
    const app = new Hono()
    const remote = { traceId: 'd7'.repeat(16), spanId: 'e8'.repeat(8), traceFlags: 1, isRemote: true }
    // As an app's own B3 or Jaeger extraction would leave it, before the toolbar runs.
    app.use((_c, next) => context.with(trace.setSpanContext(context.active(), remote), next))
    app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none' })] }))
    app.get('/', (c) => c.text('ok'))
    const res = await app.request('/', undefined, loopback)
    const id = res.headers.get('x-debug-toolbar-request-id')
    const s: OpenTelemetryStats = (await (await app.request(`/_debug_toolbar/api/requests/${id}`, undefined, loopback)).json()).panels.opentelemetry
    expect(s.traceId).toBe(remote.traceId)
    expect(s.context).toMatchObject({ origin: 'continued', parentSpanId: remote.spanId, traceparent: { received: false } })
  })

  it("names the app's own provider's sampler when it records nothing", async () => {
    const provider = new BasicTracerProvider({ sampler: new AlwaysOffSampler(), spanProcessors: [toolbarSpanProcessor()] })
    const stats = makeApp({ tracerProvider: provider })
    const s = await stats({}, '/calls/0')
    expect(s.context).toMatchObject({ origin: 'new root', sampled: false, recording: false, sampler: 'AlwaysOffSampler' })
    expect(s.context!.samplingNote).toContain('The sampler AlwaysOffSampler chose not to record this trace')
    expect(s.context!.samplingNote).toContain('give your tracer provider a sampler that records them')
  })

  it('lists at most 50 outgoing calls and counts the rest', async () => {
    const stats = makeApp()
    const s = await stats({}, '/calls/53')
    expect(s.context!.outgoing).toHaveLength(50)
    expect(s.context!.outgoingDropped).toBe(3)
  })

  it('renders a request stored before headers said whether they were received (durable history)', () => {
    const html = renderToString(<TraceContext context={storedContext()} />)
    expect(html).toContain(`00-${TRACE}-${PARENT}-01`)
    expect(html).toContain('valid traceparent')
    expect(html).toMatch(/tracestate received<\/th><td><span class="hdt-muted">none<\/span>/)
  })

  it('renders the section with every value escaped, the reason and the sampling note', () => {
    const html = renderToString(
      <TraceContext
        context={{
          traceparent: { received: true, value: '<script>alert(1)</script>', valid: false, reason: 'version "<s" is not two lowercase hex digits' },
          tracestate: { received: true, value: 'a=<b>', valid: false, reason: 'not read: the traceparent is not valid', entries: 0 },
          origin: 'new root',
          sampled: false,
          recording: false,
          sampler: 'AlwaysOffSampler',
          samplingNote: 'The sampler AlwaysOffSampler chose not to record this trace',
          outgoing: [{ method: 'GET', url: 'http://127.0.0.1/<x>', traceparent: `00-${TRACE}-${PARENT}-00` }],
          outgoingDropped: 2,
        }}
      />,
    )
    expect(html).not.toContain('<script>')
    expect(html).toContain('&lt;script>alert(1)&lt;/script>')
    expect(html).toContain('ignored: version &quot;&lt;s&quot; is not two lowercase hex digits')
    expect(html).toContain('new root: the received traceparent could not be used')
    expect(html).toContain('The sampler AlwaysOffSampler chose not to record this trace')
    expect(html).toContain('http://127.0.0.1/&lt;x>')
    // The limit is named, as get_request names it: the panel lists the first MAX_OUTGOING_CALLS.
    expect(html).toContain(`2 more outgoing calls not listed (over ${MAX_OUTGOING_CALLS})`)
    expect(MAX_OUTGOING_CALLS).toBe(50)
    expect(html).toContain(' open')
  })

  it('counts one outgoing call past the limit in the singular', () => {
    const outgoing = [{ method: 'GET', url: 'http://127.0.0.1/stock/1', traceparent: `00-${TRACE}-${PARENT}-01` }]
    const html = renderToString(<TraceContext context={{ ...storedContext(), outgoing, outgoingDropped: 1 }} />)
    expect(html).toContain(`1 more outgoing call not listed (over ${MAX_OUTGOING_CALLS})`)
  })

  it('names the Baggage limits on the badge of the members not kept', () => {
    const html = renderToString(<TraceContext context={storedContext()} baggage={{ members: [{ key: 'tenant', value: 'acme' }], dropped: 20 }} propagators={['baggage']} />)
    expect(html).toContain(`20 dropped (over ${BAGGAGE_MAX_MEMBERS} members, ${BAGGAGE_MAX_MEMBER_BYTES} bytes a member or ${BAGGAGE_MAX_BYTES} bytes in all, or malformed)`)
  })
})
