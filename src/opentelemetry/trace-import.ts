/**
 * `POST {prefix}/api/traces/import`: an OTLP/JSON file (what `GET /api/traces/:traceId/otlp`
 * downloads, or any collector's file export) becomes traces of the list, its spans marked
 * `source: 'import'`. It goes through the receivers' pipeline (`SpanIngest`) with the same
 * body bound and answers: 415 for another content type or encoding, 413 over the bound
 * (`otlpMaxBodyBytes`), 400 for a body that is not OTLP/JSON; a span that cannot be stored is
 * refused alone and counted.
 */
import type { Context } from 'hono'
import type { ToolbarHost } from '../core/host.js'
import { contentTypeRefusal, OtlpBodyError, onlyPost, readOtlpBody, type BodyBudget } from './otlp-body.js'
import { SpanIngest } from './otlp-ingest.js'
import { isObject, OtlpDecodeError, toolbarSpansFromOtlpPartially } from './otlp-json.js'
import type { TraceStore } from './trace-store.js'
import type { ToolbarStore } from '../core/store.js'
import type { ToolbarSpan } from '../core/span-model.js'

/** What `POST /api/traces/import` answers. */
export interface ImportAnswer {
  /** The traces of the file, in order of first appearance. */
  traceIds: string[]
  /** Spans stored. */
  spans: number
  /** Spans refused (over `maxSpansPerTrace`, bad ids or times), with why. */
  rejected: number
  errorMessage?: string
}

/**
 * Registers the import route; imports have their own counters, apart from the receivers'.
 *
 * @example
 * ```ts
 * registerTraceImport(host, processor.traces, 4 * 1024 * 1024)
 * ```
 */
export function registerTraceImport(host: ToolbarHost, traces: TraceStore, maxBodyBytes: number, budget?: BodyBudget): void {
  const ingest = new SpanIngest(traces, host.events, host.store)
  host.routes.post('/api/traces/import', async function importTraces(c: Context) {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
    if (type !== 'application/json') {
      return c.json({ error: contentTypeRefusal(type, 'an import is an OTLP/JSON file, application/json') }, 415)
    }
    let request: unknown
    let answer: ImportAnswer
    try {
      request = parseJson(await readOtlpBody(c.req.raw, maxBodyBytes, { budget }))
      const other = otherTraceFormat(request)
      if (other) throw new OtlpDecodeError(other)
      const decoded = toolbarSpansFromOtlpPartially(request, 'import')
      await restoreStoredTraces(host.store, traces, decoded.spans)
      const result = ingest.acceptSpans(decoded.spans, decoded.rejected, 'import')
      // Only the traces the file brought spans to and the toolbar still holds: one whose spans
      // were all refused is not listed (even when the toolbar holds that trace already), nor
      // one that the file's later traces pushed out over maxTraces.
      answer = { traceIds: result.traceIds.filter((id) => traces.has(id)), spans: result.accepted, rejected: result.rejected }
      if (result.errorMessage) answer.errorMessage = result.errorMessage
    } catch (error) {
      if (error instanceof OtlpBodyError) return c.json({ error: error.message }, error.status, error.headers)
      if (error instanceof OtlpDecodeError) return c.json({ error: `not an OTLP/JSON ExportTraceServiceRequest: ${error.message}` }, 400)
      throw error
    }
    // No trace to show: the spans' refusals (a bad traceId, say) say why better than "no spans".
    if (answer.traceIds.length === 0) return c.json({ error: answer.errorMessage ?? 'the file holds no spans' }, 400)
    return c.json(answer)
  })
  onlyPost(host, '/api/traces/import', 'import an OTLP/JSON file')
}

/**
 * Brings back into memory the traces of `spans` that only the durable store holds (memory
 * let them go, or another instance recorded them), so that the import finds the spans
 * those traces already have and leaves them as they are, sources included, as it does for
 * a trace in memory. A store that cannot answer leaves the import as it would be without it.
 */
async function restoreStoredTraces(store: ToolbarStore, traces: TraceStore, spans: ToolbarSpan[]): Promise<void> {
  if (!store.getTrace) return
  for (const traceId of new Set(spans.map((span) => span.traceId))) {
    if (traces.has(traceId)) continue
    const stored = await Promise.resolve(store.getTrace(traceId)).catch(() => undefined)
    for (const span of stored ?? []) traces.receiveImported(span)
  }
}

const IMPORTABLE = "import an OTLP/JSON file (the toolbar's Download OTLP JSON, or a collector's file export)"

/**
 * Names the trace formats a user is likely to have saved from the other UIs, which are not
 * OTLP/JSON: said plainly, rather than "the file holds no spans" of a file that holds them.
 */
function otherTraceFormat(request: unknown): string | undefined {
  if (Array.isArray(request)) {
    // Zipkin's /api/v2/traces answers an array of traces, each an array of spans.
    const spans = request.flat()
    if (spans.length > 0 && spans.every((span) => isObject(span) && typeof span.traceId === 'string' && 'id' in span)) {
      return `it is Zipkin's JSON (an array of spans, what the Zipkin UI downloads), which the import does not read: ${IMPORTABLE}`
    }
    return undefined
  }
  if (!isObject(request) || 'resourceSpans' in request) return undefined
  if (Array.isArray(request.data) && request.data.some((t) => isObject(t) && Array.isArray(t.spans))) {
    return `it is Jaeger's JSON (data[].spans, what the Jaeger UI downloads), which the import does not read: ${IMPORTABLE}`
  }
  if (Array.isArray(request.batches)) {
    return 'it is Grafana Tempo\'s answer: its spans are under "batches", where OTLP/JSON has "resourceSpans" (rename that key to import it)'
  }
  return undefined
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch (error) {
    throw new OtlpDecodeError(`the body is not JSON: ${(error as Error).message}`)
  }
}
