/**
 * The OTLP/HTTP trace receiver, `POST {prefix}/otlp/v1/traces`, after the OTLP
 * specification's "OTLP/HTTP" section: binary protobuf or JSON, optionally gzip; the
 * answer in the request's encoding (an ExportTraceServiceResponse, or a google.rpc.Status
 * for a refusal); `partialSuccess` for spans refused on their own. It lives under the
 * toolbar's prefix, so the toolbar's access rule (`allowedHosts`) applies to it.
 */
import type { Context } from 'hono'
import type { ToolbarHost } from '../core/host.js'
import { contentTypeRefusal, OtlpBodyError, onlyPost, pointToReceiver, readOtlpBody, type BodyBudget, type OtlpBodyStatus } from './otlp-body.js'
import type { IngestResult, SpanIngest } from './otlp-ingest.js'
import { decodeExportTraceServiceRequest, encodeExportTraceServiceResponse, OtlpDecodeError } from './otlp-proto.js'
import { encodeRpcStatus, RpcCode } from './rpc-status.js'

const PROTOBUF = 'application/x-protobuf'
const JSON_TYPE = 'application/json'

type Encoding = typeof PROTOBUF | typeof JSON_TYPE

/** The receiver's path under the toolbar's prefix. */
export const OTLP_HTTP_TRACES_PATH = '/otlp/v1/traces'

/**
 * Registers the OTLP/HTTP receiver on the toolbar's routes. Received spans go through
 * `ingest` (the same pipeline as the gRPC receiver) with `source: 'otlp_http'`.
 *
 * @example
 * ```ts
 * // in a panel's setup(host):
 * registerOtlpHttpReceiver(host, new SpanIngest(traces, host.events, host.store), 4 * 1024 * 1024, new BodyBudget(32 * 1024 * 1024))
 * // then a service exports to http://localhost:3000/_debug_toolbar/otlp/v1/traces
 * ```
 */
export function registerOtlpHttpReceiver(host: ToolbarHost, ingest: SpanIngest, maxBodyBytes: number, budget?: BodyBudget): void {
  host.routes.post(OTLP_HTTP_TRACES_PATH, async function otlpHttpReceiver(c) {
    const encoding = encodingOf(c.req.header('content-type'))
    if (!encoding) {
      ingest.refused()
      return refuse(c, JSON_TYPE, 415, contentTypeRefusal(c.req.header('content-type') ?? '', `send ${PROTOBUF} or ${JSON_TYPE}`))
    }
    let request: unknown
    try {
      const bytes = await readOtlpBody(c.req.raw, maxBodyBytes, { budget })
      request = encoding === PROTOBUF ? decodeExportTraceServiceRequest(bytes) : parseJson(bytes)
    } catch (error) {
      ingest.refused()
      if (error instanceof OtlpBodyError) return refuse(c, encoding, error.status, messageOf(error), error.headers)
      return refuse(c, encoding, 400, messageOf(error))
    }
    let result: IngestResult
    try {
      result = ingest.accept(request, 'otlp_http')
    } catch (error) {
      return refuse(c, encoding, 400, messageOf(error))
    }
    return answer(c, encoding, result)
  })
  onlyPost(host, OTLP_HTTP_TRACES_PATH, 'send OTLP/HTTP spans')
  // A signal's own endpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, an exporter's `url`) is used
  // as it is, without /v1/traces added: the prefix or `/otlp` alone is a common slip.
  // OTEL_EXPORTER_OTLP_ENDPOINT sends every signal of a service here, not only its traces.
  host.routes.post('/otlp/v1/:signal{metrics|logs}', (c) =>
    c.json(
      {
        error:
          `the toolbar receives traces, not ${c.req.param('signal')}: give traces their own endpoint ` +
          `(OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=<origin>${host.prefix}${OTLP_HTTP_TRACES_PATH}), or turn the others off (OTEL_METRICS_EXPORTER=none, OTEL_LOGS_EXPORTER=none)`,
      },
      404,
    ),
  )
  pointToReceiver(
    host,
    ['/', '/otlp', '/v1/traces', '/otlp/v1/trace'],
    `the OTLP/HTTP receiver is POST ${host.prefix}${OTLP_HTTP_TRACES_PATH} (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and an exporter's url are used as they are: give the whole path; OTEL_EXPORTER_OTLP_ENDPOINT=<origin>${host.prefix}/otlp gets /v1/traces added)`,
  )
}

function encodingOf(contentType: string | undefined): Encoding | undefined {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  return media === PROTOBUF || media === JSON_TYPE ? media : undefined
}

function parseJson(bytes: Uint8Array): unknown {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new OtlpDecodeError('the JSON body is not valid UTF-8')
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new OtlpDecodeError(`the body is not valid JSON: ${(error as Error).message}`)
  }
}

function answer(c: Context, encoding: Encoding, result: IngestResult): Response {
  // Full success is an empty response message; a partial one says how many spans were refused.
  const partialSuccess = result.rejected > 0 ? { rejectedSpans: result.rejected, errorMessage: result.errorMessage } : undefined
  if (encoding === PROTOBUF) return protobufResponse(encodeExportTraceServiceResponse(partialSuccess), 200)
  // OTLP/JSON writes 64-bit integers as strings.
  return c.json(partialSuccess ? { partialSuccess: { ...partialSuccess, rejectedSpans: String(partialSuccess.rejectedSpans) } } : {})
}

const RPC_CODES: Record<OtlpBodyStatus, number> = {
  400: RpcCode.INVALID_ARGUMENT,
  408: RpcCode.DEADLINE_EXCEEDED,
  413: RpcCode.RESOURCE_EXHAUSTED,
  415: RpcCode.INVALID_ARGUMENT,
  503: RpcCode.UNAVAILABLE,
}

function refuse(c: Context, encoding: Encoding, status: OtlpBodyStatus, message: string, headers: Record<string, string> = {}): Response {
  const code = RPC_CODES[status]
  if (encoding === PROTOBUF) return protobufResponse(encodeRpcStatus(code, message), status, headers)
  // A google.rpc.Status in JSON, with `error` as every other toolbar route answers.
  return c.json({ code, message, error: message }, status, headers)
}

function protobufResponse(body: Uint8Array, status: number, headers: Record<string, string> = {}): Response {
  return new Response(body as Uint8Array<ArrayBuffer>, { status, headers: { 'content-type': PROTOBUF, ...headers } })
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.length > 1000 ? `${message.slice(0, 1000)}…` : message
}
