/**
 * Zipkin's v2 JSON span list (https://zipkin.io/zipkin-api/#/default/post_spans) mapped to
 * the toolbar's span model: ids lowercased and zero-padded (64-bit trace ids to 32 hex),
 * microsecond times to nanosecond strings, `localEndpoint.serviceName` as the resource's
 * `service.name` (a `service.name` tag that repeats it is dropped), tags as attributes,
 * annotations as events, the `error` tag as status.
 *
 * Zipkin's shared spans (`shared: true`: a SERVER span that reuses the id of its caller's
 * CLIENT span, zipkin-js's default) would overwrite the CLIENT span in a store keyed by span
 * id. The shared span gets a span id derived from the trace, the shared id and its service,
 * and the shared id as its parent: both spans stay visible, the SERVER under the CLIENT.
 * The downstream service's own children of the shared span are moved under the derived
 * span too (`SharedSpanIds` remembers the mapping across requests; the receiver moves those
 * that came before the shared span). See specs/propagation.md.
 */
import { createHash } from 'node:crypto'
import { setOwn, type Attributes, type SpanKindName, type ToolbarSpan } from '../core/span-model.js'

/** A body that is not a Zipkin v2 span list at all (a 400). */
export class ZipkinDecodeError extends Error {
  override name = 'ZipkinDecodeError'
}

/** The spans of one POST: those kept, and why each refused one was refused. */
export interface ZipkinDecoded {
  spans: ToolbarSpan[]
  rejected: string[]
  /** Later reports of spans without their start, to complete an earlier report with (`completeZipkinSpan`). */
  fragments: ZipkinFragment[]
}

/**
 * A report of a span without a timestamp: what zipkin-js sends when a span ends after it
 * was flushed unfinished (its `timeout`, 60 s by default): the id, a "finish" annotation,
 * no start, no service. Zipkin joins such reports by span id; so does the receiver.
 */
export interface ZipkinFragment {
  /** Its position in the POST, for a refusal's message. */
  index: number
  traceId: string
  /** The ids the earlier report can be stored under, most likely first (a shared SERVER span's derived id, then its own). */
  spanIds: string[]
  name: string | undefined
  kind: SpanKindName | undefined
  /** Microseconds, when the report has a duration. */
  duration: bigint | undefined
  tags: Record<string, string>
  events: ToolbarSpan['events']
}

const HEX = /^[0-9a-f]+$/
const KINDS: Record<string, SpanKindName> = { CLIENT: 'CLIENT', SERVER: 'SERVER', PRODUCER: 'PRODUCER', CONSUMER: 'CONSUMER' }

/** A Zipkin kind's name, or undefined for any other value (`"constructor"` is no kind, though `KINDS` inherits one). */
function kindOf(kind: unknown): SpanKindName | undefined {
  return typeof kind === 'string' && Object.hasOwn(KINDS, kind) ? KINDS[kind] : undefined
}
/** More spans than this in one POST are refused whole (a 400): the body bound keeps this rare. */
export const MAX_ZIPKIN_SPANS_PER_REQUEST = 10_000
const MAX_SHARED_IDS = 10_000

/**
 * Bounded memory of the derived ids of shared spans, so that children reported in a later
 * POST find their parent. The oldest mapping goes first.
 *
 * @example
 * ```ts
 * const shared = new SharedSpanIds()
 * zipkinSpansToToolbar(JSON.parse(body), shared)
 * ```
 */
export class SharedSpanIds {
  private readonly ids = new Map<string, string>()
  /** The latest derived id by trace and shared id, whatever the service (a later report may not name it). */
  private readonly bySpan = new Map<string, string>()

  constructor(private readonly max = MAX_SHARED_IDS) {}

  /** The derived id of the shared span `spanId` of `service` in `traceId` (and remembers it). */
  derive(traceId: string, spanId: string, service: string): string {
    const key = `${traceId}/${spanId}/${service}`
    let id = this.ids.get(key)
    if (!id) {
      // Deterministic, so a retried POST derives the same id and is stored once.
      id = createHash('sha256').update(key).digest('hex').slice(0, 16)
      this.ids.set(key, id)
      if (this.ids.size > this.max) this.ids.delete(this.ids.keys().next().value as string)
    }
    this.bySpan.set(`${traceId}/${spanId}`, id)
    if (this.bySpan.size > this.max) this.bySpan.delete(this.bySpan.keys().next().value as string)
    return id
  }

  /** The derived id of the shared span `spanId` in `traceId`, of whichever service reported it last. */
  lookupAnyService(traceId: string, spanId: string): string | undefined {
    return this.bySpan.get(`${traceId}/${spanId}`)
  }

  /** The derived id, when `spanId` of `service` in `traceId` is a known shared span. */
  lookup(traceId: string, spanId: string, service: string): string | undefined {
    return this.ids.get(`${traceId}/${spanId}/${service}`)
  }
}

/**
 * Maps a parsed Zipkin v2 JSON body to toolbar spans with `source: 'zipkin'`. A span with a
 * bad id or time is refused alone (its reason in `rejected`); a body that is not a list is
 * a `ZipkinDecodeError`. `traceIdOf` may replace a trace id after padding (the receiver
 * joins a 64-bit trace id to the 128-bit trace it was cut from). A v1 span is refused with
 * where to send it instead, `v1Path` (the receiver's v1 path under its prefix).
 *
 * @example
 * ```ts
 * const { spans, rejected } = zipkinSpansToToolbar([{ traceId: 'a3ce929d0e0e4736', id: '00f067aa0ba902b7', name: 'get', timestamp: 1700000000000000, duration: 1200, localEndpoint: { serviceName: 'users' } }])
 * spans[0].traceId // '0000000000000000a3ce929d0e0e4736'
 * ```
 */
export function zipkinSpansToToolbar(
  body: unknown,
  shared = new SharedSpanIds(),
  traceIdOf: (traceId: string) => string = (traceId) => traceId,
  v1Path = '/zipkin/api/v1/spans',
): ZipkinDecoded {
  checkSpanList(body, 'Zipkin v2')
  return zipkinEntriesToToolbar(
    body.map((span, index) => ({ index, span })),
    [],
    shared,
    traceIdOf,
    (span) => refuseV1(span, v1Path),
  )
}

/**
 * Throws a `ZipkinDecodeError` (a 400) when `body` is not a JSON array of spans, or holds
 * more than one POST may.
 *
 * @example
 * ```ts
 * checkSpanList(JSON.parse(text), 'Zipkin v1') // throws on {"spans":[]}
 * ```
 */
export function checkSpanList(body: unknown, version: string): asserts body is unknown[] {
  if (!Array.isArray(body)) throw new ZipkinDecodeError(`expected a JSON array of ${version} spans`)
  if (body.length > MAX_ZIPKIN_SPANS_PER_REQUEST) {
    throw new ZipkinDecodeError(`${body.length} spans in one request; at most ${MAX_ZIPKIN_SPANS_PER_REQUEST} are accepted`)
  }
}

/**
 * Maps v2 spans to toolbar spans, each with the position in the POST that a refusal names
 * (spans converted from one v1 span share its position). `rejected` holds refusals made
 * before (a v1 span that could not be converted); `check` may refuse a span by throwing.
 *
 * @example
 * ```ts
 * const { spans } = zipkinEntriesToToolbar(zipkinV1SpanToV2(v1).map((span) => ({ index: 0, span })), [])
 * ```
 */
export function zipkinEntriesToToolbar(
  entries: Array<{ index: number; span: unknown }>,
  rejected: string[],
  shared = new SharedSpanIds(),
  traceIdOf: (traceId: string) => string = (traceId) => traceId,
  check: (span: unknown) => void = () => undefined,
): ZipkinDecoded {
  const spans: ToolbarSpan[] = []
  const fragments: ZipkinFragment[] = []
  // Shared spans first, so that their children in the same POST find the derived id.
  const order = [...entries].sort((a, b) => Number(isShared(b.span)) - Number(isShared(a.span)))
  for (const { index, span } of order) {
    try {
      check(span)
      if (isFragment(span)) fragments.push(toFragment(span as Record<string, unknown>, index, shared, traceIdOf))
      else spans.push(toToolbarSpan(span, shared, traceIdOf))
    } catch (error) {
      rejected.push(`span ${index}: ${(error as Error).message}`)
    }
  }
  return { spans, rejected, fragments }
}

/**
 * The earlier report of a span completed with a later one (`ZipkinFragment`): its end moves
 * to the latest time the later report gives, and it gains that report's tags and annotations.
 *
 * @example
 * ```ts
 * completeZipkinSpan(flushed, fragment).endTimeUnixNano // the time of the "finish" annotation
 * ```
 */
export function completeZipkinSpan(earlier: ToolbarSpan, fragment: ZipkinFragment): ToolbarSpan {
  const start = BigInt(earlier.startTimeUnixNano)
  let end = BigInt(earlier.endTimeUnixNano ?? earlier.startTimeUnixNano)
  if (fragment.duration !== undefined && start + fragment.duration * 1000n > end) end = start + fragment.duration * 1000n
  for (const event of fragment.events) if (BigInt(event.timeUnixNano) > end) end = BigInt(event.timeUnixNano)
  const failed = 'error' in fragment.tags || fragment.tags['otel.status_code'] !== undefined
  return {
    ...earlier,
    name: earlier.name === '' && fragment.name ? fragment.name : earlier.name,
    kind: earlier.kind === 'INTERNAL' && fragment.kind ? fragment.kind : earlier.kind,
    endTimeUnixNano: String(end),
    attributes: { ...earlier.attributes, ...fragment.tags },
    events: [...earlier.events, ...fragment.events],
    status: failed ? statusOf(fragment.tags) : earlier.status,
  }
}

/**
 * Zipkin v1 JSON (zipkin-js's HttpLogger sends it unless told `jsonEncoder: JSON_V2`) parses
 * as v2 spans that lost their service, kind and tags, which live in v1's endpoints and
 * `binaryAnnotations`: the span would show as "unknown_service". Refused, as Zipkin refuses v1
 * at its v2 path, with where to send it: Zipkin's v1 path, which converts it.
 * (A v1 span with neither, such as zipkin-js's local spans, carries nothing v2 would miss.)
 */
function refuseV1(raw: unknown, v1Path: string): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return
  const span = raw as { binaryAnnotations?: unknown; annotations?: unknown }
  const v1Annotation = Array.isArray(span.annotations) && span.annotations.some((a) => typeof a === 'object' && a !== null && 'endpoint' in a)
  if (span.binaryAnnotations !== undefined || v1Annotation) {
    throw new Error(
      `it is Zipkin v1 JSON (${span.binaryAnnotations !== undefined ? 'binaryAnnotations' : 'annotations with an endpoint'}), and this endpoint reads v2: ` +
        `send v1 JSON to ${v1Path}, or send v2 JSON here (zipkin-js: new HttpLogger({ jsonEncoder: jsonEncoder.JSON_V2, ... }))`,
    )
  }
}

function isFragment(raw: unknown): boolean {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false
  const timestamp = (raw as { timestamp?: unknown }).timestamp
  return timestamp === undefined || timestamp === null
}

function toFragment(span: Record<string, unknown>, index: number, shared: SharedSpanIds, traceIdOf: (traceId: string) => string): ZipkinFragment {
  const traceId = traceIdOf(hexId(span.traceId, 'traceId', [16, 32], 32))
  const spanId = hexId(span.id, 'id', [1, 16], 16)
  const kind = kindOf(span.kind)
  const derived = kind === 'CLIENT' ? undefined : shared.lookupAnyService(traceId, spanId)
  return {
    index,
    traceId,
    spanIds: derived ? [derived, spanId] : [spanId],
    name: typeof span.name === 'string' && span.name !== '' ? span.name : undefined,
    kind,
    duration: span.duration === undefined || span.duration === null ? undefined : micros(span.duration, 'duration'),
    tags: stringRecord(span.tags, 'tags'),
    events: annotations(span.annotations),
  }
}

function isShared(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { shared?: unknown }).shared === true
}

function toToolbarSpan(raw: unknown, shared: SharedSpanIds, traceIdOf: (traceId: string) => string): ToolbarSpan {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('not an object')
  const span = raw as Record<string, unknown>
  const traceId = traceIdOf(hexId(span.traceId, 'traceId', [16, 32], 32))
  let spanId = hexId(span.id, 'id', [1, 16], 16)
  // Zipkin reads a parentId of zero as none, as some tracers write it for a root span.
  const noParent = span.parentId === undefined || span.parentId === null || (typeof span.parentId === 'string' && /^0+$/.test(span.parentId))
  let parentSpanId = noParent ? undefined : hexId(span.parentId, 'parentId', [1, 16], 16)
  const local = endpoint(span.localEndpoint, 'localEndpoint')
  const service = typeof local?.serviceName === 'string' && local.serviceName !== '' ? local.serviceName : 'unknown_service'
  if (span.shared === true) {
    parentSpanId = spanId
    spanId = shared.derive(traceId, spanId, service)
  } else if (parentSpanId !== undefined) {
    // A child of a shared span of the same service hangs under the derived span.
    parentSpanId = shared.lookup(traceId, parentSpanId, service) ?? parentSpanId
  }
  const start = micros(span.timestamp, 'timestamp')
  // Zero is no start at all: such a span would put its trace in 1970.
  if (start === 0n) throw new Error('timestamp 0 is not a start time')
  const duration = span.duration === undefined || span.duration === null ? 0n : micros(span.duration, 'duration')
  const tags = stringRecord(span.tags, 'tags')
  const attributes: Attributes = { ...tags, ...remoteAttributes(endpoint(span.remoteEndpoint, 'remoteEndpoint')) }
  // OpenTelemetry's Zipkin exporter copies the resource into the tags: the service's name is
  // the resource's (from localEndpoint), not an attribute of the span.
  if (attributes['service.name'] === service) delete attributes['service.name']
  if (span.shared === true) attributes['zipkin.shared'] = true
  return {
    traceId,
    spanId,
    parentSpanId,
    name: typeof span.name === 'string' && span.name !== '' ? span.name : String(span.kind ?? 'span').toLowerCase(),
    kind: kindOf(span.kind) ?? 'INTERNAL',
    startTimeUnixNano: String(start * 1000n),
    endTimeUnixNano: String((start + duration) * 1000n),
    attributes,
    events: annotations(span.annotations),
    links: [],
    status: statusOf(tags),
    resource: { 'service.name': service },
    scope: { name: 'zipkin' },
    source: 'zipkin',
  }
}

function hexId(value: unknown, field: string, [min, max]: [number, number], width: number): string {
  const id = typeof value === 'string' ? value.toLowerCase() : ''
  if (id.length < min || id.length > max || !HEX.test(id) || /^0+$/.test(id)) {
    throw new Error(`${field} ${JSON.stringify(value)?.slice(0, 60)} is not ${min === max ? max : `${min} to ${max}`} hex characters, not all zero`)
  }
  return id.padStart(width, '0')
}

// Zipkin's server reads a number written as a JSON string too (its JSON reader's nextLong),
// and senders rely on it: Envoy 1.12 and OpenCensus Node before 0.0.8 wrote timestamp and
// duration as strings. Whole digits only, within a number's safe range as for a JSON number.
const MICROS_TEXT = /^\d{1,16}$/

function micros(value: unknown, field: string): bigint {
  const number = typeof value === 'string' && MICROS_TEXT.test(value) ? Number(value) : value
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0) {
    throw new Error(`${field} ${JSON.stringify(value)?.slice(0, 60)} is not a non-negative whole number of microseconds`)
  }
  return BigInt(number)
}

interface Endpoint {
  serviceName?: unknown
  ipv4?: unknown
  ipv6?: unknown
  port?: unknown
}

function endpoint(value: unknown, field: string): Endpoint | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${field} is not an object`)
  return value as Endpoint
}

function remoteAttributes(remote: Endpoint | undefined): Attributes {
  if (!remote) return {}
  const attributes: Attributes = {}
  if (typeof remote.serviceName === 'string' && remote.serviceName !== '') attributes['peer.service'] = remote.serviceName
  const address = typeof remote.ipv4 === 'string' ? remote.ipv4 : typeof remote.ipv6 === 'string' ? remote.ipv6 : undefined
  if (address) attributes['network.peer.address'] = address
  if (typeof remote.port === 'number' && Number.isInteger(remote.port)) attributes['network.peer.port'] = remote.port
  return attributes
}

function stringRecord(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${field} is not an object`)
  const result: Record<string, string> = {}
  for (const [key, item] of Object.entries(value)) {
    // A number is kept as its text, as Zipkin's server reads it; anything else is refused, as there.
    if (typeof item !== 'string' && typeof item !== 'number') throw new Error(`tag ${JSON.stringify(key).slice(0, 60)} is not a string`)
    setOwn(result, key, String(item))
  }
  return result
}

function annotations(value: unknown): ToolbarSpan['events'] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new Error('annotations is not an array')
  return value.map((item, i) => {
    const annotation = (typeof item === 'object' && item !== null ? item : {}) as { timestamp?: unknown; value?: unknown }
    if (typeof annotation.value !== 'string') throw new Error(`annotation ${i} has no string value`)
    return { name: annotation.value, timeUnixNano: String(micros(annotation.timestamp, `annotation ${i} timestamp`) * 1000n), attributes: {} }
  })
}

function statusOf(tags: Record<string, string>): ToolbarSpan['status'] {
  // Zipkin marks a failure with the `error` tag; OpenTelemetry's Zipkin exporter adds otel.status_code.
  const code = tags['otel.status_code']
  if ('error' in tags || code === 'ERROR') {
    const message = tags.error || tags['otel.status_description']
    return message ? { code: 'ERROR', message } : { code: 'ERROR' }
  }
  return code === 'OK' ? { code: 'OK' } : { code: 'UNSET' }
}
