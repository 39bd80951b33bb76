import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { Hono } from 'hono'
import { serve, type ServerType } from '@hono/node-server'
import { debugToolbar } from '../src/index.js'
import { OpenTelemetryPanel, type ToolbarSpan } from '../src/opentelemetry/index.js'
import type { ToolbarEvent } from '../src/core/events.js'

const SERVICE = new URL('./support/sdk-service.mjs', import.meta.url).pathname

/** Starts the SDK-instrumented service in its own process; resolves with its port. */
async function startService(env: Record<string, string>): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [SERVICE], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening (\d+)/.exec(output)
      if (match) resolve(Number(match[1]))
    })
    child.once('exit', (code) => reject(new Error(`the service exited with ${code}: ${output}`)))
  })
  return { port, child }
}

/**
 * The frontend (this process: Hono, the toolbar, the OpenTelemetry panel with both receivers)
 * calls a service that uses the official OpenTelemetry JS SDK in another process; the
 * service exports its spans to the toolbar over OTLP/HTTP protobuf, OTLP/HTTP JSON or
 * OTLP/gRPC, and they join the request's trace under the toolbar's CLIENT span.
 */
describe('spans from the OpenTelemetry JS SDK in another process', () => {
  const panel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'frontend', otlpGrpcPort: 0 })
  const middleware = debugToolbar({ extraPanels: [panel] })
  const events: ToolbarEvent[] = []
  const children: ChildProcess[] = []
  let server: ServerType
  let base: string

  beforeAll(async () => {
    const app = new Hono()
    app.use(middleware)
    app.get('/checkout', async (c) => {
      const res = await fetch(`http://127.0.0.1:${c.req.query('port')}/stock/kettle`)
      return c.json(await res.json())
    })
    middleware.toolbar.events.subscribe((event) => events.push(event))
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
    await once(server, 'listening')
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    await panel.ready
  })

  afterAll(async () => {
    for (const child of children) child.kill('SIGTERM')
    await panel.shutdown()
    server.close()
  })

  /** Waits, through the toolbar's live events, until the trace holds the service's two spans. */
  function serviceSpans(traceId: string, timeoutMs = 15_000): Promise<ToolbarSpan[]> {
    return new Promise((resolve, reject) => {
      const check = async () => {
        const spans: ToolbarSpan[] = (await (await fetch(`${base}/_debug_toolbar/api/traces/${traceId}`)).json()).spans
        if (spans.filter((s) => s.resource['service.name'] === 'inventory').length >= 2) {
          stop()
          clearTimeout(timer)
          resolve(spans)
        }
      }
      const stop = middleware.toolbar.events.subscribe((event) => {
        if (event.data.traceId === traceId) void check()
      })
      const timer = setTimeout(() => {
        stop()
        reject(new Error(`no spans of the service arrived for trace ${traceId}; events: ${JSON.stringify(events.slice(-5))}`))
      }, timeoutMs)
      void check()
    })
  }

  const cases = [
    { name: 'OTLP/HTTP protobuf', exporter: 'proto', source: 'otlp_http', endpoint: () => `${base}/_debug_toolbar/otlp` },
    { name: 'OTLP/HTTP JSON', exporter: 'json', source: 'otlp_http', endpoint: () => `${base}/_debug_toolbar/otlp` },
    { name: 'OTLP/gRPC with gzip', exporter: 'grpc', source: 'otlp_grpc', endpoint: () => `http://127.0.0.1:${panel.receivers!.grpc!.port}`, compression: 'gzip' },
  ] as const

  for (const c of cases) {
    it(`${c.name}: the service's spans join the waterfall under the toolbar's CLIENT span`, async () => {
      const env: Record<string, string> = { SDK_EXPORTER: c.exporter, OTEL_EXPORTER_OTLP_ENDPOINT: c.endpoint() }
      if ('compression' in c) env.OTEL_EXPORTER_OTLP_COMPRESSION = c.compression
      const service = await startService(env)
      children.push(service.child)
      const res = await fetch(`${base}/checkout?port=${service.port}`)
      expect(await res.json()).toEqual({ sku: 'kettle', count: 3 })
      const traceId = /traceparent;desc="00-([0-9a-f]{32})-/.exec(res.headers.get('server-timing') ?? '')![1]!
      const spans = await serviceSpans(traceId)
      const client = spans.find((s) => s.kind === 'CLIENT' && s.source === 'local')!
      const backend = spans.find((s) => s.kind === 'SERVER' && s.resource['service.name'] === 'inventory')!
      const query = spans.find((s) => s.name === 'SELECT stock')!
      expect(backend).toMatchObject({ name: 'GET /stock/kettle', parentSpanId: client.spanId, source: c.source })
      expect(query).toMatchObject({ parentSpanId: backend.spanId, source: c.source, kind: 'CLIENT', resource: { 'service.name': 'inventory' }, status: { code: 'OK' } })
      expect(query.scope).toEqual({ name: 'inventory-service', version: '1.0.0' })
      expect(BigInt(backend.startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(client.startTimeUnixNano) - 50_000_000n)
      const list = await (await fetch(`${base}/_debug_toolbar/api/traces?service=inventory&source=${c.source}`)).json()
      const summary = list.traces.find((t: { traceId: string }) => t.traceId === traceId)
      expect(summary).toMatchObject({ rootName: 'GET /checkout', services: ['frontend', 'inventory'], requestId: res.headers.get('x-debug-toolbar-request-id') })
      const updated = events.filter((e) => e.type === 'trace.updated' && e.data.traceId === traceId && e.data.source === c.source)
      expect(updated.at(-1)?.data.services).toEqual(['frontend', 'inventory'])
    })
  }
})
