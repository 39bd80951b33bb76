import { afterEach, describe, expect, it } from 'vitest'
import { once } from 'node:events'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { gzipSync } from 'node:zlib'
import { connect as connectHttp2, type ClientHttp2Session } from 'node:http2'
import * as grpc from '@grpc/grpc-js'
import { Hono } from 'hono'
import { serve, type ServerType } from '@hono/node-server'
import { debugToolbar } from '../src/index.js'
import { OpenTelemetryPanel, type OpenTelemetryPanelOptions, type ToolbarSpan } from '../src/opentelemetry/index.js'
import { encodeExportTraceServiceRequest, TRACE_SERVICE_EXPORT_PATH } from '../src/opentelemetry/otlp-proto.js'
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { OTLPTraceExporter as OtlpGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { ExportResultCode, type ExportResult } from '@opentelemetry/core'

/**
 * The receivers under load, over loopback as services (or a careless client) would send it:
 * many bodies read at once, and bodies that trickle in. The server must keep answering,
 * bound what it holds, and tell senders when to come back.
 */

const LIMIT = 4 * 1024 * 1024
const START = 1_700_000_000_000_000_000n

const running: Array<{ server: ServerType; panel: OpenTelemetryPanel; sockets: Array<Socket | ClientHttp2Session> }> = []

afterEach(async () => {
  for (const { server, panel, sockets } of running.splice(0)) {
    for (const socket of sockets) socket.destroy()
    await panel.shutdown()
    server.closeAllConnections()
    server.close()
  }
})

async function startToolbar(options: OpenTelemetryPanelOptions = {}) {
  const panel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'frontend', ...options })
  const middleware = debugToolbar({ extraPanels: [panel] })
  const app = new Hono()
  app.use(middleware)
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await once(server, 'listening')
  const sockets: Array<Socket | ClientHttp2Session> = []
  running.push({ server, panel, sockets })
  await panel.ready
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
  /**
   * Starts an OTLP/gRPC call whose message declares `declared` bytes and sends only `sent` of
   * them, over a connection of its own; resolves with the status it ends with.
   */
  const stalledGrpcCall = async (declared: number, sent: number): Promise<{ ended: Promise<{ code: number; message: string }> }> => {
    const session = connectHttp2(`http://127.0.0.1:${panel.receivers!.grpc!.port}`)
    sockets.push(session)
    session.on('error', () => undefined)
    const stream = session.request({ ':method': 'POST', ':path': TRACE_SERVICE_EXPORT_PATH, 'content-type': 'application/grpc', te: 'trailers' })
    stream.on('error', () => undefined)
    const ended = new Promise<{ code: number; message: string }>((resolve) => {
      const status = (headers: Record<string, unknown>) => {
        if (headers['grpc-status'] !== undefined) resolve({ code: Number(headers['grpc-status']), message: decodeURI(String(headers['grpc-message'] ?? '')) })
      }
      stream.on('response', status)
      stream.on('trailers', status)
      stream.on('close', () => resolve({ code: -1, message: 'closed without a status' }))
    })
    const prefix = Buffer.alloc(5)
    prefix.writeUInt32BE(declared, 1)
    await new Promise<void>((resolve) => stream.write(Buffer.concat([prefix, Buffer.alloc(sent, 0x0a)]), () => resolve()))
    return { ended }
  }
  return { base, panel, stalledUpload, stalledGrpcCall }
}

/** One Export call by a plain @grpc/grpc-js client (no retries): its error, or null. */
function grpcExport(port: number, trace: string): Promise<grpc.ServiceError | null> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure())
  const span = { traceId: Buffer.from(trace, 'hex'), spanId: Buffer.from('00000000000000a1', 'hex'), name: 'job', kind: 1, startTimeUnixNano: START, endTimeUnixNano: START + 5_000_000n }
  const body = Buffer.from(encodeExportTraceServiceRequest({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [span] }] }] } as never))
  return new Promise((resolve) => {
    client.makeUnaryRequest(TRACE_SERVICE_EXPORT_PATH, (b: Buffer) => b, (b: Buffer) => b, body, (error) => {
      client.close()
      resolve(error)
    })
  })
}

/**
 * One span exported by the SDK's gRPC exporter, which retries no gRPC error: `result()` is
 * undefined while its call waits for room, `exported` its outcome.
 */
function sdkGrpcExport(port: number, name: string) {
  const memory = new InMemorySpanExporter()
  const sdk = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] })
  sdk.getTracer('t').startSpan(name).end()
  const spans: ReadableSpan[] = memory.getFinishedSpans()
  const exporter = new OtlpGrpcExporter({ url: `http://127.0.0.1:${port}` })
  let result: ExportResult | undefined
  const exported = new Promise<ExportResult>((resolve) => exporter.export(spans, (r) => resolve((result = r))))
  return {
    traceId: spans[0]!.spanContext().traceId,
    exported,
    result: () => result,
    shutdown: async () => {
      await exporter.shutdown()
      await sdk.shutdown()
    },
  }
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

describe('many OTLP/gRPC exports read at once', () => {
  it("share the HTTP receivers' budget: past it a call waits its turn unread, and gets in once the others are gone", async () => {
    const { base, panel, stalledGrpcCall } = await startToolbar({ otlpGrpcPort: 0 })
    const port = panel.receivers!.grpc!.port!
    // Each call being read may come to twice the message bound (sent compressed, then inflated):
    // four such calls fill the eight bodies' budget.
    for (let i = 0; i < 4; i++) await stalledGrpcCall(LIMIT - 16, 1024)
    await settle()
    // One process's memory: the HTTP receivers see the budget taken.
    const http = await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: exportBody(traceId(6)) })
    expect(http.status).toBe(503)
    expect((await http.json()).error).toMatch(/busy reading other exports \(33554432 bytes at most at once\): retry later/)

    // The SDK's gRPC exporter retries no gRPC error: its call waits for room instead of being refused.
    const call = sdkGrpcExport(port, 'waited over grpc')
    await settle()
    expect(call.result()).toBeUndefined()
    expect(await spansOf(base, call.traceId)).toEqual([])
    for (const { sockets } of running) for (const socket of sockets) socket.destroy()
    expect((await call.exported).code).toBe(ExportResultCode.SUCCESS)
    expect((await spansOf(base, call.traceId)).map((s) => [s.name, s.source])).toEqual([['waited over grpc', 'otlp_grpc']])
    await call.shutdown()
    const again = await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: exportBody(traceId(7)) })
    expect(again.status).toBe(200)
  })

  it('keeps the place of a call waiting its turn: a new OTLP/HTTP export does not go ahead of it', async () => {
    const { base, panel, stalledGrpcCall, stalledUpload } = await startToolbar({ otlpGrpcPort: 0 })
    const port = panel.receivers!.grpc!.port!
    // Three calls being read hold 24 of the 32 MiB; an upload under way holds 2 more.
    for (let i = 0; i < 3; i++) await stalledGrpcCall(LIMIT - 16, 1024)
    const upload = await stalledUpload('/otlp/v1/traces', LIMIT, 2 * 1024 * 1024)
    await settle()
    // A fourth call needs 8 MiB: it waits.
    const call = sdkGrpcExport(port, 'waited over grpc')
    await settle()
    expect(call.result()).toBeUndefined()
    // A small export over HTTP would fit in what is left, but the call asked first: 503, retry later.
    const http = await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: exportBody(traceId(8)) })
    expect(http.status).toBe(503)
    expect(http.headers.get('retry-after')).toBe('1')
    expect(await spansOf(base, traceId(8))).toEqual([])
    // The upload gives its share back: the waiting call gets in, and then HTTP exports do again.
    upload.destroy()
    expect((await call.exported).code).toBe(ExportResultCode.SUCCESS)
    expect((await spansOf(base, call.traceId)).map((s) => s.name)).toEqual(['waited over grpc'])
    await call.shutdown()
    for (const { sockets } of running) for (const socket of sockets) socket.destroy()
    await settle()
    const again = await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: exportBody(traceId(9)) })
    expect(again.status).toBe(200)
  })

  it('answers UNAVAILABLE at once when too many calls wait already', async () => {
    const { base, panel, stalledGrpcCall } = await startToolbar({ otlpGrpcPort: 0 })
    for (let i = 0; i < 4; i++) await stalledGrpcCall(LIMIT - 16, 1024)
    await settle()
    const waiting = await Promise.all(Array.from({ length: 256 }, () => stalledGrpcCall(100, 10)))
    await settle()
    const started = Date.now()
    const busy = await grpcExport(panel.receivers!.grpc!.port!, traceId(5))
    expect(Date.now() - started).toBeLessThan(2000)
    expect(busy?.code).toBe(grpc.status.UNAVAILABLE)
    expect(busy?.details).toBe('the receiver is busy reading other exports (33554432 bytes at most at once): retry later')
    expect(await spansOf(base, traceId(5))).toEqual([])
    expect(waiting).toHaveLength(256)
  })

  it('takes every span of a burst of calls, one per span as the SimpleSpanProcessor sends them', async () => {
    const { base, panel } = await startToolbar({ otlpGrpcPort: 0 })
    const exporter = new OtlpGrpcExporter({ url: `http://127.0.0.1:${panel.receivers!.grpc!.port}` })
    const sdk = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
    const tracer = sdk.getTracer('burst')
    const traces: string[] = []
    // 30 calls at once: the exporter's own limit (concurrencyLimit), well past the four read at once.
    for (let i = 0; i < 30; i++) {
      const span = tracer.startSpan(`span ${i}`)
      traces.push(span.spanContext().traceId)
      span.end()
    }
    await sdk.forceFlush()
    const kept = await Promise.all(traces.map(async (trace) => (await spansOf(base, trace)).map((s) => s.name)))
    expect(kept).toEqual(traces.map((_, i) => [`span ${i}`]))
    await sdk.shutdown()
  })

  it('answers a call whose message trickles in DEADLINE_EXCEEDED once an exporter would have given up, and gives its share back', async () => {
    const { base, panel, stalledGrpcCall } = await startToolbar({ otlpGrpcPort: 0 })
    const started = Date.now()
    const stalled = await Promise.all([1, 2, 3, 4].map(() => stalledGrpcCall(1000, 10)))
    const ends = await Promise.all(stalled.map((call) => call.ended))
    expect(ends).toEqual(Array(4).fill({ code: grpc.status.DEADLINE_EXCEEDED, message: 'the message did not arrive within 10 s' }))
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(await grpcExport(panel.receivers!.grpc!.port!, traceId(8))).toBeNull()
    expect((await spansOf(base, traceId(8))).map((s) => s.name)).toEqual(['job'])
  }, 20_000)
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
