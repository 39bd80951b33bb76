/**
 * Building the configured span exporters, and the toolbar's wrapper around them that
 * counts every export, warns once per failure streak, stops sending to a collector that
 * keeps failing (a circuit breaker per exporter), and never blocks or breaks the app:
 * a dead collector becomes a status line in the panel.
 */
import { Metadata } from '@grpc/grpc-js'
import { TraceFlags } from '@opentelemetry/api'
import { ExportResultCode } from '@opentelemetry/core'
import type { ExportResult } from '@opentelemetry/core'
import { OTLPTraceExporter as OtlpGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc'
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base'
import { ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base'
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base'
import { redactUrl } from './http-conventions.js'
import { ExportBreaker, resolveBreakerOptions, type BreakerStatus, type ExportBreakerOptions } from './export-breaker.js'
import type { ResolvedOpenTelemetryConfig } from './options.js'
import { ZipkinSpanExporter } from './zipkin-exporter.js'

export type SpanExportersConfig = Pick<
  ResolvedOpenTelemetryConfig,
  'exporters' | 'otlpEndpoint' | 'otlpProtocol' | 'otlpHeaders' | 'compression' | 'zipkinEndpoint' | 'serviceName'
> & {
  /** OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT for the OTLP exporters (ms); their default otherwise. */
  exportTimeoutMillis?: number
}

// Names shown in the panel ('otlp grpc http://127.0.0.1:4317'), kept beside the instances.
const exporterNames = new WeakMap<SpanExporter, string>()

/**
 * Builds the real exporters named in the config ('otlp' over gRPC, http/protobuf or
 * http/json; 'zipkin'; 'console'; 'none'); the user's own exporter instances pass through.
 *
 * @example
 * ```ts
 * const exporter = new ToolbarSpanExporter(createSpanExporters({
 *   exporters: ['otlp'], otlpEndpoint: 'http://localhost:4317', otlpProtocol: 'grpc',
 *   otlpHeaders: {}, compression: 'gzip',
 *   zipkinEndpoint: 'http://localhost:9411/api/v2/spans', serviceName: 'shop',
 * }))
 * ```
 */
export function createSpanExporters(config: SpanExportersConfig): SpanExporter[] {
  const exporters: SpanExporter[] = []
  for (const entry of config.exporters) {
    if (typeof entry !== 'string') {
      exporters.push(entry)
      continue
    }
    const exporter = namedExporter(entry, config)
    if (exporter) exporters.push(exporter)
  }
  return exporters
}

function namedExporter(name: string, config: SpanExportersConfig): SpanExporter | undefined {
  const compression = config.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE
  const url = config.otlpEndpoint
  const timeoutMillis = config.exportTimeoutMillis
  let exporter: SpanExporter
  switch (name) {
    case 'none':
      return undefined
    case 'console':
      exporter = new ConsoleSpanExporter()
      return named(exporter, 'console')
    case 'zipkin':
      exporter = new ZipkinSpanExporter({ url: config.zipkinEndpoint, serviceName: config.serviceName })
      return named(exporter, `zipkin ${shownEndpoint(config.zipkinEndpoint)}`)
    case 'otlp':
      if (config.otlpProtocol === 'grpc') {
        // A URL without a scheme means TLS; http:// means an insecure channel.
        const metadata = new Metadata()
        for (const [key, value] of Object.entries(config.otlpHeaders)) metadata.set(key, value)
        exporter = new OtlpGrpcExporter({ url, metadata, compression, timeoutMillis })
      } else if (config.otlpProtocol === 'http/json') {
        exporter = new OtlpJsonExporter({ url, headers: config.otlpHeaders, compression, timeoutMillis })
      } else {
        exporter = new OtlpProtoExporter({ url, headers: config.otlpHeaders, compression, timeoutMillis })
      }
      return named(exporter, `otlp ${config.otlpProtocol} ${shownEndpoint(url)}`)
    default:
      throw new Error(`unknown span exporter ${JSON.stringify(name)} (expected otlp, zipkin, console or none)`)
  }
}

/**
 * A collector URL as the panel shows it and the warnings print it: a hosted collector's
 * credentials, in the URL's user part or its query (`?api_key=`), are redacted as `url.full`
 * is. A gRPC endpoint without a scheme (`collector:4317`) has neither.
 */
function shownEndpoint(endpoint: string): string {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    return endpoint
  }
  // Left as written when there is nothing to redact ('http://localhost:4317', not '.../').
  return url.host && (url.username || url.password || url.search) ? redactUrl(url) : endpoint
}

function named(exporter: SpanExporter, name: string): SpanExporter {
  exporterNames.set(exporter, name)
  return exporter
}

/**
 * The name the panel shows for an exporter: 'otlp grpc http://127.0.0.1:4317' for one
 * built by `createSpanExporters`, else its class name.
 *
 * @example
 * ```ts
 * describeSpanExporter(new InMemorySpanExporter()) // 'InMemorySpanExporter'
 * ```
 */
export function describeSpanExporter(exporter: SpanExporter): string {
  return exporterNames.get(exporter) ?? exporter.constructor?.name ?? 'exporter'
}

/**
 * The exporter's error in words a developer can act on. The OTLP exporters retry a
 * collector that answers "try again later" until their time is up, then say only "Export
 * failed with retryable status".
 */
function plainError(error: Error | undefined): Error {
  if (!error) return new Error('export failed')
  if (error.message !== 'Export failed with retryable status') return error
  return new Error('the collector kept answering "try again later" (HTTP 429, 502, 503 or 504, or gRPC UNAVAILABLE) until the export\'s time ran out', { cause: error })
}

/** Counters of one exporter, or of all of them together. */
export interface ExportCounters {
  /** Batches handed to the exporter. */
  attempts: number
  successes: number
  failures: number
  /** Spans in successful batches. */
  spans: number
  lastError?: string
  lastDurationMs?: number
  /** Epoch milliseconds when the last batch finished. */
  lastExportAt?: number
}

/** What `ToolbarSpanExporter.status()` answers: JSON-serialisable. */
export interface ToolbarExporterStatus extends ExportCounters {
  exporters: Array<ExportCounters & { name: string; breaker?: BreakerStatus }>
  /** Spans the batch processor dropped because its queue was full (with `queueWatch`). */
  queueDropped?: number
  /** The batch processor's queue size (OTEL_BSP_MAX_QUEUE_SIZE), with `queueWatch`. */
  maxQueueSize?: number
}

export interface ToolbarSpanExporterOptions {
  /** Bound on each export, forceFlush and shutdown (ms, default 5,000). */
  timeoutMillis?: number
  /** Names for the panel, in the order of the exporters (default `describeSpanExporter`). */
  names?: string[]
  /** Where the once-per-streak warning goes (default console.warn). */
  warn?: (message: string) => void
  /** When to stop sending to a failing exporter, and for how long (see ExportBreaker). */
  breaker?: ExportBreakerOptions
}

interface Target {
  exporter: SpanExporter
  counters: ExportCounters & { name: string }
  failing: boolean
  breaker: ExportBreaker
}

/**
 * Sends each batch to every wrapped exporter and counts the outcome. It never throws into
 * the caller and answers every batch with success (failures live in `status()`), prints
 * one warning when an exporter starts failing (and again only after it has recovered in
 * between), and bounds exports, forceFlush and shutdown by a timeout. After
 * `breaker.failureThreshold` failures in a row (any failure: refused, timed out, 5xx) an
 * exporter gets no batch for a backoff period; its dropped spans are counted, then one
 * batch probes the collector.
 *
 * @example
 * ```ts
 * const exporter = new ToolbarSpanExporter(createSpanExporters(config))
 * const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] })
 * // later, in the panel:
 * exporter.status() // { attempts: 3, successes: 3, failures: 0, spans: 42, exporters: [...] }
 * ```
 */
export class ToolbarSpanExporter implements SpanExporter {
  private readonly targets: Target[]
  private readonly totals: ExportCounters = { attempts: 0, successes: 0, failures: 0, spans: 0 }
  private readonly timeoutMillis: number
  private readonly warn: (message: string) => void
  private shutdownPromise: Promise<void> | undefined
  /** The batch processor's queue as `queueWatch` mirrors it. */
  private queue: { max: number; held: number; dropped: number } | undefined

  constructor(exporters: SpanExporter | SpanExporter[], options: ToolbarSpanExporterOptions = {}) {
    const list = Array.isArray(exporters) ? exporters : [exporters]
    this.timeoutMillis = options.timeoutMillis ?? 5000
    this.warn = options.warn ?? ((message) => console.warn(message))
    const breaker = resolveBreakerOptions(options.breaker)
    this.targets = list.map((exporter, i) => ({
      exporter,
      counters: { name: options.names?.[i] ?? describeSpanExporter(exporter), attempts: 0, successes: 0, failures: 0, spans: 0 },
      failing: false,
      breaker: new ExportBreaker(breaker),
    }))
  }

  /**
   * A span processor to put right before the BatchSpanProcessor that feeds this exporter.
   * That processor drops a span that ends while its queue holds `maxQueueSize`, with no more
   * than a diagnostic message; this one mirrors the queue (+1 for each sampled span the
   * processor is given, -n for each batch this exporter receives) and counts those spans, so
   * the panel can say that a trace in Jaeger is missing some.
   *
   * @example
   * ```ts
   * const exporter = new ToolbarSpanExporter(createSpanExporters(config))
   * const spanProcessors = [exporter.queueWatch(2048), new BatchSpanProcessor(exporter, { maxQueueSize: 2048 })]
   * ```
   */
  queueWatch(maxQueueSize: number): SpanProcessor {
    const queue = (this.queue = { max: maxQueueSize, held: 0, dropped: 0 })
    return {
      onStart: () => undefined,
      onEnd: (span) => {
        if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return
        if (queue.held >= queue.max) queue.dropped++
        else queue.held++
      },
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    }
  }

  /**
   * Called by the span processor with a batch: sends it to every exporter whose breaker admits
   * it, counts the outcome, and always answers success.
   *
   * @example
   * ```ts
   * const exporter = new ToolbarSpanExporter([new OTLPTraceExporter({ url: 'http://localhost:4317' })])
   * exporter.export(spans, (result) => {
   *   result.code // ExportResultCode.SUCCESS, even with the collector down: see exporter.status()
   * })
   * ```
   */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    // The batch processor took these out of its queue to hand them over.
    if (this.queue) this.queue.held = Math.max(0, this.queue.held - spans.length)
    if (this.shutdownPromise) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('span exporter is shut down') })
      return
    }
    const started = performance.now()
    const sending = this.targets.filter((target) => target.breaker.admit(spans.length) !== 'drop')
    if (this.targets.length > 0 && sending.length === 0) {
      // Every exporter's breaker is open: the batch is dropped and counted there.
      resultCallback({ code: ExportResultCode.SUCCESS })
      return
    }
    this.totals.attempts++
    void Promise.all(sending.map((target) => this.exportTo(target, spans))).then((errors) => {
      const error = errors.find((e) => e !== undefined)
      this.count(this.totals, spans.length, error, performance.now() - started)
      // The failure is counted and warned about here. Reporting it to the span processor
      // too would make its forceFlush() reject and its error handler log every failing
      // batch; it would not retry either way.
      resultCallback({ code: ExportResultCode.SUCCESS })
    })
  }

  /**
   * Flushes every exporter; resolves even when one fails or hangs.
   *
   * @example
   * ```ts
   * await exporter.forceFlush() // at most timeoutMillis (5 s by default), collector up or not
   * ```
   */
  async forceFlush(): Promise<void> {
    await Promise.all(this.targets.map((t) => this.bounded(async () => t.exporter.forceFlush?.())))
  }

  /**
   * Shuts every exporter down; resolves even when one fails or hangs, and only once.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', async () => {
   *   await provider.shutdown() // the processor's last batch, then exporter.shutdown(), bounded by timeoutMillis
   * })
   * ```
   */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= Promise.all(
      this.targets.map((t) => this.bounded(async () => t.exporter.shutdown())),
    ).then(() => undefined)
    return this.shutdownPromise
  }

  /**
   * A JSON-serialisable snapshot of the counters, overall and per exporter.
   *
   * @example
   * ```ts
   * exporter.status()
   * // { attempts: 4, successes: 3, failures: 1, spans: 57, lastError: '14 UNAVAILABLE: No connection established',
   * //   exporters: [{ name: 'otlp grpc http://localhost:4317', ..., breaker: { state: 'closed', ... } }] }
   * ```
   */
  status(): ToolbarExporterStatus {
    const queue = this.queue ? { queueDropped: this.queue.dropped, maxQueueSize: this.queue.max } : {}
    return { ...this.totals, ...queue, exporters: this.targets.map((t) => ({ ...t.counters, breaker: t.breaker.status() })) }
  }

  // Resolves to the error of a failed export, or undefined; never rejects.
  private exportTo(target: Target, spans: ReadableSpan[]): Promise<Error | undefined> {
    const started = performance.now()
    target.counters.attempts++
    return new Promise<Error | undefined>((resolve) => {
      let done = false
      const finish = (error: Error | undefined) => {
        if (done) return
        done = true
        clearTimeout(timer)
        resolve(error)
      }
      const timer = setTimeout(() => finish(new Error(`export timed out after ${this.timeoutMillis} ms`)), this.timeoutMillis)
      timer.unref?.()
      try {
        target.exporter.export(spans, (result) => {
          finish(result.code === ExportResultCode.SUCCESS ? undefined : plainError(result.error))
        })
      } catch (error) {
        finish(error instanceof Error ? error : new Error(String(error)))
      }
    }).then((error) => {
      this.count(target.counters, spans.length, error, performance.now() - started)
      target.breaker.record(error === undefined)
      if (error && !target.failing) {
        this.warn(`[hono-debug-toolbar] span export to ${target.counters.name} failed: ${error.message}` +
          ' (further failures are counted in the OpenTelemetry panel until an export succeeds)')
      }
      target.failing = error !== undefined
      return error
    })
  }

  private count(counters: ExportCounters, spanCount: number, error: Error | undefined, durationMs: number): void {
    if (error) {
      counters.failures++
      counters.lastError = error.message
    } else {
      counters.successes++
      counters.spans += spanCount
    }
    counters.lastDurationMs = Math.round(durationMs * 1000) / 1000
    counters.lastExportAt = Date.now()
  }

  private bounded(run: () => Promise<unknown>): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.timeoutMillis)
      timer.unref?.()
      const settle = () => {
        clearTimeout(timer)
        resolve()
      }
      // The SDK's exporters reject forceFlush after a failed export; that is already counted.
      run().then(settle, settle)
    })
  }
}
