import { afterEach, describe, expect, it } from 'vitest'
import { once } from 'node:events'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { gzipSync } from 'node:zlib'
import { Hono } from 'hono'
import { serve, type ServerType } from '@hono/node-server'
import { debugToolbar } from '../src/index.js'
import { OpenTelemetryPanel, type ToolbarSpan } from '../src/opentelemetry/index.js'
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { ExportResultCode, type ExportResult } from '@opentelemetry/core'

/**
 * The receivers under load, over loopback as services (or a careless client) would send it:
 * many bodies read at once, and bodies that trickle in. The server must keep answering,
 * bound what it holds, and tell senders when to come back.
 */

const LIMIT = 4 * 1024 * 1024
const START = 1_700_000_000_000_000_000n

const running: Array<{ server: ServerType; panel: OpenTelemetryPanel; sockets: Socket[] }> = []

afterEach(async () => {
  for (const { server, panel, sockets } of running.splice(0)) {
    for (const socket of sockets) socket.destroy()
    await panel.shutdown()
    server.closeAllConnections()
    server.close()
  }
})

async function startToolbar() {
  const panel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'frontend' })
  const middleware = debugToolbar({ extraPanels: [panel] })
  const app = new Hono()
  app.use(middleware)
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await once(server, 'listening')
  const sockets: Socket[] = []
  running.push({ server, panel, sockets })
  const port = (server.address() as AddressInfo).port
  const base = `http://127.0.0.1:${port}/_debug_toolbar`
  /** Starts an upload that declares `declared` bytes and sends only `sent` of them, then waits. */
  const stalledUpload = async (path: string, declared: number, sent: number): Promise<Socket> => {
    const socket = connect(port, '127.0.0.1')
    sockets.push(socket)
    await once(socket, 'connect')
    socket.write(`POST /_debug_toolbar${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`)
    await new Promise<void>((resolve) => socket.write(Buffer.alloc(sent, 0x20), () => resolve()))
    return socket
  }
  return { base, panel, stalledUpload }
}

function traceId(n: number): string {
  return n.toString(16).padStart(32, 'e')
}

function exportBody(trace: string) {
  const span = { traceId: trace, spanId: '00000000000000a1', name: 'job', kind: 1, startTimeUnixNano: String(START), endTimeUnixNano: String(START + 5_000_000n) }
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'worker' } }] }, scopeSpans: [{ spans: [span] }] }] })
}

async function spansOf(base: string, trace: string): Promise<ToolbarSpan[]> {
  const res = await fetch(`${base}/api/traces/${trace}`)
  return res.status === 200 ? (await res.json()).spans : []
}

/** Gives the server time to read what the stalled uploads sent (it reads as bytes come). */
async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 300))
}

/** The answer a raw socket gets, as text (status line, headers, body). */
function answerOf(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = ''
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1')
      if (/\r\n\r\n[\s\S]*\}/.test(text)) resolve(text)
    })
    socket.on('close', () => resolve(text))
    socket.on('error', () => resolve(text))
  })
}

describe('many exports read at once', () => {
  it('answers 503 with Retry-After once the bodies being read fill its memory budget, and takes exports again when they are done', async () => {
    const { base, stalledUpload } = await startToolbar()
    // Eight senders each hold an almost complete body of the largest size allowed.
    for (let i = 0; i < 8; i++) await stalledUpload('/otlp/v1/traces', LIMIT, LIMIT - 16)
    await settle()
    const busy = await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: exportBody(traceId(1)) })
    expect(busy.status).toBe(503)
    expect(Number(busy.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect((await busy.json()).error).toMatch(/busy reading other exports/)
    // Zipkin's route shares the budget (one process's memory).
    const zipkin = await fetch(`${base}/zipkin/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `[${' '.repeat(200)}]` })
    expect(zipkin.status).toBe(503)
    expect(zipkin.headers.get('retry-after')).not.toBeNull()

    // The real SDK exporter retries after the 503 and gets its span in once the budget frees up.
    const memory = new InMemorySpanExporter()
    const sdk = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] })
    sdk.getTracer('t').startSpan('retried').end()
    const spans: ReadableSpan[] = memory.getFinishedSpans()
    const exporter = new OtlpProtoExporter({ url: `${base}/otlp/v1/traces` })
    const result = new Promise<ExportResult>((resolve) => exporter.export(spans, resolve))
    await new Promise((resolve) => setTimeout(resolve, 200))
    for (const { sockets } of running) for (const socket of sockets) socket.destroy()
    expect((await result).code).toBe(ExportResultCode.SUCCESS)
    expect((await spansOf(base, spans[0]!.spanContext().traceId)).map((s) => s.name)).toEqual(['retried'])
    await exporter.shutdown()
    await sdk.shutdown()

    const again = await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: exportBody(traceId(2)) })
    expect(again.status).toBe(200)
    expect((await spansOf(base, traceId(2))).map((s) => s.name)).toEqual(['job'])
  })
  it('counts what a gzip body may inflate to: a bomb waits for room instead of inflating beside the others', async () => {
    const { base, stalledUpload } = await startToolbar()
    for (let i = 0; i < 7; i++) await stalledUpload('/otlp/v1/traces', LIMIT, LIMIT - 16)
    await settle()
    // Kilobytes that inflate to megabytes: no room for what they may become.
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20))
    const refused = await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb })
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('1')
    // A plain body of the same size fits beside the others.
    const plain = await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: exportBody(traceId(4)).padEnd(bomb.length, ' ') })
    expect(plain.status).toBe(200)
    expect((await spansOf(base, traceId(4))).map((s) => s.name)).toEqual(['job'])
  })
})

describe('a body that trickles in', () => {
  it('is answered 408 once it takes longer than an exporter would wait, and the receiver keeps serving', async () => {
    const { base, stalledUpload } = await startToolbar()
    const started = Date.now()
    const socket = await stalledUpload('/otlp/v1/traces', 1000, 10)
    const answer = await answerOf(socket)
    expect(answer).toMatch(/^HTTP\/1\.1 408/)
    expect(answer).toMatch(/did not arrive within 10 s/)
    expect(Date.now() - started).toBeLessThan(15_000)
    const res = await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: exportBody(traceId(3)) })
    expect(res.status).toBe(200)
  }, 20_000)

  it('is answered by the trace import as by the receivers: 408 with Connection: close', async () => {
    const { stalledUpload } = await startToolbar()
    const answer = await answerOf(await stalledUpload('/api/traces/import', 1000, 10))
    expect(answer).toMatch(/^HTTP\/1\.1 408/)
    expect(answer).toMatch(/\r\nconnection: close\r\n/i)
  }, 20_000)
})
