/**
 * W3C Baggage in the toolbar: `@opentelemetry/core`'s propagator parses and writes the header
 * and applies the Baggage limits (`src/shapes/baggage-limits.ts`: 180 list-members, 4096 bytes
 * per member, 8192 bytes in all, which the panel and the MCP server quote);
 * this file counts what it did not keep, shows the request's baggage with secrets redacted,
 * and copies only the keys a user asks for into span attributes.
 */
import { createContextKey, propagation, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api'
import { W3CBaggagePropagator } from '@opentelemetry/core'
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base'
import { isSecretName, REDACTED } from '../core/redact.js'

const DROPPED_KEY = createContextKey('hono-debug-toolbar.baggage-dropped')

/** One baggage list-member as the panel shows it. */
export interface BaggageMember {
  key: string
  /** Percent-decoded; `********` when the key looks like a secret. */
  value: string
  /** The member's properties as sent (`;`-separated), when it has any. */
  properties?: string
}

/** The request's baggage: what was kept, and how many list-members were not. */
export interface BaggageView {
  members: BaggageMember[]
  /** Members of the incoming header not kept: over the limits, malformed, or a repeated key. */
  dropped: number
}

/**
 * The `baggage` propagator: core's W3C propagator, plus a count of the list-members it did
 * not keep, stored in the extracted context for the panel.
 *
 * @example
 * ```ts
 * const ctx = new BaggageLimitPropagator().extract(ROOT_CONTEXT, { baggage: 'tenant=acme' }, defaultTextMapGetter)
 * baggageView(ctx) // { members: [{ key: 'tenant', value: 'acme' }], dropped: 0 }
 * ```
 */
export class BaggageLimitPropagator implements TextMapPropagator {
  private readonly w3c = new W3CBaggagePropagator()

  /**
   * Writes the `baggage` header of the baggage in `ctx` (core's W3C propagator, its limits
   * applied).
   *
   * @example
   * ```ts
   * const ctx = propagation.setBaggage(context.active(), propagation.createBaggage({ tenant: { value: 'acme' } }))
   * const headers: Record<string, string> = {}
   * new BaggageLimitPropagator().inject(ctx, headers, defaultTextMapSetter)
   * headers.baggage // 'tenant=acme'
   * ```
   */
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    this.w3c.inject(ctx, carrier, setter)
  }

  /**
   * The context with the header's baggage, and a count of the list-members not kept for the
   * panel.
   *
   * @example
   * ```ts
   * const ctx = new BaggageLimitPropagator().extract(ROOT_CONTEXT, { baggage: 'tenant=acme,bad member' }, defaultTextMapGetter)
   * propagation.getBaggage(ctx)?.getEntry('tenant')?.value // 'acme'
   * baggageView(ctx).dropped // 1
   * ```
   */
  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const header = getter.get(carrier, 'baggage')
    if (header === undefined) return ctx
    const sent = (Array.isArray(header) ? header : [header])
      .flatMap((value) => value.split(','))
      .filter((member) => member.trim() !== '').length
    const next = this.w3c.extract(ctx, carrier, getter)
    // Core's propagator replaces the context's baggage with the header's (it does not merge).
    const kept = next === ctx ? 0 : (propagation.getBaggage(next)?.getAllEntries().length ?? 0)
    const dropped = Math.max(0, sent - kept)
    return dropped > 0 ? next.setValue(DROPPED_KEY, dropped) : next
  }

  /**
   * The header it reads and writes.
   *
   * @example
   * ```ts
   * new BaggageLimitPropagator().fields() // ['baggage']
   * ```
   */
  fields(): string[] {
    return this.w3c.fields()
  }
}

/**
 * The baggage of `ctx` for the panel: every member, secrets redacted by the usual rules.
 *
 * @example
 * ```ts
 * baggageView(context.active()) // { members: [{ key: 'tenant', value: 'acme' }, { key: 'api_key', value: '********' }], dropped: 0 }
 * ```
 */
export function baggageView(ctx: Context): BaggageView {
  const members = (propagation.getBaggage(ctx)?.getAllEntries() ?? []).map(([key, entry]): BaggageMember => {
    const member: BaggageMember = { key, value: isSecretName(key) ? REDACTED : entry.value }
    const properties = entry.metadata?.toString()
    if (properties) member.properties = properties
    return member
  })
  return { members, dropped: (ctx.getValue(DROPPED_KEY) as number | undefined) ?? 0 }
}

/**
 * Copies the named baggage keys into the attributes of every span started in a context that
 * carries them (`baggageToAttributes: ['tenant']`). Nothing else of the baggage becomes an
 * attribute: baggage is the caller's data and may be private.
 *
 * @example
 * ```ts
 * new BasicTracerProvider({ spanProcessors: [new BaggageAttributesProcessor(['tenant']), toolbarSpanProcessor()] })
 * ```
 */
export class BaggageAttributesProcessor implements SpanProcessor {
  constructor(readonly keys: readonly string[]) {}

  /**
   * Called by the SDK as a span starts: copies the configured baggage keys of its parent context
   * into its attributes.
   *
   * @example
   * ```ts
   * const processor = new BaggageAttributesProcessor(['tenant'])
   * const ctx = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ tenant: { value: 'acme' } }))
   * tracer.startSpan('load orders', {}, ctx) // the SDK calls processor.onStart(span, ctx): attribute tenant = 'acme'
   * ```
   */
  onStart(span: Span, parentContext: Context): void {
    const baggage = propagation.getBaggage(parentContext)
    if (!baggage) return
    for (const key of this.keys) {
      const entry = baggage.getEntry(key)
      if (entry) span.setAttribute(key, isSecretName(key) ? REDACTED : entry.value)
    }
  }

  /**
   * Called by the SDK as a span ends: nothing to do, the attributes were set at the start.
   *
   * @example
   * ```ts
   * span.end() // the SDK calls processor.onEnd(span); the span keeps tenant = 'acme'
   * ```
   */
  onEnd(_span: ReadableSpan): void {}

  /**
   * Nothing is buffered: resolves at once.
   *
   * @example
   * ```ts
   * await provider.forceFlush() // the SDK calls forceFlush() on every processor, this one included
   * ```
   */
  async forceFlush(): Promise<void> {}

  /**
   * Nothing to release: resolves at once.
   *
   * @example
   * ```ts
   * await provider.shutdown() // the SDK calls shutdown() on every processor, this one included
   * ```
   */
  async shutdown(): Promise<void> {}
}
