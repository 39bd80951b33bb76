import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import type { ToolbarSpan, TraceSummary } from '../src/core/span-model.js'

const START = new URL('../dist/examples/distributed/start.js', import.meta.url).pathname

/**
 * `npm run example:distributed` as a user runs it (built): the shop frontend with the
 * toolbar, and the inventory service in its own process exporting with the OpenTelemetry
 * SDK's OTLP/HTTP exporter to the frontend's receiver.
 */
describe('the distributed example', () => {
  let child: ChildProcess
  let url: string

  beforeAll(async () => {
    child = spawn(process.execPath, [START], { env: { ...process.env, PORT: '0', INVENTORY_PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] })
    let output = ''
    url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        const match = /shop frontend with the debug toolbar: (http:\/\/\S+)\//.exec(output)
        if (match) resolve(match[1]!)
      })
      child.once('exit', (code) => reject(new Error(`the example exited with ${code}: ${output}`)))
    })
  })

  afterAll(() => {
    child.kill('SIGTERM')
  })

  it("shows the inventory service's spans, with its SQL query, in the frontend request's waterfall", async () => {
    const res = await fetch(`${url}/`)
    expect(await res.text()).toContain('Kettle: 12 in stock')
    const traceId = /traceparent;desc="00-([0-9a-f]{32})-/.exec(res.headers.get('server-timing') ?? '')![1]!
    let spans: ToolbarSpan[] = []
    // The service sends each span as it ends: the query first, its SERVER span a moment later.
    const complete = () => spans.some((s) => s.name === 'SELECT products') && spans.some((s) => s.name === 'GET /products')
    for (let attempt = 0; attempt < 100 && !complete(); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      spans = (await (await fetch(`${url}/_debug_toolbar/api/traces/${traceId}`)).json()).spans
    }
    const client = spans.find((s) => s.kind === 'CLIENT' && s.resource['service.name'] === 'shop-frontend')!
    const server = spans.find((s) => s.kind === 'SERVER' && s.resource['service.name'] === 'inventory')!
    const query = spans.find((s) => s.name === 'SELECT products')!
    expect(server).toMatchObject({ name: 'GET /products', parentSpanId: client.spanId, source: 'otlp_http' })
    expect(query).toMatchObject({ parentSpanId: server.spanId, attributes: { 'db.system.name': 'sqlite', 'db.response.returned_rows': 4 } })
    const { traces } = (await (await fetch(`${url}/_debug_toolbar/api/traces?service=inventory`)).json()) as { traces: TraceSummary[] }
    expect(traces.find((t) => t.traceId === traceId)).toMatchObject({ rootName: 'GET /', services: ['shop-frontend', 'inventory'], requestId: res.headers.get('x-debug-toolbar-request-id') })
  })
})
