/**
 * The OTLP span fields beside the ones the waterfall draws: `traceState`, `flags` and the
 * `dropped*Count`s, on spans, links and events. They are kept so that a trace downloaded as
 * OTLP/JSON carries what the SDK's own OTLP export carries (its `sdkSpanToOtlpSpan` in
 * @opentelemetry/otlp-transformer), and a receiver fed that file gets the same spans.
 */
import type { SpanContext } from '@opentelemetry/api'

/** The optional fields, named as in OTLP and in ToolbarSpan. */
export interface OtlpExtras {
  traceState?: string
  flags?: number
  droppedAttributesCount?: number
  droppedEventsCount?: number
  droppedLinksCount?: number
}

const KEYS = ['traceState', 'flags', 'droppedAttributesCount', 'droppedEventsCount', 'droppedLinksCount'] as const

// SpanFlags in trace.proto: bits 0-7 are the W3C trace flags; bit 8 says bit 9 is known;
// bit 9 says the parent (or the linked context) is remote.
const HAS_IS_REMOTE = 0x100
const IS_REMOTE = 0x200

/**
 * OTLP `flags` of a span or link context, as the SDK's OTLP exporter writes them.
 *
 * @example
 * ```ts
 * otlpSpanFlags(0x01, true) // 0x301
 * ```
 */
export function otlpSpanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | HAS_IS_REMOTE | (isRemote ? IS_REMOTE : 0)
}

/**
 * The extras of an SDK span context: its tracestate (when not empty) and OTLP flags.
 *
 * @example
 * ```ts
 * contextExtras(span.spanContext(), span.parentSpanContext?.isRemote) // { traceState: 'rojo=1', flags: 0x301 }
 * ```
 */
export function contextExtras(context: SpanContext, isRemote: boolean | undefined): OtlpExtras {
  const extras: OtlpExtras = {}
  const traceState = context.traceState?.serialize()
  if (traceState) extras.traceState = traceState
  extras.flags = otlpSpanFlags(context.traceFlags, isRemote)
  return extras
}

/**
 * Copies the extras that are set (a non-empty tracestate, flags, counts above zero) from
 * `from`, an SDK object or a decoded OTLP message; anything malformed is left out.
 *
 * @example
 * ```ts
 * copyExtras({ traceState: 'a=1', flags: 257, droppedEventsCount: 0 }) // { traceState: 'a=1', flags: 257 }
 * ```
 */
export function copyExtras(from: Partial<Record<(typeof KEYS)[number], unknown>>): OtlpExtras {
  const out: OtlpExtras = {}
  for (const key of KEYS) {
    const value = from[key]
    if (key === 'traceState') {
      if (typeof value === 'string' && value !== '') out.traceState = value
    } else if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) {
      // flags 0 is meaningful only with bit 8; counts of 0 say nothing.
      if (value > 0) out[key] = value
    }
  }
  return out
}
