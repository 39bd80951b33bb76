/**
 * The OpenTelemetry SDK's span limits, applied to spans another service sent (or a file the
 * user imported) as they are stored. The body of an export is bounded (4 MiB), but one span
 * of it was kept whole: a 4 MB attribute value, or 100,000 attributes, events or links,
 * stayed in memory (and in the durable store) for as long as the trace did.
 *
 * The semantics are the SDK's (`Span` in @opentelemetry/sdk-trace): a span keeps its first
 * 128 attributes, and an event or a link its first 128; a span keeps its last 128 events and
 * links (the SDK drops the oldest when one more is added); what is left out is added to the
 * OTLP `dropped*Count` the sender already reported, which the waterfall's span detail shows.
 * A string value, or each string of an array, is cut at `attributeValueLengthLimit` (the SDK
 * has no default for it; 16,384 characters, the stack trace the toolbar's own exception
 * events keep) with `… (N more characters)`, as its own copy (`cutText`). The span's name,
 * its status message, an event's name, and the resource's and scope's strings are cut the
 * same way: the SDK does not limit them, but they came in the same body.
 */
import { cutText } from '../core/cut-text.js'
import { setOwn, type AttributeValue, type Attributes, type ToolbarSpan } from '../core/span-model.js'

/** The limits applied to received spans, named as the SDK's `SpanLimits`. */
export const RECEIVED_SPAN_LIMITS = {
  attributeValueLengthLimit: 16_384,
  attributeCountLimit: 128,
  eventCountLimit: 128,
  linkCountLimit: 128,
  attributePerEventCountLimit: 128,
  attributePerLinkCountLimit: 128,
} as const

const MAX_CHARS = RECEIVED_SPAN_LIMITS.attributeValueLengthLimit

// What `cutText` appends, at most: a value the toolbar cut already (a trace it wrote to a
// file, imported again) is kept as it is rather than cut a second time.
const CUT_MARK = /… \(\d+ more characters\)$/
const MAX_MARK_CHARS = 40

/** Resources and scopes already limited: the spans of one export share them. */
const limitedShared = new WeakSet<object>()

/**
 * Applies `RECEIVED_SPAN_LIMITS` to `span` in place (it was just decoded, nothing else holds
 * it) and returns it.
 *
 * @example
 * ```ts
 * for (const span of decoded.spans) traces.receive(limitReceivedSpan(span))
 * ```
 */
export function limitReceivedSpan(span: ToolbarSpan): ToolbarSpan {
  span.name = cutValue(span.name)
  if (span.status.message !== undefined) span.status.message = cutValue(span.status.message)
  limitOwnAttributes(span, RECEIVED_SPAN_LIMITS.attributeCountLimit)
  span.events = lastOf(span, span.events, RECEIVED_SPAN_LIMITS.eventCountLimit, 'droppedEventsCount')
  for (const event of span.events) {
    event.name = cutValue(event.name)
    limitOwnAttributes(event, RECEIVED_SPAN_LIMITS.attributePerEventCountLimit)
  }
  span.links = lastOf(span, span.links, RECEIVED_SPAN_LIMITS.linkCountLimit, 'droppedLinksCount')
  for (const link of span.links) limitOwnAttributes(link, RECEIVED_SPAN_LIMITS.attributePerLinkCountLimit)
  if (!limitedShared.has(span.resource)) {
    limitedShared.add(span.resource)
    for (const key in span.resource) span.resource[key] = cutAttributeValue(span.resource[key]!)
  }
  if (!limitedShared.has(span.scope)) {
    limitedShared.add(span.scope)
    span.scope.name = cutValue(span.scope.name)
    if (span.scope.version !== undefined) span.scope.version = cutValue(span.scope.version)
  }
  return span
}

/** The attributes of a span, an event or a link kept within `max`, what was left out counted on it. */
function limitOwnAttributes(target: { attributes: Attributes; droppedAttributesCount?: number }, max: number): void {
  const limited = limitAttributes(target.attributes, max)
  target.attributes = limited.kept
  addDropped(target, 'droppedAttributesCount', limited.dropped)
}

/** The last `max` of a span's events or links (the SDK drops the oldest), the others counted under `key`. */
function lastOf<T>(span: ToolbarSpan, items: T[], max: number, key: 'droppedEventsCount' | 'droppedLinksCount'): T[] {
  if (items.length <= max) return items
  addDropped(span, key, items.length - max)
  return items.slice(-max)
}

/** The first `max` attributes with their values cut, and how many were left out. */
function limitAttributes(attributes: Attributes, max: number): { kept: Attributes; dropped: number } {
  const keys = Object.keys(attributes)
  if (keys.length <= max) {
    for (const key of keys) attributes[key] = cutAttributeValue(attributes[key]!)
    return { kept: attributes, dropped: 0 }
  }
  const kept: Attributes = {}
  for (let i = 0; i < max; i++) setOwn(kept, keys[i]!, cutAttributeValue(attributes[keys[i]!]!))
  return { kept, dropped: keys.length - max }
}

/** Adds `dropped` to the count the sender reported (the field is absent when nothing was dropped). */
function addDropped<K extends 'droppedAttributesCount' | 'droppedEventsCount' | 'droppedLinksCount'>(
  target: { [key in K]?: number },
  key: K,
  dropped: number,
): void {
  if (dropped > 0) target[key] = (target[key] ?? 0) + dropped
}

/** A string cut at the limit, or each string of an array (the SDK's `_truncateToSize`). */
function cutAttributeValue(value: AttributeValue): AttributeValue {
  if (typeof value === 'string') return cutValue(value)
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i]
      if (typeof item === 'string' && item.length > MAX_CHARS) value[i] = cutValue(item)
    }
  }
  return value
}

function cutValue(text: string): string {
  if (text.length <= MAX_CHARS) return text
  if (text.length <= MAX_CHARS + MAX_MARK_CHARS && CUT_MARK.test(text.slice(MAX_CHARS - 1))) return text
  return cutText(text, MAX_CHARS)
}
