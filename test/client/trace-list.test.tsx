/** @jsxImportSource preact */
import { describe, expect, it } from 'vitest'
import { renderToString } from 'preact-render-to-string'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel, type ToolbarTrace, type TraceSummary } from '../../src/opentelemetry/index.js'
import { TraceTable } from '../../templates/client/panels/trace-list.js'
import { TraceDropNote } from '../../templates/client/panels/trace-waterfall.js'

const loopback = { incoming: { socket: { remoteAddress: '127.0.0.1' } } }

/** A worker's trace of `count` spans sent to the toolbar's OTLP receiver, as the trace list and waterfall load it. */
async function receivedTrace(traceId: string, count: number) {
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', maxSpansPerTrace: 50 })] }))
  const start = Date.now() * 1e6
  const spans = Array.from({ length: count }, (_, i) => ({
    traceId,
    spanId: (i + 1).toString(16).padStart(16, '0'),
    parentSpanId: i === 0 ? '' : '0000000000000001',
    name: i === 0 ? 'nightly export' : `row ${i}`,
    kind: 1,
    startTimeUnixNano: String(start + i * 1e6),
    endTimeUnixNano: String(start + (i + 1) * 1e6),
  }))
  const body = JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'worker' } }] }, scopeSpans: [{ spans }] }] })
  await app.request('/_debug_toolbar/otlp/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body }, loopback)
  const get = async (path: string) => (await app.request(`/_debug_toolbar${path}`, undefined, loopback)).json()
  const list: TraceSummary[] = (await get('/api/traces?service=worker')).traces
  return { summary: list.find((t) => t.traceId === traceId)!, trace: (await get(`/api/traces/${traceId}`)) as ToolbarTrace }
}

const table = (traces: TraceSummary[]) => renderToString(<TraceTable traces={traces} open={undefined} onToggle={() => {}} openRequest={() => {}} />)
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')

describe('a received trace that lost spans over maxSpansPerTrace', () => {
  it('shows "30 dropped" beside its 50 spans in the trace list, and above its waterfall', async () => {
    const { summary, trace } = await receivedTrace('f1'.repeat(16), 80)
    expect(text(table([summary]))).toContain('nightly export worker 50 30 dropped')
    expect(text(renderToString(<TraceDropNote trace={trace} />)).trim()).toBe('30 dropped 50 spans kept; the rest were refused over maxSpansPerTrace')
  })

  it('says nothing of drops for a trace that lost none', async () => {
    const { summary, trace } = await receivedTrace('f2'.repeat(16), 3)
    expect(text(table([summary]))).not.toContain('dropped')
    expect(renderToString(<TraceDropNote trace={trace} />)).toBe('')
  })
})

describe('a trace of a recorded request', () => {
  it('names its button after the request, as History does', () => {
    const summary: TraceSummary = { traceId: 'a1'.repeat(16), rootName: 'GET /slow', services: ['shop'], spanCount: 3, startedAt: new Date(0).toISOString(), durationMs: 12, requestId: 'r1', error: false }
    expect(table([summary])).toMatch(/<button[^>]*aria-label="Show request GET \/slow"[^>]*>\s*Request\s*<\/button>/)
  })
})

describe('a trace whose request is still running', () => {
  it('reads running in the trace list, not 0 ms', () => {
    const summary: TraceSummary = { traceId: 'a1'.repeat(16), rootName: 'GET /feed', services: ['shop'], spanCount: 1, startedAt: new Date().toISOString(), durationMs: 0, requestId: 'r1', error: false, running: true }
    const shown = text(table([summary]))
    expect(shown).toContain('GET /feed shop 1 span 1 running')
    expect(shown).not.toMatch(/\b0 ms\b/)
  })
})

describe("a trace's note of work after the response", () => {
  const trace = (spanCount: number, durationMs: number): TraceSummary => ({ traceId: 'b1'.repeat(16), rootName: 'GET', services: ['shop'], spanCount, startedAt: new Date(0).toISOString(), durationMs, requestId: 'r1', error: false })
  const shown = (summary: TraceSummary, responseMs: number) => text(renderToString(<TraceTable traces={[summary]} open={undefined} onToggle={() => {}} openRequest={() => {}} responseMs={new Map([['r1', responseMs]])} />))

  it('is not written under a trace of the request\'s own span alone: 4.67 ms against a 4.66 ms response is two clocks, not work', () => {
    expect(shown(trace(1, 4.67), 4.66)).not.toContain('after the')
    expect(shown(trace(1, 4.67), 4.66)).not.toContain('response at')
  })

  it('is written under a trace with other spans that goes on after its response (an email sent later)', () => {
    expect(shown(trace(4, 208), 14.4)).toContain('includes work after the 14.4 ms response')
  })
})
