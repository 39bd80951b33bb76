import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getJson as json, startDemo, type DemoProcess } from './support/demo-process.js'
import { downstreamSpans, postOtlp } from './support/otlp-payload.js'
import { withSpans } from '../test/support/trace-spans.js'

const PREFIX = '/_debug_toolbar'
const dir = mkdtempSync(join(tmpdir(), 'hdt-restart-'))
const running: DemoProcess[] = []
afterAll(async () => {
  await Promise.all(running.map((demo) => demo.stop('SIGKILL')))
  rmSync(dir, { recursive: true, force: true })
})

/**
 * A request's detail without what describes the process answering rather than the request:
 * the OpenTelemetry panel's export status and receiver counters are read live by the process
 * that recorded the request, and a restarted process is another one.
 */
function requestFacts(detail: any): any {
  const { export: _export, receiver: _receiver, ...otel } = detail.panels.opentelemetry
  return { ...detail, panels: { ...detail.panels, opentelemetry: otel } }
}

async function visit(demo: DemoProcess, path: string): Promise<string> {
  const res = await fetch(`${demo.url}${path}`)
  await res.arrayBuffer()
  return res.headers.get('x-debug-toolbar-request-id')!
}

describe('the demo app with SqliteStore, stopped with SIGTERM and started again', () => {
  it('shows the same history, every panel with the same stats, and the same waterfalls after the restart', async () => {
    const path = join(dir, 'toolbar.db')
    const first = await startDemo({ DEBUG_TOOLBAR_STORE: path })
    running.push(first)
    const ids = [await visit(first, '/users/2'), await visit(first, '/api/users'), await visit(first, '/report')]
    // A downstream service sends its spans back: they join /users/2's trace.
    const { traceId, rootSpanId } = (await json(`${first.url}${PREFIX}/api/requests/${ids[0]}`)).panels.opentelemetry
    expect((await postOtlp(first.url, downstreamSpans(traceId, rootSpanId, 'inventory', 3))).status).toBe(200)
    const before = await Promise.all(ids.map((id) => json(`${first.url}${PREFIX}/api/requests/${id}`)))
    const traceBefore = await json(`${first.url}${PREFIX}/api/traces/${traceId}`)
    expect(traceBefore.spans.filter((s: { source: string }) => s.source === 'otlp_http')).toHaveLength(3)
    const tracesBefore = await json(`${first.url}${PREFIX}/api/traces`)
    const history = await json(`${first.url}${PREFIX}/api/requests`)
    // One more request, answered right before the stop: it is written on the way out.
    const last = await visit(first, '/users/3')
    const ended = await first.stop('SIGTERM')
    expect(ended.signal).toBe('SIGTERM')

    const second = await startDemo({ DEBUG_TOOLBAR_STORE: path })
    running.push(second)
    const after = await Promise.all(ids.map((id) => json(`${second.url}${PREFIX}/api/requests/${id}`)))
    expect(after.map(requestFacts)).toEqual(before.map(requestFacts))
    // The other process's figures, as they were stored: this process sent and received none of it.
    expect(after[0].panels.opentelemetry.receiver.counters.accepted).toBe(0)
    const panels = Object.keys(after[0].panels)
    expect(panels).toEqual(expect.arrayContaining(['timer', 'sql', 'logging', 'templates', 'history', 'opentelemetry']))
    expect(after[0].panels.sql.queries.length).toBeGreaterThan(3)
    // The waterfall: the request's spans with their SQL and template children.
    const { spans } = await withSpans(second.url, after[0].panels.opentelemetry)
    expect(spans.length).toBeGreaterThan(5)
    expect(spans.filter((s) => !s.parentSpanId).map((s) => s.name)).toEqual(['GET /users/:id'])
    // /report called /api/stats with fetch: both requests, one trace.
    const report = after[2]
    expect((await withSpans(second.url, report.panels.opentelemetry)).spans.some((s) => s.kind === 'CLIENT')).toBe(true)

    // The waterfall of the trace, received spans included, and the trace list.
    expect(await json(`${second.url}${PREFIX}/api/traces/${traceId}`)).toEqual(traceBefore)
    const tracesAfter = await json(`${second.url}${PREFIX}/api/traces`)
    expect(tracesAfter.traces.filter((t: { traceId: string }) => tracesBefore.traces.some((b: { traceId: string }) => b.traceId === t.traceId))).toEqual(tracesBefore.traces)
    expect(tracesAfter.traces.find((t: { traceId: string }) => t.traceId === traceId)).toMatchObject({ requestId: ids[0], services: ['demo-basic', 'inventory'] })

    const restarted = await json(`${second.url}${PREFIX}/api/requests`)
    expect(restarted.requests.map((r: { id: string }) => r.id)).toEqual([last, ...history.requests.map((r: { id: string }) => r.id)])
    const lastDetail = await json(`${second.url}${PREFIX}/api/requests/${last}`)
    expect(lastDetail).toMatchObject({ path: '/users/3', status: 200 })
    expect(lastDetail.panels.sql.queries.length).toBeGreaterThan(0)
    expect(await json(`${second.url}${PREFIX}/api/store`)).toMatchObject({ kind: 'sqlite', location: path, available: true, instances: 1, dropped: 0 })
    // The restarted process is another instance (another pid) once it records a request.
    await visit(second, '/')
    await expect.poll(() => json(`${second.url}${PREFIX}/api/store`)).toMatchObject({ instances: 2, queued: 0 })
    await second.stop('SIGTERM')
  })
})
