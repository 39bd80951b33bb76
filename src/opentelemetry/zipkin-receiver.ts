/**
 * The Zipkin receiver, `POST {prefix}/zipkin/api/v2/spans`: Zipkin's v2 JSON span list,
 * optionally gzip, the way zipkin-js's HTTP transport, Brave and Spring send it; and
 * `POST {prefix}/zipkin/api/v1/spans`: v1 JSON (zipkin-js's default), converted to v2 as
 * Zipkin converts it (zipkin-v1.ts), then read as the v2 path reads its spans. It reads the
 * body with the OTLP receiver's bounded reader and feeds the same pipeline (`SpanIngest`:
 * joining, live events, the durable store) with `source: 'zipkin'`. It lives under the
 * toolbar's prefix, so the toolbar's access rule (`allowedHosts`) applies to it.
 *
 * Answers as a Zipkin server does: 202 with no body when every span was kept; 202 with
 * `{ accepted, rejected, error }` when some were refused alone; 400 (not JSON, not a span
 * list, broken gzip, every span refused), 408 (a body slower than 10 s), 413 (over the body
 * bound), 415 (a Content-Type other than JSON, Thrift and protobuf included, or an encoding
 * other than gzip; a body without a Content-Type is read as JSON, as Zipkin reads it) and 503 with `Retry-After` (the
 * receivers are reading too many bodies at once) with `{ error }`. Never a 500.
 */
import type { Context } from 'hono'
import type { ToolbarHost } from '../core/host.js'
import { contentTypeRefusal, OtlpBodyError, onlyPost, pointToReceiver, readOtlpBody, type BodyBudget, type OtlpBodyStatus } from './otlp-body.js'
import type { SpanIngest } from './otlp-ingest.js'
import type { ToolbarSpan } from './span-model.js'
import { completeZipkinSpan, SharedSpanIds, ZipkinDecodeError, zipkinSpansToToolbar, type ZipkinDecoded } from './zipkin-json.js'
import { zipkinV1SpansToToolbar } from './zipkin-v1.js'

/** The receiver's path under the toolbar's prefix (Zipkin's own path, after `/zipkin`). */
export const ZIPKIN_SPANS_PATH = '/zipkin/api/v2/spans'
/** The receiver's path for Zipkin v1 JSON (Zipkin's own v1 path, after `/zipkin`). */
export const ZIPKIN_V1_SPANS_PATH = '/zipkin/api/v1/spans'

/**
 * Registers the Zipkin receiver on the toolbar's routes; spans go through `ingest`.
 *
 * @example
 * ```ts
 * // in a panel's setup(host):
 * registerZipkinReceiver(host, receivers.ingest, 4 * 1024 * 1024, receivers.budget)
 * // a zipkin-js service: new HttpLogger({ endpoint: 'http://localhost:3000/_debug_toolbar/zipkin/api/v1/spans' })
 * // (or .../zipkin/api/v2/spans with jsonEncoder: jsonEncoder.JSON_V2)
 * ```
 */
export function registerZipkinReceiver(host: ToolbarHost, ingest: SpanIngest, maxBodyBytes: number, budget?: BodyBudget): void {
  const shared = new SharedSpanIds()
  const v1Path = `${host.prefix}${ZIPKIN_V1_SPANS_PATH}`
  const v2Path = `${host.prefix}${ZIPKIN_SPANS_PATH}`
  const refuse = (c: Context, status: OtlpBodyStatus, message: string, headers: Record<string, string> = {}) => {
    ingest.refused()
    return c.json({ error: message.length > 1000 ? `${message.slice(0, 1000)}…` : message }, status, headers)
  }

  async function receive(c: Context, version: 'v1' | 'v2') {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
    // Zipkin's collector reads a body without a Content-Type as JSON, and senders rely on it.
    if (type !== 'application/json' && type !== '') {
      return refuse(c, 415, contentTypeRefusal(type, otherEncodingAdvice(type, version)))
    }
    let decoded: ZipkinDecoded
    try {
      const body = parseJson(await readOtlpBody(c.req.raw, maxBodyBytes, { budget }))
      const traceIdOf = fullTraceIds(ingest)
      decoded =
        version === 'v2'
          ? zipkinSpansToToolbar(body, shared, traceIdOf, v1Path)
          : zipkinV1SpansToToolbar(body, shared, traceIdOf, v2Path, heldService(ingest, shared, traceIdOf))
    } catch (error) {
      if (error instanceof OtlpBodyError) return refuse(c, error.status, error.message, error.headers)
      return refuse(c, 400, (error as Error).message)
    }
    for (const fragment of decoded.fragments) {
      // The earlier report may be in the same POST (a logger's batch holds both) or held from an earlier one.
      const earlier = fragment.spanIds
        .map((id) => findLast(decoded.spans, fragment.traceId, id) ?? ingest.traces.receivedSpan(fragment.traceId, id))
        .find((span) => span?.source === 'zipkin')
      if (earlier) decoded.spans.push(completeZipkinSpan(earlier, fragment))
      else decoded.rejected.push(`span ${fragment.index}: it has no timestamp, and no earlier report of span ${fragment.spanIds.at(-1)} is held to complete`)
    }
    const result = ingest.acceptSpans(decoded.spans, decoded.rejected, 'zipkin')
    // The service's own spans may have come in an earlier POST than its shared SERVER span
    // (zipkin-js reports a span when it ends, children first): they move under it now.
    for (const span of decoded.spans) {
      if (span.attributes['zipkin.shared'] === true) ingest.reparent(span.traceId, span.parentSpanId!, span.spanId, String(span.resource['service.name']))
    }
    if (result.rejected === 0) return c.body(null, 202)
    if (result.accepted === 0) return c.json({ error: result.errorMessage }, 400)
    return c.json({ accepted: result.accepted, rejected: result.rejected, error: result.errorMessage }, 202)
  }

  host.routes.post(ZIPKIN_SPANS_PATH, function zipkinReceiver(c) {
    return receive(c, 'v2')
  })
  host.routes.post(ZIPKIN_V1_SPANS_PATH, function zipkinV1Receiver(c) {
    return receive(c, 'v1')
  })
  onlyPost(host, ZIPKIN_SPANS_PATH, 'send Zipkin v2 JSON spans')
  onlyPost(host, ZIPKIN_V1_SPANS_PATH, 'send Zipkin v1 JSON spans')
  // Zipkin's own paths without the `/zipkin` in front.
  const both = `the Zipkin receiver takes Zipkin v2 JSON at POST ${v2Path} and v1 JSON at POST ${v1Path}`
  pointToReceiver(host, ['/zipkin'], both)
  pointToReceiver(host, ['/api/v2/spans'], `the Zipkin receiver takes Zipkin v2 JSON at POST ${v2Path}`)
  pointToReceiver(host, ['/api/v1/spans'], `the Zipkin receiver takes Zipkin v1 JSON at POST ${v1Path}`)
}

/** What to send instead of a body in another encoding: Zipkin's Thrift and protobuf are not read. */
function otherEncodingAdvice(type: string, version: 'v1' | 'v2'): string {
  const json = `send Zipkin ${version} JSON as application/json`
  if (type === 'application/x-thrift') return `Zipkin's Thrift encoding is not read: ${json} (zipkin-js: HttpLogger's default; Brave: SpanBytesEncoder.JSON_V1 or JSON_V2)`
  if (type === 'application/x-protobuf') return `Zipkin's protobuf encoding is not read: ${json} (Brave: SpanBytesEncoder.JSON_V2)`
  return json
}

/**
 * The service of a span already held (`traceId` and `spanId` as the v2 mapping writes them),
 * for a v1 span without an endpoint under it: of a shared id, the server side's (the span's
 * own children ran there); only Zipkin spans, as the ids of a v1 sender are its own.
 */
function heldService(ingest: SpanIngest, shared: SharedSpanIds, traceIdOf: (traceId: string) => string) {
  return (rawTraceId: string, spanId: string): string | undefined => {
    const traceId = traceIdOf(rawTraceId)
    const derived = shared.lookupAnyService(traceId, spanId)
    const span = (derived && ingest.traces.receivedSpan(traceId, derived)) || ingest.traces.receivedSpan(traceId, spanId)
    return span?.source === 'zipkin' ? String(span.resource['service.name']) : undefined
  }
}

function findLast(spans: ToolbarSpan[], traceId: string, spanId: string): ToolbarSpan | undefined {
  for (let i = spans.length - 1; i >= 0; i--) if (spans[i]!.spanId === spanId && spans[i]!.traceId === traceId) return spans[i]
  return undefined
}

const HIGH_HALF_ZERO = '0'.repeat(16)

/**
 * B3 lets a 64-bit tracer keep only the lower half of a 128-bit trace id it was sent (older
 * Brave, Finagle and Sleuth did). Its spans name the 64-bit id, which padding would make a
 * trace of its own: a padded id is read as the 128-bit trace the toolbar holds with the same
 * lower half, as Zipkin does with STRICT_TRACE_ID=false. Looked up once per id and POST.
 */
function fullTraceIds(ingest: SpanIngest): (traceId: string) => string {
  const found = new Map<string, string>()
  return (traceId) => {
    // A trace held under the padded id (a 64-bit caller's) is that trace.
    if (!traceId.startsWith(HIGH_HALF_ZERO) || ingest.traces.has(traceId)) return traceId
    let full = found.get(traceId)
    if (full === undefined) found.set(traceId, (full = ingest.traces.traceIdWithLowerHalf(traceId.slice(16)) ?? traceId))
    return full
  }
}

function parseJson(bytes: Uint8Array): unknown {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new ZipkinDecodeError('the JSON body is not valid UTF-8')
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new ZipkinDecodeError(`the body is not valid JSON: ${(error as Error).message}`)
  }
}
