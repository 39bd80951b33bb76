import { afterEach, describe, expect, it } from 'vitest'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { Hono } from 'hono'
import { serve, type ServerType } from '@hono/node-server'
import { debugToolbar, type ToolbarStore } from '../src/index.js'
import { OpenTelemetryPanel, type OpenTelemetryPanelOptions, type ToolbarSpan } from '../src/opentelemetry/index.js'
import { SqliteStore } from '../src/store/sqlite.js'

/**
 * The receivers under unusual but valid input, over loopback as a service would send it:
 * what each answers, and what the trace API then shows.
 */

const JSON_HEADERS = { 'content-type': 'application/json' }
const START = 1_700_000_000_000_000_000n

interface Toolbar {
  base: string
  panel: OpenTelemetryPanel
}

const running: Array<{ server: ServerType; panel: OpenTelemetryPanel }> = []

afterEach(async () => {
  for (const { server, panel } of running.splice(0)) {
    await panel.shutdown()
    server.close()
  }
})

async function startToolbar(options: OpenTelemetryPanelOptions = {}, store?: ToolbarStore): Promise<Toolbar> {
  const panel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'frontend', ...options })
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [panel], store }))
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await once(server, 'listening')
  running.push({ server, panel })
  await panel.ready
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/_debug_toolbar`, panel }
}

function traceId(n: number): string {
  return n.toString(16).padStart(32, 'c')
}

/** An OTLP/JSON span, as the SDK's JSON exporter writes it. */
function otlpSpan(trace: string, spanId: string, extra: Record<string, unknown> = {}) {
  return { traceId: trace, spanId, name: 'job', kind: 1, startTimeUnixNano: String(START), endTimeUnixNano: String(START + 5_000_000n), ...extra }
}

function otlpRequest(spans: unknown[], resource: unknown[] = [{ key: 'service.name', value: { stringValue: 'worker' } }]) {
  return { resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ scope: { name: 'test' }, spans }] }] }
}

async function spansOf(base: string, trace: string): Promise<{ status: number; spans: ToolbarSpan[] }> {
  const res = await fetch(`${base}/api/traces/${trace}`)
  return { status: res.status, spans: res.status === 200 ? (await res.json()).spans : [] }
}

describe('a batch of more traces than maxTraces', () => {
  it('keeps every accepted span in a durable store, although memory holds only the newest traces', async () => {
    const store = new SqliteStore({ path: ':memory:' })
    const { base } = await startToolbar({ maxTraces: 2 }, store)
    const spans = [1, 2, 3, 4].map((n) => otlpSpan(traceId(n), '00000000000000a1'))
    const res = await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(otlpRequest(spans)) })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({})
    await store.flush()
    for (const n of [1, 2, 3, 4]) {
      const trace = await spansOf(base, traceId(n))
      expect(trace.status, `trace ${n}`).toBe(200)
      expect(trace.spans.map((s) => [s.spanId, s.resource['service.name'], s.source])).toEqual([['00000000000000a1', 'worker', 'otlp_http']])
    }
    const list = await (await fetch(`${base}/api/traces?service=worker`)).json()
    expect(list.total).toBe(4)
  })
})
