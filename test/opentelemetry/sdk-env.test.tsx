/** @jsxImportSource preact */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Hono } from 'hono'
import { renderToString } from 'preact-render-to-string'
import { trace } from '@opentelemetry/api'
import { AlwaysOnSampler, InMemorySpanExporter, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base'
import type { ExportResult } from '@opentelemetry/core'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel, OpenTelemetryConfigError, type OpenTelemetryStats } from '../../src/opentelemetry/index.js'
import { resolveSdkSettings, samplerFor } from '../../src/opentelemetry/sdk-env.js'
import { collectorHint } from '../../src/opentelemetry/collector-hint.js'
import { OpenTelemetryView } from '../../templates/client/panels/opentelemetry.js'
import { startDeadEndpoint } from '../../integration/peers/dead-endpoint.js'
import { request } from '../support/local.js'
import { withSpans, type StatsWithSpans } from '../support/trace-spans.js'

afterEach(() => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

function withEnv(vars: Record<string, string>) {
  for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value)
}

/** An app with the panel, and the panel's stats for a request. */
function appWith(options: ConstructorParameters<typeof OpenTelemetryPanel>[0]) {
  const panel = new OpenTelemetryPanel({ serviceName: 'shop', ...options })
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [panel] }))
  app.get('/work', (c) => {
    const span = trace.getTracer('app').startSpan('app work', { attributes: { a: 1, b: 2, c: 3, d: 4 } })
    span.end()
    return c.html('<body>ok</body>')
  })
  const stats = async (): Promise<StatsWithSpans> => {
    const res = await request(app, '/work')
    const id = res.headers.get('x-debug-toolbar-request-id')
    return withSpans(app, (await request(app, `/_debug_toolbar/api/requests/${id}`)).json().panels.opentelemetry as OpenTelemetryStats)
  }
  return { panel, stats }
}

/** An exporter that remembers the size of each batch it was given. */
class BatchSizes implements SpanExporter {
  readonly sizes: number[] = []
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.sizes.push(spans.length)
    done({ code: 0 })
  }
  async shutdown(): Promise<void> {}
}

describe('resolveSdkSettings', () => {
  it('gives the specification defaults, with the toolbar batch delay of 1 s', () => {
    expect(resolveSdkSettings({}, false)).toEqual({
      disabledBy: undefined,
      sampler: { name: 'parentbased_always_on', source: 'default' },
      batch: { scheduledDelayMillis: 1000, exportTimeoutMillis: 30_000, maxQueueSize: 2048, maxExportBatchSize: 512 },
      spanLimits: {
        attributeCountLimit: 128,
        attributeValueLengthLimit: Infinity,
        eventCountLimit: 128,
        linkCountLimit: 128,
        attributePerEventCountLimit: 128,
        attributePerLinkCountLimit: 128,
      },
      exportTimeoutMillis: undefined,
    })
  })

  it('reads every variable, the specific limit over the general one', () => {
    const settings = resolveSdkSettings(
      {
        OTEL_SDK_DISABLED: 'TRUE',
        OTEL_TRACES_SAMPLER: 'ParentBased_TraceIdRatio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_BSP_SCHEDULE_DELAY: '0',
        OTEL_BSP_EXPORT_TIMEOUT: '500',
        OTEL_BSP_MAX_QUEUE_SIZE: '10',
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10',
        OTEL_ATTRIBUTE_COUNT_LIMIT: '7',
        OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '50',
        OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '3',
        OTEL_SPAN_EVENT_COUNT_LIMIT: '4',
        OTEL_SPAN_LINK_COUNT_LIMIT: '5',
        OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: '6',
        OTEL_EXPORTER_OTLP_TIMEOUT: '2000',
        OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '1500',
      },
      false,
    )
    expect(settings).toEqual({
      disabledBy: 'OTEL_SDK_DISABLED',
      sampler: { name: 'parentbased_traceidratio', ratio: 0.25, source: 'OTEL_TRACES_SAMPLER' },
      batch: { scheduledDelayMillis: 0, exportTimeoutMillis: 500, maxQueueSize: 10, maxExportBatchSize: 10 },
      spanLimits: {
        attributeCountLimit: 3,
        attributeValueLengthLimit: 50,
        eventCountLimit: 4,
        linkCountLimit: 5,
        attributePerEventCountLimit: 7,
        attributePerLinkCountLimit: 6,
      },
      exportTimeoutMillis: 1500,
    })
    expect(resolveSdkSettings({ OTEL_EXPORTER_OTLP_TIMEOUT: '2000', OTEL_SDK_DISABLED: 'false' }, false)).toMatchObject({
      exportTimeoutMillis: 2000,
      disabledBy: undefined,
    })
  })

  it('does not read OTEL_TRACES_SAMPLER when the sampler option is given, and defaults the ratio to 1', () => {
    expect(resolveSdkSettings({ OTEL_TRACES_SAMPLER: 'nonsense' }, true).sampler).toEqual({ name: 'option', source: 'sampler option' })
    expect(resolveSdkSettings({ OTEL_TRACES_SAMPLER: 'traceidratio' }, false).sampler).toMatchObject({ ratio: 1 })
    expect(resolveSdkSettings({ OTEL_TRACES_SAMPLER: 'always_off', OTEL_TRACES_SAMPLER_ARG: 'ignored' }, false).sampler).toEqual({
      name: 'always_off',
      source: 'OTEL_TRACES_SAMPLER',
    })
  })

  it.each([
    [{ OTEL_SDK_DISABLED: 'yes' }, 'OTEL_SDK_DISABLED: expected true or false, got "yes"'],
    [{ OTEL_TRACES_SAMPLER: 'xray' }, 'OTEL_TRACES_SAMPLER: unknown sampler "xray"'],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' }, 'OTEL_TRACES_SAMPLER_ARG: expected a probability from 0 to 1, got "1.5"'],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0x1' }, 'OTEL_TRACES_SAMPLER_ARG'],
    [{ OTEL_BSP_SCHEDULE_DELAY: '-1' }, 'OTEL_BSP_SCHEDULE_DELAY: expected a non-negative integer, got "-1"'],
    [{ OTEL_BSP_MAX_QUEUE_SIZE: '0' }, 'OTEL_BSP_MAX_QUEUE_SIZE: expected a positive integer, got "0"'],
    [{ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4096' }, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE: 4096 is more than the queue size 2048'],
    [{ OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '1e3' }, 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: expected a non-negative integer, got "1e3"'],
    [{ OTEL_EXPORTER_OTLP_TIMEOUT: '10s' }, 'OTEL_EXPORTER_OTLP_TIMEOUT: expected a positive integer, got "10s"'],
  ])('stops at startup on %o', (env, message) => {
    expect(() => resolveSdkSettings(env, false)).toThrow(OpenTelemetryConfigError)
    expect(() => resolveSdkSettings(env, false)).toThrow(message)
  })

  it('builds the sampler each name stands for', () => {
    expect(samplerFor({ name: 'always_on', source: 'OTEL_TRACES_SAMPLER' }).toString()).toBe('AlwaysOnSampler')
    expect(samplerFor({ name: 'always_off', source: 'OTEL_TRACES_SAMPLER' }).toString()).toBe('AlwaysOffSampler')
    expect(samplerFor({ name: 'traceidratio', ratio: 0.5, source: 'OTEL_TRACES_SAMPLER' }).toString()).toBe('TraceIdRatioBased{0.5}')
    expect(samplerFor({ name: 'parentbased_always_off', source: 'OTEL_TRACES_SAMPLER' }).toString()).toContain('root=AlwaysOffSampler')
    expect(samplerFor({ name: 'parentbased_traceidratio', ratio: 0.1, source: 'OTEL_TRACES_SAMPLER' }).toString()).toContain('TraceIdRatioBased{0.1}')
    expect(samplerFor({ name: 'parentbased_always_on', source: 'default' }).toString()).toContain('root=AlwaysOnSampler')
  })
})

describe('the SDK variables in a running app', () => {
  it('OTEL_SDK_DISABLED: the waterfall is recorded, nothing is exported, and the panel says why', async () => {
    withEnv({ OTEL_SDK_DISABLED: 'true' })
    const memory = new InMemorySpanExporter()
    const { panel, stats } = appWith({ exporter: memory })
    const s = await stats()
    expect(s.spans.map((span) => span.name)).toContain('GET /work')
    await panel.forceFlush()
    expect(memory.getFinishedSpans()).toEqual([])
    expect(s.sdkDisabledBy).toBe('OTEL_SDK_DISABLED')
    expect(s.export.exporters).toEqual([])
    // The view names the receiver URLs after the page's origin.
    vi.stubGlobal('location', { origin: 'http://127.0.0.1:3000' })
    const html = renderToString(<OpenTelemetryView stats={s} request={{} as never} prefix="/_debug_toolbar" openRequest={() => {}} />)
    expect(html).toContain('disabled by <code>OTEL_SDK_DISABLED=true</code>')
    await panel.shutdown()
  })

  it('OTEL_TRACES_SAMPLER=always_off records no span; the sampler option wins over the variable', async () => {
    withEnv({ OTEL_TRACES_SAMPLER: 'always_off' })
    const off = appWith({ exporter: 'none' })
    expect((await off.stats()).spans).toEqual([])
    const on = appWith({ exporter: 'none', sampler: new AlwaysOnSampler() })
    expect((await on.stats()).spans.map((span) => span.name)).toContain('GET /work')
  })

  it('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT bounds the attributes of the panel provider spans', async () => {
    withEnv({ OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '2' })
    const { panel, stats } = appWith({ exporter: 'none' })
    // The app's tracer is the global provider's: the first panel of the process registered it.
    const span = panel.provider!.getTracer('t').startSpan('x', { attributes: { a: 1, b: 2, c: 3 } }) as unknown as ReadableSpan
    expect(Object.keys(span.attributes)).toHaveLength(2)
    const server = (await stats()).spans.find((s) => s.kind === 'SERVER')!
    expect(Object.keys(server.attributes).length).toBeLessThanOrEqual(2)
  })

  it('OTEL_BSP_MAX_EXPORT_BATCH_SIZE splits what the panel exports into batches of that size', async () => {
    withEnv({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2', OTEL_BSP_SCHEDULE_DELAY: '60000' })
    const sizes = new BatchSizes()
    const { panel } = appWith({ exporter: sizes })
    const tracer = panel.provider!.getTracer('t')
    for (let i = 0; i < 5; i++) tracer.startSpan(`s${i}`).end()
    await panel.forceFlush()
    expect(sizes.sizes.reduce((a, b) => a + b, 0)).toBe(5)
    expect(Math.max(...sizes.sizes)).toBe(2)
    await panel.shutdown()
  })

  it('OTEL_EXPORTER_OTLP_TIMEOUT bounds an export to a collector that never answers', async () => {
    const dead = await startDeadEndpoint('silent')
    withEnv({ OTEL_EXPORTER_OTLP_TIMEOUT: '300' })
    const panel = new OpenTelemetryPanel({ serviceName: 'shop', otlpProtocol: 'http/protobuf', otlpEndpoint: `${dead.url}/v1/traces` })
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    panel.provider!.getTracer('t').startSpan('x').end()
    await panel.forceFlush()
    const status = panel.exporter!.status()
    expect(status.failures).toBe(1)
    expect(status.lastError).toMatch(/time/i)
    await panel.shutdown()
    await dead.close()
  })
})

describe('a first run without a collector', () => {
  it('prints one line that says what to do, not the gRPC error', async () => {
    const dead = await startDeadEndpoint('closed')
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const panel = new OpenTelemetryPanel({ serviceName: 'shop', otlpEndpoint: dead.url })
    panel.provider!.getTracer('t').startSpan('x').end()
    await panel.forceFlush()
    panel.provider!.getTracer('t').startSpan('y').end()
    await panel.forceFlush()
    const lines = warn.mock.calls.map((call) => call.join(' '))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toBe(
      `[hono-debug-toolbar] No OTLP collector at ${dead.url}: the waterfall works without one; to see traces in Jaeger, ` +
        'start Jaeger with `docker run --rm -p 16686:16686 -p 4317:4317 -p 4318:4318 cr.jaegertracing.io/jaegertracing/jaeger:2.11.0`, ' +
        'or set OTEL_TRACES_EXPORTER=none to stop exporting.',
    )
    expect(lines[0]).not.toContain('UNAVAILABLE')
    await panel.shutdown()
    await dead.close()
  })

  it('names Zipkin for the Zipkin exporter, and leaves other errors as they are', () => {
    expect(collectorHint('zipkin http://localhost:9411/api/v2/spans', 'fetch failed')).toContain('start Zipkin with `docker run --rm -p 9411:9411 openzipkin/zipkin`')
    expect(collectorHint('otlp grpc http://localhost:4317', '16 UNAUTHENTICATED: bad token')).toBeUndefined()
    expect(collectorHint('MyExporter', 'connect ECONNREFUSED 127.0.0.1:1')).toContain('start the collector')
  })
})
