/**
 * Spans as the toolbar shows them. The toolbar's own converted spans are redacted where
 * their data is collected, but the app's instrumentation and the services that send spans
 * to the receivers set attributes as they please (`http.request.header.authorization`,
 * `app.api_key`, a `db.connection_string` with its password, a `url.full` with `?token=`).
 * Those are redacted when a trace is read for the API and the waterfall, by the rules the
 * MCP server applies: the spans are stored and exported as they were sent.
 */
import type { Attributes, AttributeValue, ToolbarSpan } from './span-model.js'
import { isSecretAttributeKey, redactAttributeText, redactText } from './redact-text.js'
import { REDACTED } from './redact.js'

/**
 * The placeholder of a redacted span attribute: OpenTelemetry's own for `url.full`
 * (`REDACTED`), which the MCP server uses too.
 */
export const SPAN_REDACTED = 'REDACTED'

/**
 * A copy of `span` whose name, status message and attributes (its own, its resource's, its
 * events' and links') show no secret: the value of a secret-named attribute
 * (`isSecretAttributeKey`) is replaced, and the secrets written in any other string
 * (`redactText`: `password=...`, a URL's user info and secret query values, SQL literals of
 * secret columns) are. A span with nothing to hide is returned as it is.
 *
 * @example
 * ```ts
 * redactSpan(span).attributes // { 'http.request.header.authorization': ['REDACTED'], 'url.full': 'https://api/x?token=REDACTED' }
 * ```
 */
export function redactSpan(span: ToolbarSpan): ToolbarSpan {
  const name = redactSpanText(span.name)
  const message = span.status.message === undefined ? undefined : redactSpanText(span.status.message)
  const attributes = redactAttributes(span.attributes)
  const resource = redactAttributes(span.resource, true)
  const events = sameOrMapped(span.events, (event) => {
    const shown = redactAttributes(event.attributes)
    const eventName = redactSpanText(event.name)
    return shown === event.attributes && eventName === event.name ? event : { ...event, name: eventName, attributes: shown }
  })
  const links = sameOrMapped(span.links, (link) => {
    const shown = redactAttributes(link.attributes)
    return shown === link.attributes ? link : { ...link, attributes: shown }
  })
  if (name === span.name && message === span.status.message && attributes === span.attributes && resource === span.resource && events === span.events && links === span.links) return span
  return { ...span, name, status: message === span.status.message ? span.status : { ...span.status, message }, attributes, resource, events, links }
}

/**
 * A trace's spans as every toolbar route answers them (`GET /api/traces/:traceId`, its pages
 * and its OTLP file, the analysis and the comparison): each as `redactSpan` shows it. The
 * same array when no span had anything to hide.
 *
 * @example
 * ```ts
 * const spans = redactTraceSpans(await reader.spans(traceId))
 * ```
 */
export function redactTraceSpans(spans: ToolbarSpan[]): ToolbarSpan[] {
  return sameOrMapped(spans, redactSpan)
}

/**
 * A trace list's row as the list shows it: its root span's name can hold a URL with its
 * query (`GET /hooks?token=...`), redacted as the span itself is. The same row when there
 * was nothing to hide.
 *
 * @example
 * ```ts
 * redactTraceSummary({ traceId, rootName: 'GET /hooks?token=abc', ... }).rootName // 'GET /hooks?token=REDACTED'
 * ```
 */
export function redactTraceSummary<T extends { rootName: string }>(summary: T): T {
  const rootName = redactSpanText(summary.rootName)
  return rootName === summary.rootName ? summary : { ...summary, rootName }
}

/**
 * `attributes` with secrets redacted as `redactSpan` does, or the same object when there
 * was nothing to hide.
 *
 * @example
 * ```ts
 * redactAttributes({ 'app.api_key': 'k1', 'db.connection_string': 'postgres://u:pw@db/app' })
 * // { 'app.api_key': 'REDACTED', 'db.connection_string': 'postgres://REDACTED:REDACTED@db/app' }
 * ```
 */
export function redactAttributes(attributes: Attributes, shared = false): Attributes {
  let copy: Attributes | undefined
  for (const key of Object.keys(attributes)) {
    const value = attributes[key]!
    const shown = isSecretKeyCached(key) ? hidden(value) : shared && typeof value === 'string' ? sharedText(value) : key === 'url.query' ? redactValue(value, key) : redactValue(value)
    if (shown === value) continue
    copy ??= { ...attributes }
    Object.defineProperty(copy, key, { value: shown, enumerable: true, writable: true, configurable: true })
  }
  return copy ?? attributes
}

/**
 * A span's text (its name, a trace's root name) as `redactSpan` shows it: what was redacted
 * where it was collected keeps its placeholder.
 *
 * @example
 * ```ts
 * redactSpanText('GET /hooks?token=abc') // 'GET /hooks?token=REDACTED'
 * ```
 */
export function redactSpanText(text: string): string {
  return redactText(text, SPAN_REDACTED, true)
}

/** `redactSpanText` of a value that every span of a service repeats (its resource's). */
function sharedText(text: string): string {
  if (text.length > MAX_CACHED_CHARS) return redactSpanText(text)
  let shown = sharedTexts.get(text)
  if (shown === undefined) {
    shown = redactSpanText(text)
    remember(sharedTexts, text, shown)
  }
  return shown
}

/*
 * A trace is read whole (a waterfall of 100,000 spans): the same attribute keys, and the
 * same resource values, come back on most of its spans, and the rules cost about as much as
 * the rest of the read. Answers are kept for the next span, in two bounded maps that start
 * over when full. (A span's own values are mostly its own: an id, a URL, a statement.)
 */
const MAX_CACHED = 4096
const MAX_CACHED_CHARS = 256
const sharedTexts = new Map<string, string>()
const secretKeys = new Map<string, boolean>()

function isSecretKeyCached(key: string): boolean {
  let secret = secretKeys.get(key)
  if (secret === undefined) {
    secret = isSecretAttributeKey(key)
    remember(secretKeys, key, secret)
  }
  return secret
}

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= MAX_CACHED) cache.clear()
  cache.set(key, value)
}

/** Every item of a secret attribute replaced (`['Bearer x']` becomes `['REDACTED']`); null stays null. */
function hidden(value: AttributeValue): AttributeValue {
  if (!Array.isArray(value)) return hiddenItem(value)
  return sameOrMapped(value, hiddenItem)
}

function hiddenItem<T extends AttributeValue>(value: T): T | string {
  return value === null || value === REDACTED || value === SPAN_REDACTED ? value : SPAN_REDACTED
}

function redactValue(value: AttributeValue, key?: string): AttributeValue {
  if (typeof value === 'string') return key === undefined ? redactSpanText(value) : redactAttributeText(key, value, SPAN_REDACTED, true)
  if (!Array.isArray(value)) return value
  return sameOrMapped(value, (item) => (typeof item === 'string' ? redactSpanText(item) : item))
}

/** `items` mapped, or `items` itself when no item changed. */
function sameOrMapped<T>(items: T[], map: (item: T) => T): T[] {
  let copy: T[] | undefined
  items.forEach((item, at) => {
    const shown = map(item)
    if (shown === item) return
    copy ??= items.slice()
    copy[at] = shown
  })
  return copy ?? items
}
