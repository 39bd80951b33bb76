/**
 * The OpenTelemetry globals the panel registers (tracer provider, propagator), as objects
 * that forward to the panel's own, so that another panel can take them over.
 *
 * Why: OpenTelemetry registers each global once per process, and the app's instrumentation
 * keeps the tracers it took from it. Under Vite's dev server a save evaluates the entry
 * module again and makes a new panel, with the settings as saved (service name, exporter,
 * sampler, propagators); the global stayed the first panel's, so the app's own spans went
 * on with the settings the dev server started with. Now the global forwards: when the
 * panel that registered it retires (`OpenTelemetryPanel.retire()`, called only when a
 * toolbar replaces it under Vite or that server closes), the next panel set up takes the
 * global over, and every tracer taken before (in the app's modules, in instrumentation
 * libraries) starts its next span with the new provider. A panel that never retires (apps
 * outside Vite, several apps in one process) keeps the globals as before: the first one
 * registered stays.
 *
 * The forwarders are kept on `globalThis` (a second copy of the package's modules finds
 * them), as OpenTelemetry keeps its globals. The cost is one comparison per span the app
 * starts; the toolbar's own spans do not go through them.
 */
import { propagation, trace } from '@opentelemetry/api'
import type { Context, Span, SpanOptions, TextMapGetter, TextMapPropagator, TextMapSetter, Tracer, TracerOptions, TracerProvider } from '@opentelemetry/api'

/** A tracer that starts each span with the tracer of the same name of the provider forwarded to now. */
class ForwardingTracer implements Tracer {
  private provider: TracerProvider | undefined
  private tracer: Tracer | undefined

  constructor(
    private readonly forwarder: ForwardingTracerProvider,
    private readonly name: string,
    private readonly version: string | undefined,
    private readonly options: TracerOptions | undefined,
  ) {}

  private current(): Tracer {
    const provider = this.forwarder.target
    if (provider !== this.provider || !this.tracer) {
      this.tracer = provider.getTracer(this.name, this.version, this.options)
      this.provider = provider
    }
    return this.tracer
  }

  startSpan(name: string, options?: SpanOptions, context?: Context): Span {
    return this.current().startSpan(name, options, context)
  }

  // The API's overloads (options and context optional before the function) are the target's to sort out.
  startActiveSpan: Tracer['startActiveSpan'] = ((...args: unknown[]) =>
    (this.current().startActiveSpan as (...all: unknown[]) => unknown)(...args)) as Tracer['startActiveSpan']
}

/**
 * The tracer provider registered as OpenTelemetry's global one: it hands out tracers that
 * start their spans with `target`, the provider of the panel that holds the global now.
 *
 * @example
 * ```ts
 * const forwarder = new ForwardingTracerProvider(panel.provider)
 * trace.setGlobalTracerProvider(forwarder)
 * const tracer = trace.getTracer('shop') // spans of `panel.provider`, then of whichever provider `forwarder.target` names
 * ```
 */
export class ForwardingTracerProvider implements TracerProvider {
  private readonly tracers = new Map<string, ForwardingTracer>()

  constructor(public target: TracerProvider) {}

  /**
   * A tracer whose spans are started by the tracer of the same name of `target` at the time.
   *
   * @example
   * ```ts
   * new ForwardingTracerProvider(provider).getTracer('shop', '1.0.0').startSpan('checkout').end()
   * ```
   */
  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const key = `${name}\0${version ?? ''}\0${options?.schemaUrl ?? ''}`
    let tracer = this.tracers.get(key)
    if (!tracer) this.tracers.set(key, (tracer = new ForwardingTracer(this, name, version, options)))
    return tracer
  }

  /**
   * `target`'s `forceFlush()`: code that flushes the global provider (AWS Lambda's
   * instrumentation before the function returns, a test's teardown) flushes the panel's.
   *
   * @example
   * ```ts
   * await (trace.getTracerProvider() as ProxyTracerProvider).getDelegate().forceFlush() // the panel's spans are exported
   * ```
   */
  forceFlush(): Promise<void> {
    return (this.target as { forceFlush?: () => Promise<void> }).forceFlush?.() ?? Promise.resolve()
  }

  /**
   * `target`'s `shutdown()`, for code that shuts the global provider down as it exits.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void (trace.getTracerProvider() as ProxyTracerProvider).getDelegate().shutdown())
   * ```
   */
  shutdown(): Promise<void> {
    return (this.target as { shutdown?: () => Promise<void> }).shutdown?.() ?? Promise.resolve()
  }
}

/**
 * The propagator registered as OpenTelemetry's global one: `target`'s injection and
 * extraction, the propagators of the panel that holds the global now.
 *
 * @example
 * ```ts
 * propagation.setGlobalPropagator(new ForwardingPropagator(createPropagator(['tracecontext', 'baggage'])))
 * ```
 */
export class ForwardingPropagator implements TextMapPropagator {
  constructor(public target: TextMapPropagator) {}

  /**
   * `target`'s injection.
   *
   * @example
   * ```ts
   * forwarder.inject(context.active(), headers, defaultTextMapSetter)
   * ```
   */
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    this.target.inject(context, carrier, setter)
  }

  /**
   * `target`'s extraction.
   *
   * @example
   * ```ts
   * const parent = forwarder.extract(ROOT_CONTEXT, headers, defaultTextMapGetter)
   * ```
   */
  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.target.extract(context, carrier, getter)
  }

  /**
   * `target`'s header names.
   *
   * @example
   * ```ts
   * forwarder.fields() // ['traceparent', 'tracestate', 'baggage']
   * ```
   */
  fields(): string[] {
    this.asked = true
    return this.target.fields()
  }

  /** Set by `fields()`: how `isGlobalPropagation` tells, through the API alone, that the API called this one. */
  asked = false
}

/** One registered global: its forwarder, the panel that holds it (none once that one retired), and what to do when the next takes it. */
interface Held<F> {
  forwarder: F
  owner: object | undefined
  onTaken?: () => void
}

interface Globals {
  tracing?: Held<ForwardingTracerProvider>
  propagation?: Held<ForwardingPropagator>
}

const GLOBALS = Symbol.for('hono-debug-toolbar.otel-globals')

function held(): Globals {
  const holder = globalThis as { [GLOBALS]?: Globals }
  return (holder[GLOBALS] ??= {})
}

/** Whether `forwarder` is what OpenTelemetry's global tracer provider hands tracers from. */
function isGlobalTracing(forwarder: ForwardingTracerProvider): boolean {
  const global = trace.getTracerProvider() as TracerProvider & { getDelegate?: () => unknown }
  return global === forwarder || global.getDelegate?.() === forwarder
}

/**
 * Whether `forwarder` is OpenTelemetry's global propagator. The API has no getter for it, so
 * it is asked through the API: `propagation.fields()` calls the global one's `fields()`.
 * (The API's own storage of its globals is private, and its key changes with its major version.)
 */
function isGlobalPropagation(forwarder: ForwardingPropagator): boolean {
  forwarder.asked = false
  propagation.fields()
  const asked = forwarder.asked
  forwarder.asked = false
  return asked
}

/**
 * Makes `provider` the one behind OpenTelemetry's global tracer provider, for `owner` (a
 * panel): registers a forwarder when no global is registered, or takes over the toolbar's
 * forwarder when the panel that held it retired. False when the global is someone else's
 * (the app's own provider, or a panel's that is still in service).
 *
 * @example
 * ```ts
 * if (holdGlobalTracerProvider(provider, panel)) {
 *   // trace.getTracer('shop') starts its spans with `provider`
 * }
 * ```
 */
export function holdGlobalTracerProvider(provider: TracerProvider, owner: object): boolean {
  const globals = held()
  const current = globals.tracing
  if (current && isGlobalTracing(current.forwarder)) {
    if (current.owner !== undefined) return false
    return take(current, provider, owner)
  }
  const forwarder = new ForwardingTracerProvider(provider)
  if (!trace.setGlobalTracerProvider(forwarder)) return false
  globals.tracing = { forwarder, owner }
  return true
}

/**
 * Makes `propagator` the one behind OpenTelemetry's global propagator, for `owner`, as
 * `holdGlobalTracerProvider` does for the tracer provider.
 *
 * @example
 * ```ts
 * holdGlobalPropagator(createPropagator(['tracecontext', 'baggage']), panel)
 * ```
 */
export function holdGlobalPropagator(propagator: TextMapPropagator, owner: object): boolean {
  const globals = held()
  const current = globals.propagation
  if (current && isGlobalPropagation(current.forwarder)) {
    if (current.owner !== undefined) return false
    return take(current, propagator, owner)
  }
  const forwarder = new ForwardingPropagator(propagator)
  if (!propagation.setGlobalPropagator(forwarder)) return false
  globals.propagation = { forwarder, owner }
  return true
}

function take<T>(current: Held<{ target: T }>, target: T, owner: object): true {
  const onTaken = current.onTaken
  current.forwarder.target = target
  current.owner = owner
  current.onTaken = undefined
  onTaken?.()
  return true
}

/**
 * `owner` (a retiring panel) lets go of the globals it holds: they keep forwarding to its
 * provider and propagator until another panel takes them over, and `onTaken` runs then
 * (the panel shuts its provider down). Returns false, and `onTaken` never runs, when
 * `owner` holds no global tracer provider.
 *
 * @example
 * ```ts
 * if (!releaseGlobals(panel, () => void provider.shutdown())) void provider.shutdown()
 * ```
 */
export function releaseGlobals(owner: object, onTaken: () => void): boolean {
  const globals = held()
  if (globals.propagation?.owner === owner) globals.propagation.owner = undefined
  const tracing = globals.tracing
  if (tracing?.owner !== owner || !isGlobalTracing(tracing.forwarder)) return false
  tracing.owner = undefined
  tracing.onTaken = onTaken
  return true
}
