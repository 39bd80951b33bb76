import { describe, expect, it } from 'vitest'
import { ExportResultCode } from '@opentelemetry/core'
import type { ExportResult } from '@opentelemetry/core'
import { BasicTracerProvider, ConsoleSpanExporter, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base'
import { ToolbarSpanExporter, createSpanExporters, describeSpanExporter } from '../../src/opentelemetry/exporter.js'
import { ZipkinSpanExporter } from '../../src/opentelemetry/zipkin-exporter.js'

/** An exporter whose next results the test decides; 'hang' never calls back. */
class ScriptedExporter implements SpanExporter {
  results: Array<'ok' | 'fail' | 'throw' | 'hang'> = []
  received = 0
  shutdownCalls = 0
  hangOnShutdown = false

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const next = this.results.shift() ?? 'ok'
    if (next === 'throw') throw new Error('exporter threw')
    if (next === 'hang') return
    this.received += spans.length
    done(next === 'ok' ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error: new Error('collector unavailable') })
  }

  shutdown(): Promise<void> {
    this.shutdownCalls++
    return this.hangOnShutdown ? new Promise(() => {}) : Promise.resolve()
  }

  forceFlush(): Promise<void> {
    return Promise.reject(new Error('flush failed'))
  }
}

function someSpans(count: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter()
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] }).getTracer('test')
  for (let i = 0; i < count; i++) tracer.startSpan(`span ${i}`).end()
  return memory.getFinishedSpans()
}

function exportOnce(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve))
}

const baseConfig = {
  otlpEndpoint: 'http://127.0.0.1:4317',
  otlpProtocol: 'grpc' as const,
  otlpHeaders: {},
  compression: 'none' as const,
  zipkinEndpoint: 'http://127.0.0.1:9411/api/v2/spans',
  serviceName: 'shop',
}

describe('createSpanExporters', () => {
  it('builds the named exporters and passes the user\'s own through', async () => {
    const mine = new InMemorySpanExporter()
    const exporters = createSpanExporters({ ...baseConfig, exporters: ['otlp', 'zipkin', 'console', 'none', mine] })
    expect(exporters).toHaveLength(4)
    expect(exporters.map(describeSpanExporter)).toEqual([
      'otlp grpc http://127.0.0.1:4317',
      'zipkin http://127.0.0.1:9411/api/v2/spans',
      'console',
      'InMemorySpanExporter',
    ])
    expect(exporters[1]).toBeInstanceOf(ZipkinSpanExporter)
    expect(exporters[2]).toBeInstanceOf(ConsoleSpanExporter)
    expect(exporters[3]).toBe(mine)
    await Promise.all(exporters.map((e) => e.shutdown()))
  })

  it('names the OTLP exporter after its protocol', async () => {
    for (const otlpProtocol of ['http/protobuf', 'http/json'] as const) {
      const [exporter] = createSpanExporters({ ...baseConfig, otlpEndpoint: 'http://127.0.0.1:4318/v1/traces', otlpProtocol, exporters: ['otlp'] })
      expect(describeSpanExporter(exporter)).toBe(`otlp ${otlpProtocol} http://127.0.0.1:4318/v1/traces`)
      await exporter.shutdown()
    }
  })

  it('refuses an unknown exporter name', () => {
    expect(() => createSpanExporters({ ...baseConfig, exporters: ['jaeger' as 'otlp'] })).toThrow(/unknown span exporter "jaeger"/)
  })
})

describe('ToolbarSpanExporter', () => {
  it('counts attempts, successes, failures and spans, per exporter and overall', async () => {
    const good = new ScriptedExporter()
    const bad = new ScriptedExporter()
    bad.results = ['fail', 'ok']
    const exporter = new ToolbarSpanExporter([good, bad], { names: ['good', 'bad'], warn: () => {} })

    await exportOnce(exporter, someSpans(3))
    await exportOnce(exporter, someSpans(2))

    const status = exporter.status()
    expect(status).toMatchObject({ attempts: 2, successes: 1, failures: 1, spans: 2, lastError: 'collector unavailable' })
    expect(status.exporters).toMatchObject([
      { name: 'good', attempts: 2, successes: 2, failures: 0, spans: 5 },
      { name: 'bad', attempts: 2, successes: 1, failures: 1, spans: 2, lastError: 'collector unavailable' },
    ])
    expect(status.lastDurationMs).toBeGreaterThanOrEqual(0)
    expect(typeof status.lastExportAt).toBe('number')
    expect(JSON.parse(JSON.stringify(status))).toEqual(status)
  })

  it('warns once per failure streak', async () => {
    const inner = new ScriptedExporter()
    inner.results = ['fail', 'fail', 'fail', 'ok', 'fail', 'fail']
    const warnings: string[] = []
    const exporter = new ToolbarSpanExporter(inner, { names: ['otlp grpc http://127.0.0.1:4317'], warn: (m) => warnings.push(m) })

    for (let i = 0; i < 3; i++) await exportOnce(exporter, someSpans(1))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('span export to otlp grpc http://127.0.0.1:4317 failed: collector unavailable')

    await exportOnce(exporter, someSpans(1))
    await exportOnce(exporter, someSpans(1))
    await exportOnce(exporter, someSpans(1))
    expect(warnings).toHaveLength(2)
    expect(exporter.status()).toMatchObject({ attempts: 6, successes: 1, failures: 5 })
  })

  it('warns through console.warn by default', async () => {
    const inner = new ScriptedExporter()
    inner.results = ['fail', 'fail']
    const original = console.warn
    const printed: unknown[][] = []
    console.warn = (...args: unknown[]) => { printed.push(args) }
    try {
      const exporter = new ToolbarSpanExporter(inner)
      await exportOnce(exporter, someSpans(1))
      await exportOnce(exporter, someSpans(1))
    } finally {
      console.warn = original
    }
    expect(printed).toHaveLength(1)
    expect(String(printed[0][0])).toContain('ScriptedExporter failed')
  })

  it('counts an exporter that throws instead of throwing into the caller', async () => {
    const inner = new ScriptedExporter()
    inner.results = ['throw']
    const exporter = new ToolbarSpanExporter(inner, { warn: () => {} })
    // The span processor is told all is well, so its forceFlush() does not reject.
    const result = await exportOnce(exporter, someSpans(1))
    expect(result.code).toBe(ExportResultCode.SUCCESS)
    expect(exporter.status()).toMatchObject({ failures: 1, lastError: 'exporter threw' })
  })

  it('gives up on an export that never calls back, and counts it as failed', async () => {
    const inner = new ScriptedExporter()
    inner.results = ['hang']
    const exporter = new ToolbarSpanExporter(inner, { timeoutMillis: 50, warn: () => {} })
    await exportOnce(exporter, someSpans(1))
    expect(exporter.status()).toMatchObject({ failures: 1, lastError: 'export timed out after 50 ms' })
  })

  it('returns from shutdown of a hung exporter, and from a rejecting forceFlush', async () => {
    const hung = new ScriptedExporter()
    hung.hangOnShutdown = true
    const exporter = new ToolbarSpanExporter([hung, new ScriptedExporter()], { timeoutMillis: 50 })
    await expect(exporter.forceFlush()).resolves.toBeUndefined()
    await expect(exporter.shutdown()).resolves.toBeUndefined()
    await expect(exporter.shutdown()).resolves.toBeUndefined()
    expect(hung.shutdownCalls).toBe(1)
  })

  it('refuses exports after shutdown without touching the exporters', async () => {
    const inner = new ScriptedExporter()
    const exporter = new ToolbarSpanExporter(inner)
    await exporter.shutdown()
    expect((await exportOnce(exporter, someSpans(1))).code).toBe(ExportResultCode.FAILED)
    expect(inner.received).toBe(0)
    expect(exporter.status().attempts).toBe(0)
  })

  it('succeeds at once with no exporters (exporter "none")', async () => {
    const exporter = new ToolbarSpanExporter([])
    expect((await exportOnce(exporter, someSpans(1))).code).toBe(ExportResultCode.SUCCESS)
    expect(exporter.status()).toMatchObject({ attempts: 1, successes: 1, spans: 1, exporters: [] })
  })
})
