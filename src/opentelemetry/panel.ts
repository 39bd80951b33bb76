/**
 * The OpenTelemetry panel: the request hooks, the stats the view reads and the panel's life
 * cycle (setup, shutdown, retire). Longer than 400 lines because it is one class whose hooks
 * share its fields (tracer, processor, converter, receivers), and a panel reads best whole;
 * about 250 of its lines are the JSDoc of its public methods. The parts that stand alone
 * live in their own files: the stats' shape (panel-stats), what the panel keeps per request
 * (panel-state), the SDK it sets up (tracer-provider), the request span (request-span), the
 * converter, the trace store, the exporters, the receivers and the propagators.
 */
import { context, type Context as OtelContext, type Tracer } from '@opentelemetry/api'
import type { Context } from 'hono'
import type { BasicTracerProvider, ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { Panel, type ServerTimingMetric } from '../core/panel.js'
import type { ToolbarHost } from '../core/host.js'
import { PROCESS_INSTANCE, type StoredRequest, type ToolbarStore } from '../core/store.js'
import type { ToolbarEvents } from '../core/events.js'
import { LATE_SAVE_MS, type RequestRecord, type SlotKey } from '../core/record.js'
import { packageVersion } from '../core/package-root.js'
import { selfExportWarning } from './collector-hint.js'
import { resolveOpenTelemetryConfig } from './config.js'
import { PanelDataConverter, type ConvertKind } from './converter.js'
import type { LateWork } from './late-work.js'
import { convertLateWrite, convertPendingNow, lateConversion } from './late-close.js'
import type { ToolbarSpanExporter } from './exporter.js'
import { fetchPropagation } from './fetch.js'
import { panelTraceSource } from './trace-source.js'
import type { TraceSource } from '../core/trace-source.js'
import type { OpenTelemetryPanelOptions, ResolvedOpenTelemetryConfig } from './options.js'
import { toolbarSpanProcessor, type ToolbarSpanProcessor } from './processor.js'
import type { TraceSettings } from './trace-store.js'
import { createPropagator, headersSetter, recordHeadersGetter, type ToolbarCompositePropagator } from './propagators.js'
import { baggageView } from './baggage.js'
import { describeLateResponse, describeResponse, endRequestSpan, startRequestSpan } from './request-span.js'
import { registerTraceRoutes } from './routes.js'
import { registerZipkinReceiver, ZIPKIN_SPANS_PATH } from './zipkin-receiver.js'
import { registerAnalysisRoutes } from './analysis-routes.js'
import { registerTraceImport } from './trace-import.js'
import { resolveReceiverConfig, type ReceiverConfig } from './receiver-config.js'
import { bodyBudget, startReceivers, type OtlpReceivers } from './receivers.js'
import type { BodyBudget } from './otlp-body.js'
import { OTLP_HTTP_TRACES_PATH } from './otlp-http-receiver.js'
import { traceContextStats } from './trace-context-stats.js'
import { flushOnSignals, settleWithin } from './shutdown.js'
import { holdGlobalTracerProvider, releaseGlobals } from './global-forwarders.js'
import { queueLateSpans, saveAllLateSpans, saveLateSpans, saveRecordedSpans } from './store-spans.js'
import { SLOTS } from '../shapes/records.js'
import type { ToolbarSpan } from './span-model.js'
import { isReceivedSource } from '../core/span-model.js'
import { markWebSocketUpgrade, type WebSocketTracing } from './websocket.js'
import { registerExportStatusRoute } from './export-status-route.js'
import { NO_EXPORT, traceLinks, type OpenTelemetryStats, type ReceiverStatus } from './panel-stats.js'
import { PANEL_SLOT, traceparentOf, type PanelState } from './panel-state.js'
import { createPanelProvider, describeSampler, registerContextGlobals } from './tracer-provider.js'

export type { ConvertedCount, OpenTelemetryStats, ReceiverStatus } from './panel-stats.js'



const KINDS: ConvertKind[] = ['timer', 'sql', 'logging', 'profiling', 'templates']


/**
 * The OpenTelemetry panel: every recorded request is a trace. It starts the request's
 * SERVER span (or adopts the app's own), makes it the active span for the handler, collects
 * every span of the trace (the app's instrumentation included), turns the other panels' data
 * into child spans, exports the trace off the request path, and shows it as a waterfall with
 * links to Jaeger, Zipkin and Grafana Tempo.
 *
 * Unless `tracerProvider` is given, the panel makes its own provider and registers it, an
 * AsyncLocalStorage context manager and the configured propagators (OTEL_PROPAGATORS;
 * default W3C Trace Context and Baggage) as the OpenTelemetry globals, each only if none
 * is registered yet (or the panel holding it retired, after a save under Vite's dev
 * server: the provider and propagator then forward to this panel's). With
 * `tracerProvider`, add `toolbarSpanProcessor()` to that provider.
 *
 * @example
 * ```ts
 * import { debugToolbar } from 'hono-debug-toolbar'
 * import { OpenTelemetryPanel } from 'hono-debug-toolbar/opentelemetry'
 *
 * app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ serviceName: 'shop', exporter: 'otlp' })] }))
 * ```
 */
export class OpenTelemetryPanel extends Panel<OpenTelemetryStats> {
  readonly id = 'opentelemetry'
  readonly title = 'OpenTelemetry'
  readonly config: ResolvedOpenTelemetryConfig
  readonly processor: ToolbarSpanProcessor
  /** The panel's own provider; undefined when the app's `tracerProvider` is used. */
  readonly provider: BasicTracerProvider | undefined
  /** Where the panel's provider exports; undefined with the app's `tracerProvider`. */
  readonly exporter: ToolbarSpanExporter | undefined
  /** The receivers' settings (`otlpGrpcPort`, `otlpGrpcHost`, `otlpMaxBodyBytes`, `maxTraces`). */
  readonly receiverConfig: ReceiverConfig
  /** The OTLP receivers, once the panel is set up by the toolbar. */
  receivers: OtlpReceivers | undefined
  /** The bytes of span bodies read at once, over the HTTP receivers and the import. */
  private bodyBudget: BodyBudget | undefined
  private readonly tracer: Tracer
  /** The configured propagators, composed (OTEL_PROPAGATORS / `propagators`). */
  private readonly propagator: ToolbarCompositePropagator
  // Made once, not per request: the request's trace context in, and out on each fetch.
  private readonly extract = (record: RequestRecord, parent: OtelContext) => this.propagator.extract(parent, record, recordHeadersGetter)
  private readonly inject = (ctx: OtelContext, headers: Headers) => this.propagator.inject(ctx, headers, headersSetter)
  private readonly converter: PanelDataConverter
  /** Marks a request's `fetch()` calls for tracing (undefined with `propagateFetch: false`). */
  private readonly propagateFetch: ((record: RequestRecord) => void) | undefined
  /** How the sampler describes itself, for the Context section. */
  private readonly samplerDescription: string
  /** Lent to `tracedWebSocket` through each request's record; also converts the requests' late work. */
  private readonly websocketTracing: WebSocketTracing
  private prefix = '/_debug_toolbar'
  private events: ToolbarEvents | undefined
  /** How each recorded request's trace is kept: one object for all of them. */
  private traceSettings: TraceSettings
  /** The toolbar's store: a durable one keeps the recorded spans too. */
  private store: ToolbarStore | undefined
  /** The toolbar that set the panel up: `shutdown()` waits for its `writeStore()`. */
  private host: ToolbarHost | undefined
  /** The traces as the trace routes and the MCP server read them (memory and the durable store). */
  private traceSource: TraceSource | undefined
  private forgetSignals: (() => void) | undefined
  private shutdownPromise: Promise<void> | undefined
  private globalsRegistered = false

  constructor(options: OpenTelemetryPanelOptions = {}) {
    super()
    // A wrong option or OTEL_* variable fails here, at startup, naming the culprit.
    this.config = resolveOpenTelemetryConfig(options)
    this.traceSettings = { maxSpans: this.config.maxSpansPerTrace, gracePeriodMs: this.config.gracePeriodMs }
    this.receiverConfig = resolveReceiverConfig(options)
    this.processor = toolbarSpanProcessor()
    this.propagator = createPropagator(this.config.propagators)
    const scope = ['hono-debug-toolbar', packageVersion()] as const
    if (options.tracerProvider) {
      this.provider = undefined
      this.exporter = undefined
      this.tracer = options.tracerProvider.getTracer(...scope)
    } else {
      const made = createPanelProvider(this.config, options, this.processor)
      this.exporter = made.exporter
      this.provider = made.provider
      this.tracer = this.provider.getTracer(...scope)
    }
    this.converter = new PanelDataConverter(this.tracer, {
      convert: this.config.convert,
      profileSpanThresholdMs: this.config.profileSpanThresholdMs,
      sanitizeQueries: this.config.sanitizeQueries,
    })
    // The late work of requests and of WebSocket handlers is converted by the same parts.
    this.websocketTracing = { ...lateConversion(this.processor.traces, this.converter, this.config.gracePeriodMs), tracer: this.tracer, open: new Set() }
    this.propagateFetch = this.config.propagateFetch ? fetchPropagation(this.tracer, this.config.knownHttpMethods, this.inject) : undefined
    this.samplerDescription = describeSampler(this.tracer)
  }

  /**
   * Registers the OpenTelemetry globals (unless the app has its own), the trace routes, the
   * import and the OTLP and Zipkin receivers.
   *
   * @example
   * ```ts
   * const otel = new OpenTelemetryPanel({ exporter: 'none' })
   * app.use(debugToolbar({ extraPanels: [otel] })) // the toolbar calls otel.setup(host) once
   * // then: GET /_debug_toolbar/api/traces lists traces, POST /_debug_toolbar/otlp/v1/traces receives spans
   * ```
   */
  setup(host: ToolbarHost): void {
    // Only a toolbar that is on touches the process's OpenTelemetry: a panel made for a
    // toolbar that is off (production) leaves the app's own provider and context alone.
    this.registerGlobals()
    // Other features (the MCP server) read the traces through the host, without OpenTelemetry.
    this.traceSource = panelTraceSource(host, this.processor.traces, this.config, () => this.exporter?.status(), () => this.receivers?.ingest.counters)
    host.provideTraces?.(this.traceSource)
    this.prefix = host.prefix
    this.events = host.events
    // A durable store gets the spans that join a trace after its request (a WebSocket's, the
    // late work's) by one timer per trace: none for a trace that gets no late span.
    const onLateSpan = host.store.saveSpans ? this.saveLateSpansSoon : undefined
    this.traceSettings = { maxSpans: this.config.maxSpansPerTrace, gracePeriodMs: this.config.gracePeriodMs, events: host.events, onLateSpan }
    this.store = host.store
    this.host = host
    // Keep the traces of at least twice the request history (the store is shared by panels).
    const history = (host.store as { maxRequests?: unknown }).maxRequests
    const traces = this.processor.traces
    traces.maxTraces = this.receiverConfig.maxTraces ?? Math.max(traces.maxTraces, 2 * (typeof history === 'number' ? history : 50))
    traces.receivedSettings = { maxSpans: this.config.maxSpansPerTrace }
    traces.maxTotalSpans = this.receiverConfig.maxSpans
    // A trace evicted before its late spans' timer hands them over (none wait with the in-memory store).
    traces.onEvictLateSpans = onLateSpan ? this.saveEvictedLateSpans : undefined
    // Before the trace routes: `GET /api/traces/import` is the import's 405, not a trace id.
    this.bodyBudget ??= bodyBudget(this.receiverConfig)
    registerTraceImport(host, traces, this.receiverConfig.maxBodyBytes, this.bodyBudget)
    registerTraceRoutes(host, traces)
    registerAnalysisRoutes(host, traces)
    registerExportStatusRoute(host, () => this.exporter?.status() ?? NO_EXPORT)
    // One panel serves one toolbar; a second setup() must not bind the gRPC port twice.
    if (!this.receivers) {
      // After a save under Vite's dev server, the previous panel frees the gRPC port first.
      this.receivers = startReceivers(host, traces, this.receiverConfig, this.bodyBudget, host.released)
      // Zipkin's v2 JSON beside OTLP: the same body bound, budget and pipeline.
      registerZipkinReceiver(host, this.receivers.ingest, this.receiverConfig.maxBodyBytes, this.bodyBudget)
      const loop = this.provider && !this.config.sdk!.disabledBy ? selfExportWarning(this.config, this.receiverConfig) : undefined
      if (loop) console.warn(loop)
    }
    if (this.receivers.grpc) this.forgetSignals ??= flushOnSignals(this)
  }

  private registerGlobals(): void {
    if (this.globalsRegistered) return
    this.globalsRegistered = true
    if (this.provider) {
      // A forwarder: the panel that replaces this one (a save under Vite) takes it over.
      if (!this.config.sdk!.disabledBy) holdGlobalTracerProvider(this.provider, this)
      this.forgetSignals ??= flushOnSignals(this)
    }
    registerContextGlobals(this.propagator, this)
  }

  /**
   * Resolves once the receivers listen (after the toolbar set the panel up); rejects when
   * the OTLP/gRPC port cannot be bound, with a message saying so.
   *
   * @example
   * ```ts
   * const otel = new OpenTelemetryPanel({ otlpGrpcPort: 4317 })
   * app.use(debugToolbar({ extraPanels: [otel] }))
   * await otel.ready
   * ```
   */
  get ready(): Promise<void> {
    return this.receivers?.ready ?? Promise.resolve()
  }

  /**
   * Starts the request's SERVER span (continuing an incoming `traceparent`) and opens its trace.
   *
   * @example
   * ```ts
   * const res = await app.request('/users/42', { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } })
   * // panel.onRequest(record, c) ran first: the SERVER span 'GET /users/:id' is a child of 00f067aa0ba902b7
   * res.headers.get('server-timing') // '..., traceparent;desc="00-4bf92f3577b34da6a3ce929d0e0e4736-<span id>-01"'
   * ```
   */
  onRequest(record: RequestRecord, c: Context): void {
    const state: PanelState = startRequestSpan(this.tracer, record, this.config.knownHttpMethods, this.extract)
    record.slot(PANEL_SLOT, () => state)
    state.recording = state.span.isRecording()
    state.websocket = this.websocketTracing
    record.traceId = state.traceId
    const traces = this.processor.traces
    traces.open(state.traceId, this.traceSettings, record.id)
    // The span started before its trace was known to the store: show it as in flight now.
    if (isReadableSpan(state.span)) traces.start(state.span)
    this.propagateFetch?.(record)
    if (this.events?.active) {
      this.events.emit({ type: 'trace.created', data: { requestId: record.id, traceId: state.traceId, name: `${record.method} ${record.route ?? record.path}`, source: 'local' } })
    }
  }

  /**
   * The handler runs with the request's SERVER span active (the app's own span already is).
   *
   * @example
   * ```ts
   * app.get('/users/:id', (c) => {
   *   // panel.around(record, c, next) runs the handler with the SERVER span active
   *   trace.getActiveSpan()?.setAttribute('user.id', c.req.param('id'))
   *   return c.json({ id: c.req.param('id') })
   * })
   * ```
   */
  around(record: RequestRecord, _c: Context, next: () => Promise<void>): Promise<void> {
    const state = record.peek(PANEL_SLOT)
    return state && !state.adopted ? context.with(state.context, next) : next()
  }

  /**
   * Describes the response on the SERVER span (the route that answered, the status, a thrown
   * error) once the handler has answered.
   *
   * @example
   * ```ts
   * app.get('/users/:id', (c) => c.json({ error: 'no such user' }, 404))
   * // panel.onResponse(record, c): the span gets http.response.status_code 404 and http.route '/users/:id'
   * ```
   */
  onResponse(record: RequestRecord, c: Context): void {
    markWebSocketUpgrade(record, c.res)
    const state = record.peek(PANEL_SLOT)
    if (state) describeResponse(state, record)
  }

  /**
   * Once the body is sent: converts the other panels' data into child spans, ends the SERVER span
   * and hands the trace to the exporters.
   *
   * @example
   * ```ts
   * await app.request('/report') // the toolbar calls panel.onFinish(record) after the last byte
   * await otel.forceFlush()
   * // Jaeger shows GET /report with its SQL, log and template spans beneath it
   * ```
   */
  onFinish(record: RequestRecord): void {
    const state = record.peek(PANEL_SLOT)
    if (!state) return
    // Hono hands a thrown value that is not an Error back to the server, past the toolbar's
    // onResponse: the request is a 500 with that value as its error all the same.
    if (!state.described) describeResponse(state, record)
    else describeLateResponse(state, record)
    // Converted spans are children of the SERVER span: made before it ends.
    state.counts = this.converter.convert(record, state.context, state)
    // A render still running is converted now: its end, written later, makes no second span.
    state.rendersFrom = record.peek(SLOTS.templates)?.nextId ?? 0
    const traces = this.processor.traces
    endRequestSpan(state, record, traces.latestLocalEnd(state.traceId))
    saveRecordedSpans(this.store, traces, state.traceId, record.id)
    // Counted only when someone follows the live events.
    if (this.events?.active) {
      this.events.emit({
        type: 'trace.completed',
        data: { requestId: record.id, traceId: state.traceId, name: `${record.method} ${record.route ?? record.path}`, spanCount: traces.counts(state.traceId).ended, services: serviceNames(traces.spans(state.traceId) ?? []), source: 'local' },
      })
    }
    // Last: a request that started before every trace kept has its trace evicted here. The
    // late window counts from the response's end, as its SERVER span does, not from now.
    traces.finish(state.traceId, record.startPerf + (record.durationMs ?? record.now()))
  }

  /**
   * An item written after the request finished (a line logged or a query run by work the
   * request left running) becomes a span of its trace, as the converter made the others,
   * while the trace still takes late spans (`gracePeriodMs` after the response).
   *
   * @example
   * ```ts
   * app.post('/signup', (c) => {
   *   void sendWelcomeEmail().catch((error) => logger.error({ err: error }, 'welcome email failed'))
   *   return c.text('ok')
   * })
   * // the toolbar calls panel.onLateWrite(record, SLOTS.logging, line): Jaeger shows the line under POST /signup
   * ```
   */
  onLateWrite(record: RequestRecord, slot: SlotKey<unknown>, item: unknown): void {
    const state = record.peek(PANEL_SLOT)
    // Not converted yet: onFinish converts it with the rest.
    if (!state?.counts) return
    // onFinish set the counts and `rendersFrom` together. The trace takes late spans for the
    // grace period, and all the while a WebSocket holds it open; its spans reach a durable
    // store with the trace's other late spans (`saveLateSpansSoon`).
    convertLateWrite(this.websocketTracing, state.traceId, record, state.context, slot, item, state as PanelState & LateWork)
  }

  /**
   * A render started after the request finished (by work the request left running): if it
   * still runs when the trace stops taking spans, it is converted then, as still running
   * (`hono_debug_toolbar.still_running`), under the span the app had open where it started
   * (else the SERVER span), though nothing was written inside it. Ended before then, it is
   * converted once, at its end (`onLateWrite`).
   *
   * @example
   * ```ts
   * app.post('/subscribe', (c) => {
   *   void renderTemplate('newsletter email', () => mailQueue.send(c.req.query('email')))
   *   return c.text('ok')
   * })
   * // the toolbar calls panel.onLateStart(record, SLOTS.templates, render): a queue that never
   * // answers still gets its render span when the late window ends
   * ```
   */
  onLateStart(record: RequestRecord, slot: SlotKey<unknown>, item: unknown): void {
    const state = record.peek(PANEL_SLOT)
    // Not converted yet: onFinish converts it with the rest, as still running if it is.
    if (!state?.counts) return
    convertLateWrite(this.websocketTracing, state.traceId, record, state.context, slot, item, state as PanelState & LateWork, true)
  }

  /**
   * A durable store has the trace's spans as they were when the request finished: those that
   * join later (a WebSocket's, what work the request or a handler left running made) are
   * written `LATE_SAVE_MS` after the first of them, with those that came meanwhile, so a
   * growing trace is written at most that often and each span once.
   */
  private readonly saveLateSpansSoon = (traceId: string): void => {
    setTimeout(this.saveLateSpans, LATE_SAVE_MS, traceId).unref()
  }

  private readonly saveLateSpans = (traceId: string): void => {
    saveLateSpans(this.store, this.processor.traces, traceId)
  }

  private readonly saveEvictedLateSpans = (spans: ToolbarSpan[]): void => {
    queueLateSpans(this.store, spans)
  }

  /**
   * Called by the toolbar before its durable store closes: the late spans still waiting for
   * their timer are queued now. When the process is stopping (`exiting`), the work waiting
   * for renders still running is converted, those renders as still running (see
   * `convertWaiting`), and the spans of
   * WebSocket message handlers still running (`websocket.message.running_at_shutdown`) and
   * the connection spans of the WebSockets still open (`websocket.open_at_shutdown`) end
   * first, so that the store has them, and the parent of every message.
   *
   * @example
   * ```ts
   * otel.beforeStoreClose(true) // on SIGTERM: the store then writes them with the rest
   * ```
   */
  beforeStoreClose(exiting: boolean): void {
    if (exiting) {
      // Work waiting for a render still running, while the WebSockets still hold their traces.
      convertPendingNow(this.websocketTracing)
      for (const connection of [...this.websocketTracing.open]) connection.serverStopped()
    }
    saveAllLateSpans(this.store, this.processor.traces)
  }

  /**
   * The request's trace in figures: ids, span counts, links, export status and what was
   * converted.
   *
   * @example
   * ```ts
   * const stats = otel.generateStats(record)
   * stats.traceId // '4bf92f3577b34da6a3ce929d0e0e4736'
   * stats.spanCount // 7
   * stats.links.jaeger // 'http://localhost:16686/trace/4bf92f3577b34da6a3ce929d0e0e4736'
   * stats.convert.sql // { enabled: true, converted: 3 }
   * ```
   */
  generateStats(record: RequestRecord): OpenTelemetryStats {
    const state = record.peek(PANEL_SLOT)
    const traceId = state?.traceId ?? record.traceId ?? ''
    const traces = this.processor.traces
    const counts = traces.counts(traceId)
    const config = this.config
    const convert = Object.fromEntries(
      KINDS.map((kind) => [kind, { enabled: this.converter.isEnabled(kind), converted: state?.counts?.[kind] ?? 0 }]),
    ) as OpenTelemetryStats['convert']
    const stats: OpenTelemetryStats = {
      traceId,
      rootSpanId: state?.spanId,
      serviceName: config.serviceName,
      traceparent: state ? traceparentOf(state) : undefined,
      spanCount: counts.running + counts.ended,
      droppedSpans: counts.dropped,
      inFlightSpans: counts.running,
      receivedSpans: counts.received,
      lateSpans: counts.late,
      lateWindowMs: config.gracePeriodMs,
      evictedTraces: traces.evicted,
      receiver: this.receiverStatus(),
      links: traceId ? traceLinks(config, this.prefix, traceId) : { jaeger: '', zipkin: '', otlpJson: '' },
      export: this.exporter?.status() ?? NO_EXPORT,
      propagators: config.propagators,
      baggage: state ? baggageView(state.context) : { members: [], dropped: 0 },
      ...(config.sdk?.disabledBy ? { sdkDisabledBy: config.sdk.disabledBy } : {}),
      exportMode: this.exporter ? (this.exporter.status().exporters.length > 0 ? 'toolbar' : 'none') : 'app',
      convert,
    }
    if (state) stats.context = traceContextStats(record, state, this.samplerDescription, this.provider === undefined)
    return stats
  }

  /**
   * The spans the request's trace has now, each time a stored request is read: a downstream
   * service's spans join the trace after the request was stored. Counted from the trace as
   * the trace routes answer it (this process's memory, and a durable store's spans, so an
   * instance that restarted or never held the trace says the same). The export status and
   * the receivers' counters are this process's, not the request's: for a request this
   * process recorded they are read as they are now (a request opened at once, before its
   * batch was sent, shows the export's outcome when opened again), and so are the late
   * spans while this process, which recorded the request, holds the trace (elsewhere, the
   * spans stored since the stats). The other figures stay as they were stored,
   * since only the process that held the trace counted them.
   *
   * @example
   * ```ts
   * // GET /_debug_toolbar/api/requests/:id calls it: a downstream service's spans that came later count
   * const stats = await otel.refreshStats(stored.panels.opentelemetry as OpenTelemetryStats, stored)
   * stats.receivedSpans // 4
   * stats.lateSpans // 4, while this process holds the trace: they joined after the request finished
   * stats.export.failures // the exporters' counters as they are now
   * ```
   */
  async refreshStats(stored: OpenTelemetryStats, request: StoredRequest): Promise<OpenTelemetryStats> {
    const own = request.instance === undefined || request.instance === PROCESS_INSTANCE
    const current = own ? { ...stored, export: this.exporter?.status() ?? stored.export, receiver: this.receiverStatus() ?? stored.receiver } : stored
    if (!stored.traceId || !this.store || !this.traceSource) return current
    let spans: ToolbarSpan[] | undefined
    try {
      spans = await this.traceSource.spans(stored.traceId)
    } catch {
      // The database is down: the counts stay as stored (the store status says why).
    }
    if (!spans) return current
    let received = 0
    let inFlight = 0
    let imported = 0
    for (const span of spans) {
      if (isReceivedSource(span.source)) received++
      else if (span.source === 'import') imported++
      if (!span.endTimeUnixNano) inFlight++
    }
    // Spans that joined after the request finished: counted as they come by the process that
    // recorded the request while it holds the trace. Elsewhere (another instance, after a
    // restart) every span stored since the stats were taken, when the request finished or
    // later, joined late; a span of an opened file is not late (it came from no service).
    const traces = this.processor.traces
    const late = own && traces.has(stored.traceId) ? traces.counts(stored.traceId).late : stored.lateSpans + Math.max(0, spans.length - imported - stored.spanCount)
    return { ...current, spanCount: spans.length, receivedSpans: received, inFlightSpans: inFlight, lateSpans: late }
  }

  private receiverStatus(): ReceiverStatus | undefined {
    const receivers = this.receivers
    if (!receivers) return undefined
    const status: ReceiverStatus = {
      httpPath: `${this.prefix}${OTLP_HTTP_TRACES_PATH}`,
      zipkinPath: `${this.prefix}${ZIPKIN_SPANS_PATH}`,
      counters: { ...receivers.ingest.counters },
    }
    if (receivers.grpc?.port !== undefined) status.grpcAddress = receivers.grpc.address
    return status
  }

  /**
   * The line under "OpenTelemetry" in the panel list.
   *
   * @example
   * ```ts
   * otel.navSubtitle(otel.generateStats(record)) // '7 spans'
   * ```
   */
  navSubtitle(stats: OpenTelemetryStats): string {
    const count = stats.spanCount ?? 0
    return `${count} ${count === 1 ? 'span' : 'spans'}`
  }

  /**
   * The SERVER span's `traceparent` as a `Server-Timing` entry, so the browser's devtools show
   * the trace.
   *
   * @example
   * ```ts
   * otel.serverTiming(record) // [{ name: 'traceparent', desc: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }]
   * ```
   */
  serverTiming(record: RequestRecord): ServerTimingMetric[] {
    const state = record.peek(PANEL_SLOT)
    return state ? [{ name: 'traceparent', desc: traceparentOf(state) }] : []
  }

  /**
   * Exports what is still buffered and closes the exporters (bounded: a dead collector
   * cannot make it hang). The panel's provider stops; call it when the app stops. First, as
   * on SIGINT/SIGTERM (`beforeStoreClose`), the work waiting for renders still running is
   * converted, the spans of WebSocket message handlers still running and the connection
   * spans of the WebSockets still open end (`websocket.message.running_at_shutdown`,
   * `websocket.open_at_shutdown`), and a durable store gets at once the late spans that wait
   * for their write. It resolves once the store has written them, with the requests already
   * answered (`ToolbarHost.writeStore`), or after 3 s when the database does not answer:
   * `process.exit()` after it loses nothing that was recorded.
   *
   * @example
   * ```ts
   * const otel = new OpenTelemetryPanel()
   * process.on('beforeExit', () => otel.shutdown())
   * // or, in the app's own signal handler:
   * process.once('SIGTERM', async () => { await otel.shutdown(); process.exit(0) })
   * ```
   */
  async shutdown(): Promise<void> {
    // Synchronously, before anything is awaited: a store that the toolbar closes on the same
    // signal is closed only after the requests answered are stored, so it gets them first.
    this.beforeStoreClose(true)
    const written = this.host?.writeStore ? settleWithin(this.host.writeStore()) : undefined
    await Promise.all([this.stop(), written])
  }

  /** Stops the receivers, flushes the provider and shuts it down, once. */
  private stop(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      this.forgetSignals?.()
      await this.receivers?.stop()
      if (!this.provider) return
      await this.provider.forceFlush().catch(() => undefined)
      await this.provider.shutdown().catch(() => undefined)
    })()
    return this.shutdownPromise
  }

  /**
   * Called by the toolbar when a toolbar made for the same app replaces it (Vite's dev
   * server evaluated the entry module again) or the dev server closes: the receivers stop,
   * so the next panel can bind the same `otlpGrpcPort`, and the panel's provider flushes and
   * closes in the background. When this panel holds OpenTelemetry's globals, the next panel
   * set up takes them over (the app's own tracers, taken before the save, start their spans
   * with the new panel's provider) and this provider closes then; until then the app's
   * spans still export through it.
   *
   * @example
   * ```ts
   * await otel.retire() // the gRPC port is free again
   * ```
   */
  retire(): Promise<void> {
    const stopped = this.receivers?.stop() ?? Promise.resolve()
    // Not shutdown(): the server goes on, and so do its WebSockets and their spans.
    const close = () => void stopped.then(() => this.stop())
    if (!releaseGlobals(this, close)) close()
    return stopped
  }

  /**
   * Exports what is buffered now, without closing anything (tests and scripts).
   *
   * @example
   * ```ts
   * const otel = new OpenTelemetryPanel({ exporter: 'zipkin' })
   * app.use(debugToolbar({ extraPanels: [otel] }))
   * await app.request('/checkout')
   * await otel.forceFlush() // the trace is in Zipkin now; a dead collector does not make it throw
   * ```
   */
  async forceFlush(): Promise<void> {
    await this.provider?.forceFlush().catch(() => undefined)
  }
}





function isReadableSpan(span: unknown): span is ReadableSpan {
  return typeof span === 'object' && span !== null && 'instrumentationScope' in span && 'startTime' in span
}

/** The distinct `service.name`s of the spans, in order of first appearance. */
function serviceNames(spans: ToolbarSpan[]): string[] {
  return [...new Set(spans.map((span) => String(span.resource['service.name'] ?? 'unknown')))]
}
