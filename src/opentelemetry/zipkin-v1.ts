/**
 * Zipkin v1 JSON (what zipkin-js's HttpLogger sends by default, and older Brave, Finagle and
 * zipkin-ruby) converted to Zipkin v2 spans the way Zipkin's collector converts it
 * (zipkin2's `V1SpanConverter`), so that the v2 path's mapping to the toolbar's span model
 * (zipkin-json.ts) applies to both unchanged.
 *
 * In v1, a span has no kind, no local endpoint and no tags of its own: the kind is read from
 * the core annotations (`cs`/`cr` CLIENT, `sr`/`ss` SERVER, `ms` PRODUCER, `mr` CONSUMER), the
 * local endpoint from the endpoint those annotations (or the binary annotations) were logged
 * with, the remote endpoint from the address binary annotations (`ca`, `sa`, `ma`), and the
 * tags from the other binary annotations. One v1 span can hold both sides of an RPC (the
 * client's `cs`/`cr` and the server's `sr`/`ss`, logged by two services under one id): it
 * becomes two v2 spans, the server's `shared: true`. See specs/propagation.md.
 *
 * Where the toolbar differs from Zipkin: span and service names keep their case (as on the
 * v2 path), and a binary annotation whose value is a JSON boolean or number (v1 JSON's BOOL,
 * I16, I32, I64 and DOUBLE types) is kept as a tag with the value's text, where Zipkin drops it.
 *
 * Over 400 lines because `Conversion` follows Zipkin's converter method by method, so that the
 * two can be read side by side; splitting it would break that correspondence.
 */
import { checkSpanList, MAX_ZIPKIN_SPANS_PER_REQUEST, SharedSpanIds, ZipkinDecodeError, zipkinEntriesToToolbar, type ZipkinDecoded } from './zipkin-json.js'
import { setOwn } from './span-model.js'

/** A v2 span as Zipkin's v2 JSON writes it (the fields the converter sets). */
export interface ZipkinV2Span {
  traceId: unknown
  parentId?: unknown
  id: unknown
  name?: string
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER'
  timestamp?: number
  duration?: number
  localEndpoint?: ZipkinEndpoint
  remoteEndpoint?: ZipkinEndpoint
  annotations?: Array<{ timestamp: number; value: string }>
  tags?: Record<string, string>
  debug?: true
  shared?: true
}

/** An endpoint after Zipkin's reading: an empty service name is none; an endpoint with nothing in it is none. */
export interface ZipkinEndpoint {
  serviceName?: string
  ipv4?: string
  ipv6?: string
  port?: number
}

interface V1Annotation {
  timestamp: number
  value: string
  endpoint: ZipkinEndpoint | undefined
}

interface V1BinaryAnnotation {
  key: string
  /** A string for a tag; `undefined` for an address annotation (`ca`, `sa`, `ma`). */
  value: string | undefined
  endpoint: ZipkinEndpoint | undefined
}

interface V1Span {
  raw: Record<string, unknown>
  /** Microseconds; 0 when not set, as in Zipkin's model. */
  timestamp: number
  duration: number
  annotations: V1Annotation[]
  binaryAnnotations: V1BinaryAnnotation[]
}

interface Builder {
  localEndpoint?: ZipkinEndpoint
  remoteEndpoint?: ZipkinEndpoint
  kind?: ZipkinV2Span['kind']
  timestamp?: number
  duration?: number
  shared?: boolean
  annotations: Array<{ timestamp: number; value: string }>
  tags: Record<string, string>
}

/** Fields only v2 has: a span with one of them is v2 JSON sent to the v1 path. */
const V2_FIELDS = ['localEndpoint', 'remoteEndpoint', 'tags', 'kind', 'shared'] as const

/**
 * Converts one v1 span (parsed JSON) to the v2 spans Zipkin's collector makes of it: one,
 * or two when it holds both sides of an RPC (or of a message). Throws an `Error` whose
 * message says what is wrong with the span (a malformed annotation, a v2 span); ids and
 * times that are not annotations' are left for the v2 mapping to check.
 *
 * @example
 * ```ts
 * zipkinV1SpanToV2({
 *   traceId: 'a3ce929d0e0e4736', id: '00f067aa0ba902b7', name: 'get',
 *   annotations: [
 *     { timestamp: 1700000000000000, value: 'sr', endpoint: { serviceName: 'stock' } },
 *     { timestamp: 1700000000001200, value: 'ss', endpoint: { serviceName: 'stock' } },
 *   ],
 * })
 * // [{ traceId: 'a3ce929d0e0e4736', id: '00f067aa0ba902b7', name: 'get', kind: 'SERVER',
 * //    timestamp: 1700000000000000, duration: 1200, localEndpoint: { serviceName: 'stock' }, shared: true }]
 * ```
 */
export function zipkinV1SpanToV2(raw: unknown, v2Path = '/zipkin/api/v2/spans'): ZipkinV2Span[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('not an object')
  const v2Field = V2_FIELDS.find((field) => (raw as Record<string, unknown>)[field] !== undefined)
  if (v2Field) throw new Error(`it is Zipkin v2 JSON (${v2Field}), and this endpoint reads v1: send it to ${v2Path}`)
  return new Conversion(readV1(raw as Record<string, unknown>)).spans()
}

function readV1(raw: Record<string, unknown>): V1Span {
  const annotations = list(raw.annotations, 'annotations').map((item, i): V1Annotation => {
    const a = object(item, `annotation ${i}`)
    if (typeof a.value !== 'string') throw new Error(`annotation ${i} has no string value`)
    return { timestamp: micros(a.timestamp, `annotation ${i} timestamp`), value: a.value, endpoint: endpoint(a.endpoint, `annotation ${i} endpoint`) }
  })
  const binaryAnnotations: V1BinaryAnnotation[] = []
  list(raw.binaryAnnotations, 'binaryAnnotations').forEach((item, i) => {
    const b = object(item, `binary annotation ${i}`)
    if (typeof b.key !== 'string') throw new Error(`binary annotation ${i} has no string key`)
    const at = endpoint(b.endpoint, `binary annotation ${i} endpoint`)
    const { key, value } = b
    if (key === 'ca' || key === 'sa' || key === 'ma') {
      // An address: true as v1 writes it, or a string, as some zipkin-ruby versions wrote "1".
      if (value === true || typeof value === 'string') binaryAnnotations.push({ key, value: undefined, endpoint: at })
    } else if (typeof value === 'string') {
      binaryAnnotations.push({ key, value, endpoint: at })
    } else if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      // v1 JSON writes BOOL and the number types as JSON values; Zipkin drops them, a tag keeps them.
      binaryAnnotations.push({ key, value: String(value), endpoint: at })
    }
    // Anything else (null, an object) is skipped, as Zipkin's reader skips it.
  })
  // Zipkin's V1Span sorts both lists: annotations by time, binary annotations by key.
  annotations.sort((a, b) => a.timestamp - b.timestamp || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
  binaryAnnotations.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  const timestamp = raw.timestamp === undefined || raw.timestamp === null ? 0 : micros(raw.timestamp, 'timestamp')
  const duration = raw.duration === undefined || raw.duration === null ? 0 : micros(raw.duration, 'duration')
  return { raw, timestamp, duration, annotations, binaryAnnotations }
}

/** One span's conversion: `V1SpanConverter.convert`, step by step as Zipkin does it. */
class Conversion {
  private readonly first: Builder = { annotations: [], tags: {} }
  private readonly others: Builder[] = []
  /** The first span of each service name, so that finding a side's span costs the same for a span logged by thousands of services. */
  private readonly byService = new Map<string | undefined, Builder>()
  private cs?: V1Annotation
  private sr?: V1Annotation
  private ss?: V1Annotation
  private cr?: V1Annotation
  private ms?: V1Annotation
  private mr?: V1Annotation
  private ws?: V1Annotation
  private wr?: V1Annotation

  constructor(private readonly source: V1Span) {}

  spans(): ZipkinV2Span[] {
    this.processAnnotations()
    this.processBinaryAnnotations()
    return [this.first, ...this.others].map((builder) => this.build(builder))
  }

  private processAnnotations(): void {
    const { source } = this
    for (const a of source.annotations) {
      const current = this.forEndpoint(a.endpoint)
      // Core annotations need an endpoint: without one, they are plain annotations.
      if (a.value.length === 2 && a.endpoint !== undefined) {
        if (a.value === 'cs') (current.kind = 'CLIENT'), (this.cs = a)
        else if (a.value === 'sr') (current.kind = 'SERVER'), (this.sr = a)
        else if (a.value === 'ss') (current.kind = 'SERVER'), (this.ss = a)
        else if (a.value === 'cr') (current.kind = 'CLIENT'), (this.cr = a)
        else if (a.value === 'ms') (current.kind = 'PRODUCER'), (this.ms = a)
        else if (a.value === 'mr') (current.kind = 'CONSUMER'), (this.mr = a)
        else if (a.value === 'ws') this.ws = a
        else if (a.value === 'wr') this.wr = a
        else current.annotations.push({ timestamp: a.timestamp, value: a.value })
      } else {
        current.annotations.push({ timestamp: a.timestamp, value: a.value })
      }
    }

    // Bridged from an event model, a span can miss its start annotation.
    if (!this.cs && this.endReflectsDuration(this.cr)) this.cs = { timestamp: source.timestamp, value: 'cs', endpoint: this.cr!.endpoint }
    if (!this.sr && this.endReflectsDuration(this.ss)) this.sr = { timestamp: source.timestamp, value: 'sr', endpoint: this.ss!.endpoint }

    const { cs, sr, ss, cr, ms, mr, ws, wr } = this
    if (cs && sr) {
      // Both sides in one span: the client owns the span's timestamp and duration.
      this.maybeTimestampDuration(cs, cr)
      const client = this.forEndpoint(cs.endpoint)
      let server: Builder
      if (sameServiceName(cs.endpoint, sr.endpoint)) {
        // Loopback: two spans all the same.
        client.kind = 'CLIENT'
        server = this.newBuilder(sr.endpoint)
        server.kind = 'SERVER'
      } else {
        server = this.forEndpoint(sr.endpoint)
      }
      server.shared = true
      server.timestamp = sr.timestamp
      if (ss) server.duration = ss.timestamp - sr.timestamp
      if (!cr && source.duration === 0) client.duration = undefined // one-way: no duration
    } else if (cs && cr) {
      this.maybeTimestampDuration(cs, cr)
    } else if (sr && ss) {
      this.maybeTimestampDuration(sr, ss)
    } else {
      this.handleIncompleteRpc()
    }

    // v1 has no shared flag: by convention a server side without the span's own timestamp is shared.
    if (!cs && sr && (source.timestamp === 0 || (ss && source.duration === 0))) this.forEndpoint(sr.endpoint).shared = true

    if (ms && mr) {
      const producer = this.forEndpoint(ms.endpoint)
      let consumer: Builder
      if (sameServiceName(ms.endpoint, mr.endpoint)) {
        producer.kind = 'PRODUCER'
        consumer = this.newBuilder(mr.endpoint)
        consumer.kind = 'CONSUMER'
      } else {
        consumer = this.forEndpoint(mr.endpoint)
      }
      consumer.shared = true
      consumer.timestamp = wr ? wr.timestamp : mr.timestamp
      if (wr) consumer.duration = mr.timestamp - wr.timestamp
      producer.timestamp = ms.timestamp
      producer.duration = ws ? ws.timestamp - ms.timestamp : undefined
    } else if (ms) {
      this.maybeTimestampDuration(ms, ws)
    } else if (mr) {
      if (wr) this.maybeTimestampDuration(wr, mr)
      else this.maybeTimestampDuration(mr, undefined)
    } else {
      if (ws) this.forEndpoint(ws.endpoint).annotations.push({ timestamp: ws.timestamp, value: ws.value })
      if (wr) this.forEndpoint(wr.endpoint).annotations.push({ timestamp: wr.timestamp, value: wr.value })
    }
  }

  private handleIncompleteRpc(): void {
    for (const builder of [this.first, ...this.others]) {
      if (builder.kind === 'CLIENT') {
        if (this.cs) builder.timestamp = this.cs.timestamp
        if (this.cr) builder.annotations.push({ timestamp: this.cr.timestamp, value: this.cr.value })
      } else if (builder.kind === 'SERVER') {
        if (this.sr) builder.timestamp = this.sr.timestamp
        if (this.ss) builder.annotations.push({ timestamp: this.ss.timestamp, value: this.ss.value })
      }
    }
    if (this.source.timestamp !== 0) {
      this.first.timestamp = this.source.timestamp
      this.first.duration = this.source.duration
    }
  }

  private endReflectsDuration(end: V1Annotation | undefined): boolean {
    const { timestamp, duration } = this.source
    return end !== undefined && timestamp !== 0 && duration !== 0 && timestamp + duration === end.timestamp
  }

  private maybeTimestampDuration(begin: V1Annotation, end: V1Annotation | undefined): void {
    const span = this.forEndpoint(begin.endpoint)
    if (this.source.timestamp !== 0 && this.source.duration !== 0) {
      span.timestamp = this.source.timestamp
      span.duration = this.source.duration
    } else {
      span.timestamp = begin.timestamp
      if (end) span.duration = end.timestamp - begin.timestamp
    }
  }

  private processBinaryAnnotations(): void {
    let ca: ZipkinEndpoint | undefined
    let sa: ZipkinEndpoint | undefined
    let ma: ZipkinEndpoint | undefined
    for (const b of this.source.binaryAnnotations) {
      if (b.value === undefined) {
        if (b.key === 'ca') ca = b.endpoint
        else if (b.key === 'sa') sa = b.endpoint
        else ma = b.endpoint
        continue
      }
      // The endpoint of a tag is the local side's: an `lc` ("local component") marks a local span's.
      const current = this.forEndpoint(b.endpoint)
      if (b.key === 'lc' && b.value === '') continue
      setOwn(current.tags, b.key, b.value)
    }

    const { cs, cr, ss, sr, ms, mr } = this
    if (!cs && !cr && !ss && !sr && (ca || sa)) {
      // No core annotations, but addresses.
      if (ca && sa) this.forEndpoint(ca).remoteEndpoint = sa
      else if (sa) this.forEndpoint(undefined).remoteEndpoint = sa // "sa" is a default remote address: not a CLIENT span
      else {
        const server = this.forEndpoint(undefined)
        server.kind = 'SERVER'
        server.remoteEndpoint = ca
      }
      return
    }
    const server = sr ?? ss
    if (ca && server && !sameEndpoint(ca, server.endpoint)) {
      // Finagle logs "ca" with the server's own service name: without it, no loopback link.
      if (sameServiceName(ca, server.endpoint)) ca = withoutServiceName(ca)
      this.forEndpoint(server.endpoint).remoteEndpoint = ca
    }
    if (sa) {
      if (cs) this.forEndpoint(cs.endpoint).remoteEndpoint = sa
      else if (cr) this.forEndpoint(cr.endpoint).remoteEndpoint = sa
    }
    if (ma) {
      // Both sides of a message get the broker's address.
      if (ms) this.forEndpoint(ms.endpoint).remoteEndpoint = ma
      if (mr) this.forEndpoint(mr.endpoint).remoteEndpoint = ma
    }
  }

  /** The span of the side that logged at `endpoint`: the first span takes the first endpoint it is given. */
  private forEndpoint(at: ZipkinEndpoint | undefined): Builder {
    if (at === undefined) return this.first
    // Only the first span is ever without an endpoint, and only until it is given one.
    if (this.first.localEndpoint === undefined) {
      this.first.localEndpoint = at
      this.byService.set(at.serviceName, this.first)
      return this.first
    }
    return this.byService.get(at.serviceName) ?? this.newBuilder(at)
  }

  private newBuilder(at: ZipkinEndpoint | undefined): Builder {
    const builder: Builder = { localEndpoint: at, annotations: [], tags: {} }
    this.others.push(builder)
    if (!this.byService.has(at?.serviceName)) this.byService.set(at?.serviceName, builder)
    return builder
  }

  private build(builder: Builder): ZipkinV2Span {
    const { raw } = this.source
    const span: ZipkinV2Span = { traceId: raw.traceId, id: raw.id }
    if (raw.parentId !== undefined && raw.parentId !== null) span.parentId = raw.parentId
    if (typeof raw.name === 'string' && raw.name !== '') span.name = raw.name
    if (builder.kind) span.kind = builder.kind
    // Zipkin's v2 model has no timestamp or duration of 0, nor a negative duration.
    if (builder.timestamp) span.timestamp = builder.timestamp
    if (builder.duration !== undefined && builder.duration > 0) span.duration = builder.duration
    if (builder.localEndpoint) span.localEndpoint = builder.localEndpoint
    if (builder.remoteEndpoint) span.remoteEndpoint = builder.remoteEndpoint
    if (builder.annotations.length > 0) span.annotations = builder.annotations.sort((a, b) => a.timestamp - b.timestamp)
    if (Object.keys(builder.tags).length > 0) span.tags = builder.tags
    if (raw.debug === true) span.debug = true
    if (builder.shared) span.shared = true
    return span
  }
}

function sameServiceName(left: ZipkinEndpoint | undefined, right: ZipkinEndpoint | undefined): boolean {
  return left?.serviceName === right?.serviceName
}

function sameEndpoint(left: ZipkinEndpoint, right: ZipkinEndpoint | undefined): boolean {
  return left.serviceName === right?.serviceName && left.ipv4 === right?.ipv4 && left.ipv6 === right?.ipv6 && left.port === right?.port
}

function withoutServiceName(at: ZipkinEndpoint): ZipkinEndpoint | undefined {
  const { serviceName: _, ...rest } = at
  return Object.keys(rest).length > 0 ? rest : undefined
}

function list(value: unknown, field: string): unknown[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new Error(`${field} is not an array`)
  return value
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not an object`)
  return value as Record<string, unknown>
}

/** An endpoint as Zipkin reads it: an empty service name is none, and an endpoint with nothing left is none. */
function endpoint(value: unknown, what: string): ZipkinEndpoint | undefined {
  if (value === undefined || value === null) return undefined
  const raw = object(value, what)
  const at: ZipkinEndpoint = {}
  if (typeof raw.serviceName === 'string' && raw.serviceName !== '') at.serviceName = raw.serviceName
  if (typeof raw.ipv4 === 'string' && raw.ipv4 !== '') at.ipv4 = raw.ipv4
  if (typeof raw.ipv6 === 'string' && raw.ipv6 !== '') at.ipv6 = raw.ipv6
  if (typeof raw.port === 'number' && Number.isInteger(raw.port) && raw.port > 0 && raw.port <= 0xffff) at.port = raw.port
  return Object.keys(at).length > 0 ? at : undefined
}

// As on the v2 path: whole microseconds, as a JSON number or a string of digits.
const MICROS_TEXT = /^\d{1,16}$/

function micros(value: unknown, field: string): number {
  const number = typeof value === 'string' && MICROS_TEXT.test(value) ? Number(value) : value
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0) {
    throw new Error(`${field} ${JSON.stringify(value)?.slice(0, 60)} is not a non-negative whole number of microseconds`)
  }
  return number
}

/**
 * Maps a parsed Zipkin v1 JSON body to toolbar spans: each v1 span converted to v2
 * (`zipkinV1SpanToV2`), then mapped as the v2 path maps its spans (`zipkinEntriesToToolbar`).
 * A span that cannot be converted is refused alone, with its position in the body; a body
 * that is not a list, or that converts to more v2 spans than one POST may hold
 * (`MAX_ZIPKIN_SPANS_PER_REQUEST`), is a `ZipkinDecodeError`.
 *
 * A v1 span that names no endpoint at all (zipkin-js's local spans: no annotations, no tags)
 * would have no service. It takes the service of its parent, found in the same body or, with
 * `serviceOf`, among the spans already held: the span ran in the process that reported its
 * parent. (Zipkin leaves it without one.)
 *
 * @example
 * ```ts
 * const { spans, rejected } = zipkinV1SpansToToolbar([{ traceId: 'a3ce929d0e0e4736', id: '00f067aa0ba902b7', name: 'get', timestamp: 1700000000000000, duration: 1200,
 *   annotations: [{ timestamp: 1700000000000000, value: 'cs', endpoint: { serviceName: 'web' } }] }])
 * spans[0].kind // 'CLIENT'
 * ```
 */
export function zipkinV1SpansToToolbar(
  body: unknown,
  shared = new SharedSpanIds(),
  traceIdOf: (traceId: string) => string = (traceId) => traceId,
  v2Path = '/zipkin/api/v2/spans',
  serviceOf: (traceId: string, spanId: string) => string | undefined = () => undefined,
): ZipkinDecoded {
  checkSpanList(body, 'Zipkin v1')
  const entries: Array<{ index: number; span: ZipkinV2Span }> = []
  const rejected: string[] = []
  body.forEach((raw, index) => {
    let converted: ZipkinV2Span[]
    try {
      converted = zipkinV1SpanToV2(raw, v2Path)
    } catch (error) {
      rejected.push(`span ${index}: ${(error as Error).message}`)
      return
    }
    for (const span of converted) entries.push({ index, span })
    // The v2 path's bound holds for the spans a body converts to: a v1 span makes one per service that logged in it.
    if (entries.length > MAX_ZIPKIN_SPANS_PER_REQUEST) {
      throw new ZipkinDecodeError(`over ${MAX_ZIPKIN_SPANS_PER_REQUEST} spans in one request once converted to v2 (one per service that logged in a v1 span); at most ${MAX_ZIPKIN_SPANS_PER_REQUEST} are accepted`)
    }
  })
  inheritServices(entries.map((entry) => entry.span), serviceOf)
  return zipkinEntriesToToolbar(entries, rejected, shared, traceIdOf)
}

/** Ids as the v2 mapping writes them, to match a parent to its span before that mapping runs. */
function idKey(traceId: unknown, spanId: unknown): string | undefined {
  if (typeof traceId !== 'string' || typeof spanId !== 'string') return undefined
  return `${traceId.toLowerCase().padStart(32, '0')}/${spanId.toLowerCase().padStart(16, '0')}`
}

function inheritServices(spans: ZipkinV2Span[], serviceOf: (traceId: string, spanId: string) => string | undefined): void {
  const orphans = spans.filter((span) => span.localEndpoint === undefined && span.parentId !== undefined)
  if (orphans.length === 0) return
  // The server side of a shared id first: a child under that id ran in the server's process.
  const services = new Map<string, string>()
  for (const span of [...spans].sort((a, b) => Number(a.shared === true) - Number(b.shared === true))) {
    const key = idKey(span.traceId, span.id)
    if (key && span.localEndpoint?.serviceName) services.set(key, span.localEndpoint.serviceName)
  }
  // Parents first where they are orphans too (a local span under a local span): a few passes settle it.
  for (let pass = 0, changed = true; changed && pass < 8; pass++) {
    changed = false
    for (const span of orphans) {
      if (span.localEndpoint) continue
      const key = idKey(span.traceId, span.parentId)
      const service = key && (services.get(key) ?? lookUp(serviceOf, key))
      if (!service) continue
      span.localEndpoint = { serviceName: service }
      const own = idKey(span.traceId, span.id)
      if (own && !services.has(own)) services.set(own, service)
      changed = true
    }
  }
}

function lookUp(serviceOf: (traceId: string, spanId: string) => string | undefined, key: string): string | undefined {
  const [traceId, spanId] = key.split('/') as [string, string]
  return serviceOf(traceId, spanId)
}
