/**
 * Conversions between OTLP trace requests (decoded protobuf or OTLP/JSON), SDK spans and
 * the toolbar's own span form. Receivers call `toolbarSpansFromOtlp`, the span processor
 * calls `toolbarSpanFromReadableSpan`, and `GET /api/traces/:traceId/otlp` serves
 * `otlpJsonFromToolbarSpans`. Over 400 lines: both directions share the id, time
 * and AnyValue rules, which must not drift apart between reading and writing.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import type { Attributes as OtelAttributes, HrTime } from '@opentelemetry/api'
import { setOwn, type AttributeValue, type Attributes, type SpanKindName, type SpanSource, type ToolbarSpan, type ToolbarSpanStatus } from './span-model.js'
import { OtlpDecodeError, bytesToHex } from './otlp-proto.js'
import { contextExtras, copyExtras } from './otlp-span-extras.js'
import type { OtlpAnyValue, OtlpKeyValue, OtlpResourceSpans, OtlpSpan, OtlpTraceRequest } from './otlp-proto.js'

export { OtlpDecodeError } from './otlp-proto.js'

// OTLP SpanKind numbers; the API's SpanKind is the same list without UNSPECIFIED, so OTLP = API + 1.
const KIND_NAMES: SpanKindName[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER']
const STATUS_NAMES: Array<ToolbarSpanStatus['code']> = ['UNSET', 'OK', 'ERROR']

/**
 * Turns an OTLP ExportTraceServiceRequest into toolbar spans. Accepts the decoded
 * protobuf form (ids as bytes) and OTLP/JSON (ids as hex, enums as integers, 64-bit
 * integers as decimal strings or numbers).
 *
 * @throws OtlpDecodeError naming the offending span when ids, times or the shape are wrong.
 * @example
 * ```ts
 * const spans = toolbarSpansFromOtlp(await c.req.json(), 'otlp_http')
 * ```
 */
export function toolbarSpansFromOtlp(request: unknown, source: SpanSource): ToolbarSpan[] {
  const { spans, rejected } = toolbarSpansFromOtlpPartially(request, source)
  if (rejected.length > 0) throw new OtlpDecodeError(rejected[0]!)
  return spans
}

/** The spans of an export request that could be read, and why the others could not. */
export interface PartialOtlpSpans {
  spans: ToolbarSpan[]
  /** One message per refused span. */
  rejected: string[]
}

/**
 * Like `toolbarSpansFromOtlp`, but a span with bad ids, times or attributes is refused on
 * its own (with a message) and the valid spans of the same request are kept: what a
 * receiver's `partialSuccess` reports.
 *
 * @throws OtlpDecodeError when the request, a resource or a scope is malformed.
 * @example
 * ```ts
 * const { spans, rejected } = toolbarSpansFromOtlpPartially(JSON.parse(body), 'otlp_http')
 * ```
 */
export function toolbarSpansFromOtlpPartially(request: unknown, source: SpanSource): PartialOtlpSpans {
  if (!isObject(request)) throw new OtlpDecodeError('an ExportTraceServiceRequest must be an object')
  const spans: ToolbarSpan[] = []
  const rejected: string[] = []
  const resourceSpans = arrayField(request, 'resourceSpans', 'request')
  resourceSpans.forEach((rs, r) => {
    const where = `resourceSpans[${r}]`
    if (!isObject(rs)) throw new OtlpDecodeError(`${where} must be an object`)
    const resource = isObject(rs.resource) ? attributesFromKeyValues(rs.resource.attributes, `${where}.resource`) : {}
    // Senders from before OTLP 1.0 (SDKs of 2021 and early 2022) write instrumentationLibrarySpans,
    // the same message under its old name and field number (otlp-proto.ts decodes both).
    const old = isAbsent(rs.scopeSpans) && !isAbsent(rs.instrumentationLibrarySpans)
    const scopesKey = old ? 'instrumentationLibrarySpans' : 'scopeSpans'
    arrayField(rs, scopesKey, where).forEach((ss, s) => {
      const scopeWhere = `${where}.${scopesKey}[${s}]`
      if (!isObject(ss)) throw new OtlpDecodeError(`${scopeWhere} must be an object`)
      const scope = scopeOf(ss.scope ?? ss.instrumentationLibrary)
      arrayField(ss, 'spans', scopeWhere).forEach((span, i) => {
        try {
          spans.push(toolbarSpanFromOtlpSpan(span, `${scopeWhere}.spans[${i}]`, resource, scope, source))
        } catch (error) {
          if (!(error instanceof OtlpDecodeError)) throw error
          rejected.push(error.message)
        }
      })
    })
  })
  return { spans, rejected }
}

/**
 * Builds an OTLP/JSON ExportTraceServiceRequest from toolbar spans, grouped by resource
 * and instrumentation scope: a file that Jaeger, the collector or another toolbar can load.
 *
 * @example
 * ```ts
 * app.get('/api/traces/:traceId/otlp', (c) => c.json(otlpJsonFromToolbarSpans(trace.spans)))
 * ```
 */
export function otlpJsonFromToolbarSpans(spans: ToolbarSpan[]): OtlpTraceRequest<string> {
  const byResource = new Map<string, { resource: Attributes; scopes: Map<string, ToolbarSpan[]> }>()
  for (const span of spans) {
    const resourceKey = JSON.stringify(Object.entries(span.resource).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    let group = byResource.get(resourceKey)
    if (!group) byResource.set(resourceKey, (group = { resource: span.resource, scopes: new Map() }))
    const scopeKey = JSON.stringify([span.scope.name, span.scope.version ?? null])
    const scoped = group.scopes.get(scopeKey)
    if (scoped) scoped.push(span)
    else group.scopes.set(scopeKey, [span])
  }
  const resourceSpans: Array<OtlpResourceSpans<string>> = []
  for (const { resource, scopes } of byResource.values()) {
    resourceSpans.push({
      resource: { attributes: keyValuesFromAttributes(resource) },
      scopeSpans: [...scopes.values()].map((scoped) => ({
        scope: scoped[0].scope.version === undefined
          ? { name: scoped[0].scope.name }
          : { name: scoped[0].scope.name, version: scoped[0].scope.version },
        spans: scoped.map(otlpJsonSpan),
      })),
    })
  }
  return { resourceSpans }
}

/**
 * Converts an SDK span into the toolbar's form. Works on spans still running (then
 * `endTimeUnixNano` is undefined), so the processor can show in-flight spans.
 *
 * @example
 * ```ts
 * class Processor implements SpanProcessor {
 *   onEnd(span: ReadableSpan) { record.spans.push(toolbarSpanFromReadableSpan(span)) }
 * }
 * ```
 */
export function toolbarSpanFromReadableSpan(span: ReadableSpan, source: SpanSource = 'local'): ToolbarSpan {
  const context = span.spanContext()
  const status: ToolbarSpanStatus = { code: STATUS_NAMES[span.status.code] ?? 'UNSET' }
  if (span.status.message) status.message = span.status.message
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    kind: KIND_NAMES[span.kind + 1] ?? 'INTERNAL',
    startTimeUnixNano: hrTimeToNanos(span.startTime),
    endTimeUnixNano: span.ended ? hrTimeToNanos(span.endTime) : undefined,
    attributes: toolbarAttributes(span.attributes),
    events: span.events.map((event) => ({
      name: event.name,
      timeUnixNano: hrTimeToNanos(event.time),
      attributes: toolbarAttributes(event.attributes ?? {}),
      ...copyExtras(event),
    })),
    links: span.links.map((link) => ({
      traceId: link.context.traceId,
      spanId: link.context.spanId,
      attributes: toolbarAttributes(link.attributes ?? {}),
      ...contextExtras(link.context, link.context.isRemote),
      ...copyExtras(link),
    })),
    status,
    resource: toolbarAttributes(span.resource.attributes),
    scope: span.instrumentationScope.version === undefined
      ? { name: span.instrumentationScope.name }
      : { name: span.instrumentationScope.name, version: span.instrumentationScope.version },
    source,
    ...contextExtras(context, span.parentSpanContext?.isRemote),
    ...copyExtras(span),
  }
}

/**
 * Nanoseconds since the epoch as a decimal string, exact (a double cannot hold them).
 *
 * @example
 * ```ts
 * hrTimeToNanos([1700000000, 123456789]) // '1700000000123456789'
 * ```
 */
export function hrTimeToNanos([seconds, nanos]: HrTime): string {
  const whole = Math.trunc(seconds)
  const rest = Math.round((seconds - whole) * 1e9 + nanos)
  return (BigInt(whole) * 1_000_000_000n + BigInt(rest)).toString()
}

function toolbarSpanFromOtlpSpan(
  span: unknown,
  where: string,
  resource: Attributes,
  scope: ToolbarSpan['scope'],
  source: SpanSource,
): ToolbarSpan {
  if (!isObject(span)) throw new OtlpDecodeError(`${where} must be an object`)
  const name = typeof span.name === 'string' ? span.name : ''
  const at = `${where} (${JSON.stringify(name)})`
  const statusObject = isObject(span.status) ? span.status : {}
  const status: ToolbarSpanStatus = { code: enumName(statusObject.code, STATUS_NAMES, 'STATUS_CODE_', `${at}.status.code`) }
  if (typeof statusObject.message === 'string' && statusObject.message !== '') status.message = statusObject.message
  const start = nanos(span.startTimeUnixNano ?? 0, `${at}.startTimeUnixNano`)
  // Zero is "unknown or missing" on the wire: such a span would put its trace in 1970.
  if (start === '0') throw new OtlpDecodeError(`${at}.startTimeUnixNano is missing (0)`)
  const end = span.endTimeUnixNano === undefined ? undefined : nanos(span.endTimeUnixNano, `${at}.endTimeUnixNano`)
  if (end !== undefined && end !== '0' && BigInt(end) < BigInt(start)) {
    throw new OtlpDecodeError(`${at}.endTimeUnixNano ${end} is before its startTimeUnixNano ${start}`)
  }
  const traceId = id(span.traceId, 16, `${at}.traceId`)
  const spanId = id(span.spanId, 8, `${at}.spanId`)
  const { links, invalidLinks } = linksOf(span, at)
  const extras = copyExtras(span)
  // The SDKs send a link to an invalid context as they got it (all zeros): the span is kept without it.
  if (invalidLinks > 0) extras.droppedLinksCount = (extras.droppedLinksCount ?? 0) + invalidLinks
  return {
    traceId,
    spanId,
    parentSpanId: isEmptyId(span.parentSpanId) ? undefined : id(span.parentSpanId, 8, `${at}.parentSpanId`),
    name,
    kind: enumName(span.kind ?? 0, KIND_NAMES, 'SPAN_KIND_', `${at}.kind`),
    startTimeUnixNano: start,
    // A zero end time means "not set" on the wire.
    endTimeUnixNano: end === '0' ? undefined : end,
    attributes: attributesFromKeyValues(span.attributes, at),
    events: arrayField(span, 'events', at).map((event, e) => {
      if (!isObject(event)) throw new OtlpDecodeError(`${at}.events[${e}] must be an object`)
      return {
        name: typeof event.name === 'string' ? event.name : '',
        timeUnixNano: nanos(event.timeUnixNano ?? 0, `${at}.events[${e}].timeUnixNano`),
        attributes: attributesFromKeyValues(event.attributes, `${at}.events[${e}]`),
        ...copyExtras(event),
      }
    }),
    links,
    status,
    resource,
    scope,
    source,
    ...extras,
  }
}

function linksOf(span: Record<string, unknown>, at: string): { links: ToolbarSpan['links']; invalidLinks: number } {
  const links: ToolbarSpan['links'] = []
  let invalidLinks = 0
  arrayField(span, 'links', at).forEach((link, l) => {
    if (!isObject(link)) throw new OtlpDecodeError(`${at}.links[${l}] must be an object`)
    if (isZeroId(link.traceId) || isZeroId(link.spanId)) {
      invalidLinks++
      return
    }
    links.push({
      traceId: id(link.traceId, 16, `${at}.links[${l}].traceId`),
      spanId: id(link.spanId, 8, `${at}.links[${l}].spanId`),
      attributes: attributesFromKeyValues(link.attributes, `${at}.links[${l}]`),
      ...copyExtras(link),
    })
  })
  return { links, invalidLinks }
}

function otlpJsonSpan(span: ToolbarSpan): OtlpSpan<string> {
  const out: OtlpSpan<string> = { traceId: span.traceId, spanId: span.spanId }
  if (span.parentSpanId) out.parentSpanId = span.parentSpanId
  out.name = span.name
  out.kind = KIND_NAMES.indexOf(span.kind)
  out.startTimeUnixNano = span.startTimeUnixNano
  if (span.endTimeUnixNano !== undefined) out.endTimeUnixNano = span.endTimeUnixNano
  out.attributes = keyValuesFromAttributes(span.attributes)
  out.events = span.events.map((event) => ({
    timeUnixNano: event.timeUnixNano,
    name: event.name,
    attributes: keyValuesFromAttributes(event.attributes),
    ...copyExtras(event),
  }))
  out.links = span.links.map((link) => ({
    traceId: link.traceId,
    spanId: link.spanId,
    attributes: keyValuesFromAttributes(link.attributes),
    ...copyExtras(link),
  }))
  Object.assign(out, copyExtras(span))
  out.status = { code: STATUS_NAMES.indexOf(span.status.code) }
  if (span.status.message) out.status.message = span.status.message
  return out
}

function scopeOf(scope: unknown): ToolbarSpan['scope'] {
  if (!isObject(scope)) return { name: '' }
  const name = typeof scope.name === 'string' ? scope.name : ''
  return typeof scope.version === 'string' && scope.version !== '' ? { name, version: scope.version } : { name }
}

function toolbarAttributes(attributes: OtelAttributes): Attributes {
  const out: Attributes = {}
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue
    setOwn(out, key, (Array.isArray(value) ? value.map((item) => item ?? null) : value) as AttributeValue)
  }
  return out
}

function id(value: unknown, bytes: number, where: string): string {
  let hex: string
  if (value instanceof Uint8Array) {
    if (value.length !== bytes) throw new OtlpDecodeError(`${where} must be ${bytes} bytes, got ${value.length}`)
    hex = bytesToHex(value)
  } else if (typeof value === 'string') {
    if (value.length !== bytes * 2 || !/^[0-9a-fA-F]*$/.test(value)) {
      // Generic protobuf JSON printers write bytes as base64; OTLP/JSON does not.
      const hint = Buffer.from(value, 'base64').length === bytes && /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) ? ' (OTLP/JSON writes ids as hex, not base64)' : ''
      throw new OtlpDecodeError(`${where} must be ${bytes * 2} hex characters, got ${JSON.stringify(value.slice(0, 80))}${hint}`)
    }
    hex = value.toLowerCase()
  } else {
    throw new OtlpDecodeError(`${where} is missing (expected ${bytes * 2} hex characters)`)
  }
  if (/^0+$/.test(hex)) throw new OtlpDecodeError(`${where} must not be all zeros`)
  return hex
}

// An all-zero parent is the invalid span id: some SDKs write it for a root span, and Jaeger
// and the Collector read it as no parent.
function isEmptyId(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (value instanceof Uint8Array && value.length === 0) || isZeroId(value)
}

/** The invalid id (all zeros, of any length), as bytes or hex. */
function isZeroId(value: unknown): boolean {
  if (value instanceof Uint8Array) return value.length > 0 && value.every((byte) => byte === 0)
  return typeof value === 'string' && /^0+$/.test(value)
}

/** The latest time a span may carry: int64's largest nanosecond count, in the year 2262. */
const MAX_NANOS = 2n ** 63n - 1n

function nanos(value: unknown, where: string): string {
  let time: bigint | undefined
  if (typeof value === 'string' && /^\d+$/.test(value)) time = BigInt(value)
  // A JSON number past 2^53 has lost its last digits already; keep what is left rather than refuse the span.
  else if (typeof value === 'number' && Number.isInteger(value) && value >= 0) time = BigInt(value)
  else if (typeof value === 'bigint' && value >= 0n) time = value
  if (time === undefined) throw new OtlpDecodeError(`${where} must be a non-negative integer (nanoseconds), got ${JSON.stringify(String(value))}`)
  if (time > MAX_NANOS) throw new OtlpDecodeError(`${where} ${time} is past the year 2262 (at most ${MAX_NANOS} nanoseconds)`)
  return time.toString()
}

function enumName<T extends string>(value: unknown, names: readonly T[], prefix: string, where: string): T {
  if (value === undefined || value === null) return names[0]
  if (typeof value === 'number' && Number.isInteger(value) && names[value] !== undefined) return names[value]
  // OTLP/JSON says integers; accept the proto enum names too, as lenient receivers do.
  if (typeof value === 'string' && value.startsWith(prefix)) {
    const name = value.slice(prefix.length) as T
    if (names.includes(name)) return name
  }
  throw new OtlpDecodeError(`${where} is not a valid value: ${JSON.stringify(value)}`)
}

// Names a sender may use where OTLP/JSON has another: protobuf's own field names (a generic
// printer told to keep them). Read as absent, they would make a request that is answered
// 200 and keeps nothing.
const OTHER_NAMES: Record<string, string[]> = {
  resourceSpans: ['resource_spans'],
  scopeSpans: ['scope_spans', 'instrumentation_library_spans'],
}

function arrayField(object: Record<string, unknown>, key: string, where: string): unknown[] {
  const value = object[key]
  if (value === undefined || value === null) {
    const other = OTHER_NAMES[key]?.find((name) => object[name] !== undefined)
    if (other) throw new OtlpDecodeError(`${where} has "${other}" where OTLP/JSON has "${key}" (OTLP/JSON names fields in lowerCamelCase)`)
    return []
  }
  if (!Array.isArray(value)) throw new OtlpDecodeError(`${where}.${key} must be an array`)
  return value
}

/** Not there, or an empty list (decoded protobuf has an empty list for every repeated field). */
function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || (Array.isArray(value) && value.length === 0)
}

/**
 * True for a JSON object (or a decoded protobuf message): not null, an array or bytes.
 *
 * @example
 * ```ts
 * isObject({ resourceSpans: [] }) // true
 * isObject([]) // false
 * ```
 */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
}

function attributesFromKeyValues(keyValues: unknown, where: string): Attributes {
  if (keyValues === undefined || keyValues === null) return {}
  if (!Array.isArray(keyValues)) throw new OtlpDecodeError(`${where}.attributes must be an array`)
  const out: Attributes = {}
  keyValues.forEach((kv, i) => {
    if (!isObject(kv) || typeof kv.key !== 'string') {
      throw new OtlpDecodeError(`${where}.attributes[${i}] must be an object with a string key`)
    }
    setOwn(out, kv.key, attributeValue(kv.value, `${where}.attributes[${JSON.stringify(kv.key)}]`))
  })
  return out
}

// The toolbar's attribute values are flat (as the OpenTelemetry API allows): nested
// arrays and key/value lists from other SDKs are kept as compact JSON text.
function attributeValue(value: unknown, where: string): AttributeValue {
  const plain = anyValue(value, where)
  if (Array.isArray(plain)) {
    return plain.map((item) =>
      item === null || typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean' ? item : JSON.stringify(item))
  }
  return plain !== null && typeof plain === 'object' ? JSON.stringify(plain) : plain
}

type PlainValue = string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue }

// Attribute values nest (arrays, key/value lists); deeper than this is refused, so that a
// hostile payload cannot exhaust the stack here or in JSON.stringify.
const MAX_VALUE_DEPTH = 32

/** A double as proto3 JSON writes it in a string: a decimal number, or NaN and the infinities. */
const DOUBLE_TEXT = /^(?:-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|NaN|-?Infinity)$/

function anyValue(value: unknown, where: string, depth = 0): PlainValue {
  if (value === undefined || value === null) return null
  if (depth > MAX_VALUE_DEPTH) throw new OtlpDecodeError(`${where} is nested deeper than ${MAX_VALUE_DEPTH} levels`)
  if (!isObject(value)) throw new OtlpDecodeError(`${where} must be an AnyValue object`)
  // A field of the wrong type is refused, as the OTLP/JSON (proto3 JSON) parsers refuse it:
  // read past, it left the attribute null and nobody was told. JSON's null is a field not set.
  if (value.stringValue != null) {
    if (typeof value.stringValue !== 'string') throw new OtlpDecodeError(`${where}.stringValue must be a string`)
    return value.stringValue
  }
  if (value.boolValue != null) {
    if (typeof value.boolValue !== 'boolean') throw new OtlpDecodeError(`${where}.boolValue must be a boolean`)
    return value.boolValue
  }
  if (value.intValue != null) {
    const text = typeof value.intValue === 'number' ? String(value.intValue) : value.intValue
    if (typeof text !== 'string' || !/^-?\d+$/.test(text)) throw new OtlpDecodeError(`${where}.intValue must be an integer`)
    // Integers beyond 2^53 stay exact as text.
    return Number.isSafeInteger(Number(text)) ? Number(text) : text
  }
  if (value.doubleValue != null) {
    // OTLP/JSON writes NaN and the infinities as strings, and may write any double as one.
    const text = value.doubleValue
    if (typeof text !== 'number' && !(typeof text === 'string' && DOUBLE_TEXT.test(text))) {
      throw new OtlpDecodeError(`${where}.doubleValue must be a number (or "NaN", "Infinity", "-Infinity")`)
    }
    return Number(text)
  }
  for (const field of ['arrayValue', 'kvlistValue'] as const) {
    if (value[field] != null && !isObject(value[field])) throw new OtlpDecodeError(`${where}.${field} must be an object`)
  }
  if (isObject(value.arrayValue)) {
    const values = value.arrayValue.values ?? []
    if (!Array.isArray(values)) throw new OtlpDecodeError(`${where}.arrayValue.values must be an array`)
    return values.map((item, i) => anyValue(item, `${where}[${i}]`, depth + 1))
  }
  if (isObject(value.kvlistValue)) {
    const values = value.kvlistValue.values ?? []
    if (!Array.isArray(values)) throw new OtlpDecodeError(`${where}.kvlistValue.values must be an array`)
    const out: { [key: string]: PlainValue } = {}
    for (const kv of values) {
      if (isObject(kv) && typeof kv.key === 'string') setOwn(out, kv.key, anyValue(kv.value, `${where}.${kv.key}`, depth + 1))
    }
    return out
  }
  if (value.bytesValue instanceof Uint8Array) return Buffer.from(value.bytesValue).toString('base64')
  if (value.bytesValue != null) return base64Bytes(value.bytesValue, `${where}.bytesValue`)
  return null
}

/** proto3 JSON's bytes: base64, standard or URL-safe, padding optional. */
const BASE64 = /^(?:[A-Za-z0-9+/]*|[A-Za-z0-9_-]*)={0,2}$/

/**
 * An OTLP/JSON `bytesValue`, kept as standard base64 (what a protobuf body's bytes become), so
 * the same bytes read the same whichever way they came. Node's decoder skips what is not
 * base64 instead of failing: checked first, or "not base64!" would be kept as other bytes.
 */
function base64Bytes(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new OtlpDecodeError(`${where} must be a base64 string, got ${Array.isArray(value) ? 'an array' : `a ${typeof value}`}`)
  // Unpadded, a last group of one character is no whole byte; padded, the groups are whole.
  if (!BASE64.test(value) || value.replace(/=+$/, '').length % 4 === 1 || (value.includes('=') && value.length % 4 !== 0)) {
    throw new OtlpDecodeError(`${where} must be base64, got ${JSON.stringify(value.slice(0, 80))}`)
  }
  return Buffer.from(value, 'base64').toString('base64')
}

function keyValuesFromAttributes(attributes: Attributes): OtlpKeyValue[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: otlpAnyValue(value) }))
}

function otlpAnyValue(value: AttributeValue | undefined): OtlpAnyValue {
  if (value === null || value === undefined) return {}
  if (typeof value === 'string') return { stringValue: value }
  if (typeof value === 'boolean') return { boolValue: value }
  if (typeof value === 'number') {
    // OTLP/JSON: 64-bit integers as decimal strings; NaN and the infinities as strings too
    // (proto3 JSON), which JSON.stringify would have written as null.
    if (Number.isSafeInteger(value)) return { intValue: String(value) }
    return { doubleValue: Number.isFinite(value) ? value : String(value) }
  }
  return { arrayValue: { values: value.map((item) => otlpAnyValue(item)) } }
}
