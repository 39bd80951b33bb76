/**
 * The Zipkin receiver, `POST {prefix}/zipkin/api/v2/spans`: Zipkin's v2 JSON span list,
 * optionally gzip, the way zipkin-js's HTTP transport, Brave and Spring send it. Spans join
 * the request's trace in the OpenTelemetry panel with `source: 'zipkin'`. It lives under the
 * toolbar's prefix, so the toolbar's access rule (`allowedHosts`) applies to it.
 *
 * Answers as a Zipkin server does: 202 with no body when every span was kept; 202 with
 * `{ accepted, rejected, error }` when some were refused alone; 400 (not JSON, not a span
 * list, broken gzip, every span refused), 413 (over the body bound) and 415 (not JSON, or an
 * encoding other than gzip) with `{ error }`. Never a 500.
 */
import { gunzip } from 'node:zlib'
import { promisify } from 'node:util'
import type { Context } from 'hono'
import type { ToolbarHost } from '../core/host.js'
import type { ToolbarSpan } from '../core/span-model.js'
import type { TraceStore } from './trace-store.js'
import { SharedSpanIds, ZipkinDecodeError, zipkinSpansToToolbar } from './zipkin-json.js'

const gunzipAsync = promisify(gunzip)

/** The receiver's path under the toolbar's prefix (Zipkin's own path, after `/zipkin`). */
export const ZIPKIN_SPANS_PATH = '/zipkin/api/v2/spans'

/** Totals since the receiver started. */
export interface ZipkinReceiverCounters {
  requests: number
  accepted: number
  rejected: number
  /** Requests refused whole (malformed, too large, wrong type). */
  malformed: number
}

class BodyError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413 | 415,
  ) {
    super(message)
  }
}

/**
 * Registers the Zipkin receiver on the toolbar's routes; spans go to `traces`.
 *
 * @example
 * ```ts
 * // in a panel's setup(host):
 * const zipkin = registerZipkinReceiver(host, toolbarSpanProcessor().traces, 4 * 1024 * 1024)
 * // a zipkin-js service: new HttpLogger({ endpoint: 'http://localhost:3000/_debug_toolbar/zipkin/api/v2/spans' })
 * ```
 */
export function registerZipkinReceiver(host: ToolbarHost, traces: TraceStore, maxBodyBytes: number): ZipkinReceiverCounters {
  const counters: ZipkinReceiverCounters = { requests: 0, accepted: 0, rejected: 0, malformed: 0 }
  const shared = new SharedSpanIds()
  const refuse = (c: Context, status: 400 | 413 | 415, message: string) => {
    counters.malformed++
    return c.json({ error: message.length > 1000 ? `${message.slice(0, 1000)}…` : message }, status)
  }
  host.routes.post(ZIPKIN_SPANS_PATH, async function zipkinReceiver(c) {
    counters.requests++
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
    if (type !== 'application/json') {
      return refuse(c, 415, `Content-Type ${JSON.stringify(type.slice(0, 80))} is not supported: send Zipkin v2 JSON as application/json`)
    }
    let decoded: ReturnType<typeof zipkinSpansToToolbar>
    try {
      decoded = zipkinSpansToToolbar(parseJson(await readBody(c.req.raw, maxBodyBytes)), shared)
    } catch (error) {
      const status = error instanceof BodyError ? error.status : 400
      return refuse(c, status, (error as Error).message)
    }
    const rejected = [...decoded.rejected, ...store(traces, decoded.spans)]
    const accepted = decoded.spans.length + decoded.rejected.length - rejected.length
    counters.accepted += accepted
    counters.rejected += rejected.length
    if (rejected.length === 0) return c.body(null, 202)
    const error = `${rejected.length} ${rejected.length === 1 ? 'span' : 'spans'} refused: ${rejected.slice(0, 3).join('; ')}`
    if (accepted === 0) return refuse(c, 400, error)
    return c.json({ accepted, rejected: rejected.length, error }, 202)
  })
  return counters
}

// Spans of traces the toolbar does not keep are refused with a reason, like a full trace.
function store(traces: TraceStore, spans: ToolbarSpan[]): string[] {
  const refused: string[] = []
  for (const span of spans) {
    const outcome = traces.add(span)
    if (outcome === 'ignored') refused.push(`span ${span.spanId}: trace ${span.traceId} is not one the toolbar keeps (no recorded request, or it finished too long ago)`)
    if (outcome === 'dropped') refused.push(`span ${span.spanId}: trace ${span.traceId} holds its maximum number of spans`)
  }
  return refused
}

async function readBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  const encoding = (request.headers.get('content-encoding') ?? '').trim().toLowerCase()
  if (encoding !== '' && encoding !== 'identity' && encoding !== 'gzip') {
    throw new BodyError(`Content-Encoding "${encoding.slice(0, 40)}" is not supported: send gzip or no encoding`, 415)
  }
  const tooLarge = () => new BodyError(`the body is larger than the receiver's limit of ${maxBytes} bytes`, 413)
  if (Number(request.headers.get('content-length') ?? NaN) > maxBytes) throw tooLarge()
  const raw = new Uint8Array(await request.arrayBuffer())
  if (raw.byteLength > maxBytes) throw tooLarge()
  if (encoding !== 'gzip') return raw
  try {
    return new Uint8Array(await gunzipAsync(raw, { maxOutputLength: maxBytes }))
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new BodyError(`the body is larger than the receiver's limit of ${maxBytes} bytes once decompressed`, 413)
    }
    throw new BodyError(`the body is not valid gzip: ${(error as Error).message}`, 400)
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
