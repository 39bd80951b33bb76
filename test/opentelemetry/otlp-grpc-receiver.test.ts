import { afterEach, describe, expect, it, vi } from 'vitest'
import * as grpc from '@grpc/grpc-js'
import { Hono } from 'hono'
import { once } from 'node:events'
import { createServer, type AddressInfo } from 'node:net'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryConfigError, OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { decodeExportTraceServiceResponse, encodeExportTraceServiceRequest, TRACE_SERVICE_EXPORT_PATH } from '../../src/opentelemetry/otlp-proto.js'

const panels: OpenTelemetryPanel[] = []

function startPanel(options: ConstructorParameters<typeof OpenTelemetryPanel>[0]) {
  const panel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'frontend', ...options })
  panels.push(panel)
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [panel] }))
  return { panel, app }
}

afterEach(async () => {
  await Promise.all(panels.splice(0).map((panel) => panel.shutdown()))
  vi.restoreAllMocks()
})

/** Sends raw bytes as an OTLP/gRPC Export call. */
function exportBytes(port: number, bytes: Uint8Array, options: grpc.ChannelOptions = {}): Promise<{ error: grpc.ServiceError | null; answer?: Buffer }> {
  const Client = grpc.makeGenericClientConstructor(
    { Export: { path: TRACE_SERVICE_EXPORT_PATH, requestStream: false, responseStream: false, requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b } },
    'TraceService',
  )
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), options)
  return new Promise((resolve) => {
    ;(client as unknown as { Export: (req: Buffer, cb: (error: grpc.ServiceError | null, answer?: Buffer) => void) => void }).Export(Buffer.from(bytes), (error, answer) => {
      client.close()
      resolve({ error, answer })
    })
  })
}

const id = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, '0')

describe('OTLP/gRPC receiver', () => {
  it('is off unless otlpGrpcPort is given', async () => {
    const { panel } = startPanel({})
    await panel.ready
    expect(panel.receivers!.grpc).toBeUndefined()
  })

  it("says so at startup when the panel's own exporter would send to this receiver, and only then", async () => {
    const warned = vi.spyOn(console, 'warn').mockImplementation(() => {})
    // A free port, named in both options.
    const probe = createServer().listen(0, '127.0.0.1')
    await once(probe, 'listening')
    const { port } = probe.address() as AddressInfo
    await new Promise((resolve) => probe.close(resolve))
    const looped = startPanel({ exporter: 'otlp', otlpProtocol: 'grpc', otlpEndpoint: `http://localhost:${port}`, otlpGrpcPort: port })
    await looped.panel.ready
    expect(warned.mock.calls.map(([line]) => String(line))).toEqual([
      `[hono-debug-toolbar] The OpenTelemetry panel exports to http://localhost:${port}, its own OTLP/gRPC receiver (otlpGrpcPort ${port}): ` +
        "its spans would come back to the toolbar and reach no collector. Set exporter: 'none', or point otlpEndpoint at your collector on another port.",
    ])
    warned.mockClear()
    // Elsewhere, or not exporting over gRPC: nothing to say.
    for (const options of [
      { exporter: 'otlp' as const, otlpProtocol: 'grpc' as const, otlpEndpoint: `http://collector.internal:${port}`, otlpGrpcPort: 0 },
      { exporter: 'otlp' as const, otlpProtocol: 'http/protobuf' as const, otlpEndpoint: 'http://localhost:4318/v1/traces', otlpGrpcPort: 0 },
      { otlpGrpcPort: 0 },
    ]) {
      const { panel } = startPanel(options)
      await panel.ready
    }
    expect(warned).not.toHaveBeenCalled()
  })

  it('answers a good export with success, a partly bad one with partialSuccess, garbage with INVALID_ARGUMENT', async () => {
    const { panel, app } = startPanel({ otlpGrpcPort: 0 })
    await panel.ready
    const port = panel.receivers!.grpc!.port!
    const traceId = id(0xb1, 16)
    const spans = [
      { traceId, spanId: id(1, 8), name: 'ok', startTimeUnixNano: '1000', endTimeUnixNano: '2000' },
      { traceId, spanId: id(0, 8), name: 'zero id', startTimeUnixNano: '1000', endTimeUnixNano: '2000' },
    ]
    const ok = await exportBytes(port, encodeExportTraceServiceRequest({ resourceSpans: [{ scopeSpans: [{ spans }] }] }))
    expect(ok.error).toBeNull()
    const { partialSuccess } = decodeExportTraceServiceResponse(new Uint8Array(ok.answer!))
    expect(partialSuccess).toMatchObject({ rejectedSpans: '1', errorMessage: expect.stringMatching(/spanId must not be all zeros/) })
    const trace = await (await app.request(`/_debug_toolbar/api/traces/${traceId}`, undefined, { incoming: { socket: { remoteAddress: '127.0.0.1' } } })).json()
    expect(trace.spans).toMatchObject([{ name: 'ok', source: 'otlp_grpc' }])
    const bad = await exportBytes(port, new Uint8Array([0x0a, 0x05, 0x12]))
    expect(bad.error?.code).toBe(grpc.status.INVALID_ARGUMENT)
    expect(bad.error?.details).toMatch(/invalid OTLP protobuf/)
    expect(panel.receivers!.ingest.counters).toMatchObject({ requests: 2, accepted: 1, rejected: 1, malformed: 1 })
  })

  it('takes gzip messages and refuses one that inflates past otlpMaxBodyBytes', async () => {
    const { panel } = startPanel({ otlpGrpcPort: 0, otlpMaxBodyBytes: 1024 * 1024 })
    await panel.ready
    const port = panel.receivers!.grpc!.port!
    const gzip = { 'grpc.default_compression_algorithm': 2 }
    const request = (name: string) =>
      encodeExportTraceServiceRequest({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: id(0xb2, 16), spanId: id(1, 8), name, startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }] })
    expect((await exportBytes(port, request('small'), gzip)).error).toBeNull()
    const bomb = await exportBytes(port, request('a'.repeat(4 * 1024 * 1024)), gzip)
    expect(bomb.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED)
  })

  it('reports a port in use as one clear line and a rejected ready; shutdown() frees the port', async () => {
    const first = startPanel({ otlpGrpcPort: 0 })
    await first.panel.ready
    const port = first.panel.receivers!.grpc!.port!
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const second = startPanel({ otlpGrpcPort: port })
    await expect(second.panel.ready).rejects.toThrow(`the OTLP/gRPC receiver cannot listen on 127.0.0.1:${port}: the port is already in use; choose another otlpGrpcPort`)
    expect(printed).toHaveBeenCalledTimes(1)
    await first.panel.shutdown()
    const third = startPanel({ otlpGrpcPort: port })
    await expect(third.panel.ready).resolves.toBeUndefined()
  })

  it('checks its options when the panel is made', () => {
    expect(() => new OpenTelemetryPanel({ exporter: 'none', otlpGrpcPort: 70_000 })).toThrow(OpenTelemetryConfigError)
    expect(() => new OpenTelemetryPanel({ exporter: 'none', otlpGrpcHost: 'example.com' })).toThrow(/otlpGrpcHost/)
    expect(() => new OpenTelemetryPanel({ exporter: 'none', otlpMaxBodyBytes: 0 })).toThrow(/otlpMaxBodyBytes/)
    expect(() => new OpenTelemetryPanel({ exporter: 'none', maxTraces: 1.5 })).toThrow(/maxTraces/)
  })
})
