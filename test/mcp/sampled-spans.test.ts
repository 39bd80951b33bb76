/**
 * Spans built from a CPU profile's samples, read over MCP as the waterfall shows them: the
 * critical path of a profiled `/slow` keeps its measured `wait` span, whose end the handler's
 * profile span overlaps by less than a sample's time (specs/analysis.md).
 */
import { describe, expect, it } from 'vitest'
import { otlpJsonFromToolbarSpans } from '../../src/opentelemetry/index.js'
import { ANALYSIS_CASES, caseSpans } from '../support/analysis-cases.js'
import { call, useShop } from './app.js'

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
