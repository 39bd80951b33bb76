/**
 * Spans built from a CPU profile's samples, read over MCP as the waterfall shows them: the
 * critical path of a profiled `/slow` keeps its measured `wait` span, whose end the handler's
 * profile span overlaps by less than a sample's time (specs/analysis.md), and a function's
 * sampled self time reads the same in get_request's Profile line and on its span in get_trace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel, otlpJsonFromToolbarSpans } from '../../src/opentelemetry/index.js'
import { formatMs } from '../../src/shapes/format.js'
import { ANALYSIS_CASES, caseSpans } from '../support/analysis-cases.js'
import { call, connect, useShop } from './app.js'

const PROFILED_SLOW = ANALYSIS_CASES.find((c) => c.title.startsWith('a CPU-profile span'))!

describe('get_trace on a trace with CPU-profile spans', () => {
  const shop = useShop({})

  it('marks the measured span CRITICAL when a profile span overlaps its end by less than a sample, as the analysis API does', async () => {
    const spans = caseSpans(PROFILED_SLOW, 'mcp')
    const prefix = `${shop.shop.base}/_debug_toolbar`
    const imported = await fetch(`${prefix}/api/traces/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(otlpJsonFromToolbarSpans(spans)) })
    expect(imported.status).toBe(200)
    const { text, data } = await call(shop.client, 'get_trace', { trace_id: spans[0]!.traceId })
    const line = (name: string) => text.split('\n').find((l) => l.includes(` ms ${name} `))
    expect(line('wait')).toMatch(/^ {2}\+40\.0 ms wait 252 ms \(self 252 ms\) \[front\] INTERNAL CRITICAL #/)
    expect(line('compute')).not.toContain('CRITICAL')
    const critical = data.lines.filter((l: { critical: boolean }) => l.critical).map((l: { name: string }) => l.name)
    expect(critical.sort()).toEqual([...PROFILED_SLOW.criticalPath].sort())
    const analysis = await (await fetch(`${prefix}/api/traces/${spans[0]!.traceId}/analysis`)).json()
    const names = new Map(spans.map((s) => [s.spanId, s.name]))
    expect(analysis.criticalPath.map((id: string) => names.get(id)).sort()).toEqual(critical)
  })
})

/** CPU work of the app's own, called once: one span, and samples with it on top of the stack. */
function crunch(rounds: number): string {
  let x = 0
  for (let i = 0; i < rounds; i++) x += Math.sqrt(i)
  // Time in a V8 builtin it called: in its span's self time, not in its sampled self time.
  return JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ i, x })))
}

describe('a profiled function\'s self time in get_request and get_trace', () => {
  let server: ServerType
  let client: Client
  let otel: OpenTelemetryPanel
  let requestId: string

  beforeAll(async () => {
    const app = new Hono()
    // Every stretch of a function on the stack becomes a span, however short.
    otel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop', profileSpanThresholdMs: 0 })
    app.use(debugToolbar({ extraPanels: [otel] }))
    app.get('/report', (c) => c.text(String(crunch(3_000_000).length)))
    server = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const res = await fetch(`${base}/report?_dt_profile=1`)
    await res.text()
    requestId = res.headers.get('x-debug-toolbar-request-id')!
    client = await connect(base)
  })

  afterAll(async () => {
    await client?.close()
    await otel?.shutdown()
    await new Promise((resolve) => server?.close(resolve))
  })

  it('gives the sampled self time of get_request\'s Profile line on the function\'s span, beside the span\'s self time', async () => {
    const request = await call(client, 'get_request', { request_id: requestId })
    const hottest = request.data.profile.topFunctions.find((f: { name: string }) => f.name === 'crunch')
    expect(hottest, request.text).toBeDefined()
    const profileLine = request.text.split('\n').find((l) => l.startsWith('Profile: '))!
    expect(profileLine).toContain(`Hottest by sampled self time (the function itself on top of the stack; get_trace's CPU-profile spans give it as sampled self): `)
    expect(profileLine).toContain(`crunch ${hottest.location} ${formatMs(hottest.selfMs)}`)

    const trace = await call(client, 'get_trace', { request_id: requestId, max_spans: 1000 })
    // V8 may show the loop's samples under the handler now and then: crunch is then several
    // stretches on the stack, each a span (with the threshold at 0), folded into a group line.
    const lines = trace.data.lines.filter((l: { name: string }) => l.name === 'crunch') as Array<{ spanIds: string[]; durationMs: number; selfMs: number; sampledSelfMs: number }>
    expect(lines.length).toBeGreaterThan(0)
    expect(lines.reduce((sum, l) => sum + l.sampledSelfMs, 0)).toBeCloseTo(hottest.selfMs, 6)
    for (const l of lines) {
      const text = trace.text.split('\n').find((t) => t.endsWith(`#${l.spanIds[0]}`) || t.includes(`#${l.spanIds[0]},`))!
      expect(text).toContain(`self ${formatMs(l.selfMs)}; sampled self ${formatMs(l.sampledSelfMs)})`)
      // The span's self time also holds JSON.stringify's: never less than the sampled one.
      expect(l.selfMs).toBeGreaterThanOrEqual(l.sampledSelfMs - 1e-9)
    }
  })
})
