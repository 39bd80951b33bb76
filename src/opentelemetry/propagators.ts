/**
 * The propagators a user names in `OTEL_PROPAGATORS` or the `propagators` option, composed
 * into one: the toolbar's strict W3C Trace Context propagator for `tracecontext`, and the
 * maintained OpenTelemetry packages for the others (W3C Baggage from @opentelemetry/core,
 * B3 single and multi header, Jaeger). See specs/propagation.md for the order rules.
 */
import { trace, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api'
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3'
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger'
import type { RequestRecord } from '../core/record.js'
import { BaggageLimitPropagator } from './baggage.js'
import { OpenTelemetryConfigError } from './config-error.js'
import { ToolbarTraceContextPropagator } from './propagation.js'

export const PROPAGATOR_NAMES = ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger', 'none'] as const
/** A propagator name of the OpenTelemetry specification that the toolbar knows. */
export type PropagatorName = (typeof PROPAGATOR_NAMES)[number]

/** The specification's default: W3C Trace Context, then W3C Baggage. */
export const DEFAULT_PROPAGATORS: readonly PropagatorName[] = ['tracecontext', 'baggage']

/**
 * The propagator list from the `propagators` option (which wins) or `OTEL_PROPAGATORS` (a
 * comma list, case-insensitive), else the default. `none` alone means no propagation; beside
 * other names it adds nothing. Throws `OpenTelemetryConfigError` naming the option or
 * variable and the unknown value.
 *
 * @example
 * ```ts
 * resolvePropagatorNames(undefined, 'b3, tracecontext') // ['b3', 'tracecontext']
 * resolvePropagatorNames(['none'], 'b3')                // []
 * ```
 */
export function resolvePropagatorNames(option: readonly string[] | undefined, fromEnv: string | undefined): PropagatorName[] {
  let source: string
  let items: string[]
  if (option !== undefined) {
    if (!Array.isArray(option) || option.some((item) => typeof item !== 'string')) {
      throw new OpenTelemetryConfigError(`propagators: expected an array of names (${PROPAGATOR_NAMES.join(', ')})`)
    }
    source = 'propagators'
    items = [...option]
  } else if (fromEnv !== undefined && fromEnv.trim() !== '') {
    source = 'OTEL_PROPAGATORS'
    items = fromEnv.split(',').map((item) => item.trim().toLowerCase())
  } else {
    return [...DEFAULT_PROPAGATORS]
  }
  const names: PropagatorName[] = []
  for (const item of items.filter((entry) => entry !== '')) {
    if (!(PROPAGATOR_NAMES as readonly string[]).includes(item)) {
      throw new OpenTelemetryConfigError(
        `${source}: unknown propagator ${JSON.stringify(item)} (expected ${PROPAGATOR_NAMES.join(', ')})`,
      )
    }
    if (!names.includes(item as PropagatorName)) names.push(item as PropagatorName)
  }
  return names.filter((name) => name !== 'none')
}

/**
 * One propagator for the names, in their order.
 *
 * @example
 * ```ts
 * const propagator = createPropagator(['tracecontext', 'baggage', 'b3'])
 * const ctx = propagator.extract(ROOT_CONTEXT, request.headers, headersGetter)
 * ```
 */
export function createPropagator(names: readonly PropagatorName[]): ToolbarCompositePropagator {
  return new ToolbarCompositePropagator(names.filter((name) => name !== 'none').map(propagatorFor))
}

function propagatorFor(name: Exclude<PropagatorName, 'none'>): TextMapPropagator {
  switch (name) {
    case 'tracecontext':
      return new ToolbarTraceContextPropagator()
    case 'baggage':
      return new BaggageLimitPropagator()
    case 'b3':
      return new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER })
    case 'b3multi':
      return new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER })
    case 'jaeger':
      return new JaegerPropagator()
  }
}

/**
 * Runs its propagators in order. Injection: every one writes its format. Extraction: every
 * one reads its format, but the trace context is the one the FIRST propagator with a valid
 * trace context found, so the list is a priority order; the others still add what they carry
 * besides (baggage, Jaeger's `uberctx-*`). `@opentelemetry/core`'s CompositePropagator lets
 * the last one win instead, which makes `tracecontext,b3` prefer B3.
 *
 * @example
 * ```ts
 * const propagator = new ToolbarCompositePropagator([new ToolbarTraceContextPropagator(), new B3Propagator()])
 * propagator.inject(ctx, headers, headersSetter) // traceparent and b3
 * ```
 */
export class ToolbarCompositePropagator implements TextMapPropagator {
  constructor(readonly propagators: readonly TextMapPropagator[]) {}

  /**
   * Lets every propagator write its format into `carrier`.
   *
   * @example
   * ```ts
   * const propagator = createPropagator(['tracecontext', 'b3multi'])
   * const headers = new Headers()
   * propagator.inject(trace.setSpan(context.active(), span), headers, headersSetter)
   * // headers: traceparent, x-b3-traceid, x-b3-spanid, x-b3-sampled
   * ```
   */
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    for (const propagator of this.propagators) propagator.inject(ctx, carrier, setter)
  }

  /**
   * Reads every format; the trace context is the first propagator's that found one, the others
   * add what else they carry.
   *
   * @example
   * ```ts
   * const propagator = createPropagator(['tracecontext', 'b3'])
   * const headers = new Headers({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', b3: '80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1' })
   * const ctx = propagator.extract(ROOT_CONTEXT, headers, headersGetter)
   * trace.getSpanContext(ctx)?.traceId // '4bf92f3577b34da6a3ce929d0e0e4736': tracecontext comes first
   * ```
   */
  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const before = trace.getSpanContext(ctx)
    let found = undefined as ReturnType<typeof trace.getSpanContext>
    for (const propagator of this.propagators) {
      const next = propagator.extract(ctx, carrier, getter)
      const extracted = trace.getSpanContext(next)
      if (found && extracted !== found) {
        // A later format must not replace the trace context an earlier one found.
        ctx = trace.setSpanContext(next, found)
      } else {
        ctx = next
        if (extracted !== before) found = extracted
      }
    }
    return ctx
  }

  /**
   * Every header any of its propagators reads or writes, once each.
   *
   * @example
   * ```ts
   * createPropagator(['tracecontext', 'baggage', 'b3']).fields() // ['traceparent', 'tracestate', 'baggage', 'b3']
   * ```
   */
  fields(): string[] {
    return [...new Set(this.propagators.flatMap((propagator) => propagator.fields()))]
  }
}

/**
 * Reads a Fetch `Headers` object for a propagator (`keys` serves Jaeger's `uberctx-*`).
 *
 * @example
 * ```ts
 * propagator.extract(ROOT_CONTEXT, c.req.raw.headers, headersGetter)
 * ```
 */
export const headersGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
}

/**
 * Reads a recorded request's headers for a propagator, without building a `Headers` object
 * (on Node the record holds the raw header list).
 *
 * @example
 * ```ts
 * propagator.extract(context.active(), record, recordHeadersGetter)
 * ```
 */
export const recordHeadersGetter: TextMapGetter<RequestRecord> = {
  keys: (record) => record.requestHeaders().map(([name]) => name),
  get: (record, key) => record.requestHeader(key),
}

/**
 * Writes a Fetch `Headers` object for a propagator (replacing a header of the same name).
 *
 * @example
 * ```ts
 * propagator.inject(ctx, headers, headersSetter)
 * ```
 */
export const headersSetter: TextMapSetter<Headers> = {
  set: (headers, key, value) => headers.set(key, value),
}
