/**
 * The OTLP trace messages on the wire, defined in code from the field numbers of the
 * OpenTelemetry protocol specification (opentelemetry-proto: collector/trace/v1,
 * trace/v1, common/v1, resource/v1). The OTLP packages no longer ship .proto files, and
 * both the gRPC and the HTTP receivers of the toolbar need to read these messages.
 *
 * Decoded messages use the same lowerCamelCase field names as OTLP/JSON, so one set of
 * types (generic over how ids are carried) describes both forms.
 */
import protobuf from 'protobufjs/light.js'
import type { ServiceDefinition } from '@grpc/grpc-js'

/**
 * A request or response that is not a valid OTLP message (bad bytes, ids or shape).
 * Receivers answer it with a 400 and its message.
 *
 * @example
 * ```ts
 * try {
 *   spans = toolbarSpansFromOtlp(body, 'otlp_http')
 * } catch (error) {
 *   if (error instanceof OtlpDecodeError) return c.json({ error: error.message }, 400)
 *   throw error
 * }
 * ```
 */
export class OtlpDecodeError extends Error {
  override name = 'OtlpDecodeError'
}

/** An OTLP AnyValue: exactly one field is set (none means an empty value). */
export interface OtlpAnyValue {
  stringValue?: string
  boolValue?: boolean
  /** int64: a decimal string in decoded protobuf and (usually) in OTLP/JSON. */
  intValue?: string | number
  /** A number; in OTLP/JSON NaN and the infinities are the strings "NaN", "Infinity", "-Infinity". */
  doubleValue?: number | string
  arrayValue?: { values?: OtlpAnyValue[] }
  kvlistValue?: { values?: OtlpKeyValue[] }
  /** Raw bytes when decoded from protobuf, base64 in OTLP/JSON. */
  bytesValue?: Uint8Array | string
}

export interface OtlpKeyValue {
  key: string
  value?: OtlpAnyValue
}

/** An int64/fixed64 field: decimal strings after decoding; JSON senders may use numbers. */
export type OtlpLong = string | number

export interface OtlpSpanEvent {
  timeUnixNano?: OtlpLong
  name?: string
  attributes?: OtlpKeyValue[]
  droppedAttributesCount?: number
}

export interface OtlpSpanLink<Id> {
  traceId?: Id
  spanId?: Id
  traceState?: string
  attributes?: OtlpKeyValue[]
  droppedAttributesCount?: number
  flags?: number
}

export interface OtlpSpan<Id> {
  traceId?: Id
  spanId?: Id
  traceState?: string
  parentSpanId?: Id
  flags?: number
  name?: string
  /** SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind?: number
  startTimeUnixNano?: OtlpLong
  endTimeUnixNano?: OtlpLong
  attributes?: OtlpKeyValue[]
  droppedAttributesCount?: number
  events?: OtlpSpanEvent[]
  droppedEventsCount?: number
  links?: Array<OtlpSpanLink<Id>>
  droppedLinksCount?: number
  /** StatusCode: 0 unset, 1 ok, 2 error. */
  status?: { message?: string; code?: number }
}

export interface OtlpScopeSpans<Id> {
  scope?: { name?: string; version?: string; attributes?: OtlpKeyValue[]; droppedAttributesCount?: number }
  spans?: Array<OtlpSpan<Id>>
  schemaUrl?: string
}

export interface OtlpResourceSpans<Id> {
  resource?: { attributes?: OtlpKeyValue[]; droppedAttributesCount?: number }
  scopeSpans?: Array<OtlpScopeSpans<Id>>
  schemaUrl?: string
}

/**
 * An ExportTraceServiceRequest. `Id` is `Uint8Array` when decoded from protobuf and a
 * hex string in OTLP/JSON.
 */
export interface OtlpTraceRequest<Id = Uint8Array | string> {
  resourceSpans?: Array<OtlpResourceSpans<Id>>
}

/** ExportTraceServiceResponse.partial_success. */
export interface OtlpPartialSuccess {
  rejectedSpans?: OtlpLong
  errorMessage?: string
}

const keyValues = { rule: 'repeated', type: 'opentelemetry.proto.common.v1.KeyValue' }

// Field numbers from the OpenTelemetry protocol specification; names in lowerCamelCase.
const root = protobuf.Root.fromJSON({
  nested: {
    opentelemetry: { nested: { proto: { nested: {
      common: { nested: { v1: { nested: {
        AnyValue: {
          oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
          fields: {
            stringValue: { type: 'string', id: 1 },
            boolValue: { type: 'bool', id: 2 },
            intValue: { type: 'int64', id: 3 },
            doubleValue: { type: 'double', id: 4 },
            arrayValue: { type: 'ArrayValue', id: 5 },
            kvlistValue: { type: 'KeyValueList', id: 6 },
            bytesValue: { type: 'bytes', id: 7 },
          },
        },
        ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
        KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
        KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
        InstrumentationScope: {
          fields: {
            name: { type: 'string', id: 1 },
            version: { type: 'string', id: 2 },
            attributes: { ...keyValues, id: 3 },
            droppedAttributesCount: { type: 'uint32', id: 4 },
          },
        },
      } } } },
      resource: { nested: { v1: { nested: {
        Resource: {
          fields: {
            attributes: { ...keyValues, id: 1 },
            droppedAttributesCount: { type: 'uint32', id: 2 },
          },
        },
      } } } },
      trace: { nested: { v1: { nested: {
        ResourceSpans: {
          fields: {
            resource: { type: 'opentelemetry.proto.resource.v1.Resource', id: 1 },
            scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 },
            schemaUrl: { type: 'string', id: 3 },
            // Before OTLP 1.0: InstrumentationLibrarySpans, the same fields as ScopeSpans
            // (its instrumentation_library is field 1 with InstrumentationScope's name and version).
            instrumentationLibrarySpans: { rule: 'repeated', type: 'ScopeSpans', id: 1000 },
          },
        },
        ScopeSpans: {
          fields: {
            scope: { type: 'opentelemetry.proto.common.v1.InstrumentationScope', id: 1 },
            spans: { rule: 'repeated', type: 'Span', id: 2 },
            schemaUrl: { type: 'string', id: 3 },
          },
        },
        Span: {
          fields: {
            traceId: { type: 'bytes', id: 1 },
            spanId: { type: 'bytes', id: 2 },
            traceState: { type: 'string', id: 3 },
            parentSpanId: { type: 'bytes', id: 4 },
            flags: { type: 'fixed32', id: 16 },
            name: { type: 'string', id: 5 },
            kind: { type: 'int32', id: 6 },
            startTimeUnixNano: { type: 'fixed64', id: 7 },
            endTimeUnixNano: { type: 'fixed64', id: 8 },
            attributes: { ...keyValues, id: 9 },
            droppedAttributesCount: { type: 'uint32', id: 10 },
            events: { rule: 'repeated', type: 'Event', id: 11 },
            droppedEventsCount: { type: 'uint32', id: 12 },
            links: { rule: 'repeated', type: 'Link', id: 13 },
            droppedLinksCount: { type: 'uint32', id: 14 },
            status: { type: 'Status', id: 15 },
          },
          nested: {
            Event: {
              fields: {
                timeUnixNano: { type: 'fixed64', id: 1 },
                name: { type: 'string', id: 2 },
                attributes: { ...keyValues, id: 3 },
                droppedAttributesCount: { type: 'uint32', id: 4 },
              },
            },
            Link: {
              fields: {
                traceId: { type: 'bytes', id: 1 },
                spanId: { type: 'bytes', id: 2 },
                traceState: { type: 'string', id: 3 },
                attributes: { ...keyValues, id: 4 },
                droppedAttributesCount: { type: 'uint32', id: 5 },
                flags: { type: 'fixed32', id: 6 },
              },
            },
          },
        },
        // Enums (SpanKind, StatusCode) are declared as int32: same wire encoding, and the
        // decoded value is the integer that OTLP/JSON also uses.
        Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
      } } } },
      collector: { nested: { trace: { nested: { v1: { nested: {
        ExportTraceServiceRequest: {
          fields: { resourceSpans: { rule: 'repeated', type: 'opentelemetry.proto.trace.v1.ResourceSpans', id: 1 } },
        },
        ExportTraceServiceResponse: { fields: { partialSuccess: { type: 'ExportTracePartialSuccess', id: 1 } } },
        ExportTracePartialSuccess: {
          fields: { rejectedSpans: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } },
        },
      } } } } } },
    } } } },
  },
})

const RequestType = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest')
const ResponseType = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse')

// Longs as decimal strings (nanosecond times do not fit a double); bytes stay raw.
const toObjectOptions: protobuf.IConversionOptions = { longs: String, enums: Number, defaults: false, arrays: true }

/**
 * Decodes OTLP protobuf bytes into an ExportTraceServiceRequest (ids as bytes, 64-bit
 * times as decimal strings).
 *
 * @throws OtlpDecodeError when the bytes are not a valid message.
 * @example
 * ```ts
 * const request = decodeExportTraceServiceRequest(new Uint8Array(await c.req.arrayBuffer()))
 * const spans = toolbarSpansFromOtlp(request, 'otlp_http')
 * ```
 */
export function decodeExportTraceServiceRequest(bytes: Uint8Array): OtlpTraceRequest<Uint8Array> {
  try {
    return RequestType.toObject(RequestType.decode(bytes), toObjectOptions) as OtlpTraceRequest<Uint8Array>
  } catch (error) {
    throw new OtlpDecodeError(`invalid OTLP protobuf ExportTraceServiceRequest: ${(error as Error).message}`)
  }
}

/**
 * Encodes an ExportTraceServiceRequest as OTLP protobuf. Ids may be bytes or hex strings,
 * so the OTLP/JSON form (`otlpJsonFromToolbarSpans`) can be encoded as it is.
 *
 * @throws OtlpDecodeError when an id is not hex or bytes.
 * @example
 * ```ts
 * const body = encodeExportTraceServiceRequest(otlpJsonFromToolbarSpans(spans))
 * await fetch('http://127.0.0.1:4318/v1/traces', {
 *   method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body,
 * })
 * ```
 */
export function encodeExportTraceServiceRequest(request: OtlpTraceRequest): Uint8Array {
  const withByteIds: OtlpTraceRequest<Uint8Array> = {
    resourceSpans: (request.resourceSpans ?? []).map((rs) => ({
      ...rs,
      scopeSpans: (rs.scopeSpans ?? []).map((ss) => ({
        ...ss,
        spans: (ss.spans ?? []).map((span) => ({
          ...span,
          traceId: idBytes(span.traceId),
          spanId: idBytes(span.spanId),
          parentSpanId: idBytes(span.parentSpanId),
          links: (span.links ?? []).map((link) => ({ ...link, traceId: idBytes(link.traceId), spanId: idBytes(link.spanId) })),
        })),
      })),
    })),
  }
  return RequestType.encode(RequestType.fromObject(withByteIds)).finish()
}

/**
 * Encodes an ExportTraceServiceResponse; pass a partial success to report rejected spans.
 *
 * @example
 * ```ts
 * const ok = encodeExportTraceServiceResponse()
 * const partly = encodeExportTraceServiceResponse({ rejectedSpans: 2, errorMessage: 'trace full' })
 * ```
 */
export function encodeExportTraceServiceResponse(partialSuccess?: OtlpPartialSuccess): Uint8Array {
  return ResponseType.encode(ResponseType.fromObject(partialSuccess ? { partialSuccess } : {})).finish()
}

/**
 * Decodes an ExportTraceServiceResponse (what a collector answers an exporter).
 *
 * @throws OtlpDecodeError when the bytes are not a valid message.
 * @example
 * ```ts
 * const { partialSuccess } = decodeExportTraceServiceResponse(bytes)
 * if (partialSuccess?.rejectedSpans) console.warn(partialSuccess.errorMessage)
 * ```
 */
export function decodeExportTraceServiceResponse(bytes: Uint8Array): { partialSuccess?: OtlpPartialSuccess } {
  try {
    return ResponseType.toObject(ResponseType.decode(bytes), toObjectOptions)
  } catch (error) {
    throw new OtlpDecodeError(`invalid OTLP protobuf ExportTraceServiceResponse: ${(error as Error).message}`)
  }
}

/** The gRPC method path of OTLP trace export. */
export const TRACE_SERVICE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export'

/**
 * The `opentelemetry.proto.collector.trace.v1.TraceService` definition for
 * `@grpc/grpc-js` (`server.addService`) and `makeGenericClientConstructor`.
 *
 * @example
 * ```ts
 * import * as grpc from '@grpc/grpc-js'
 * const server = new grpc.Server()
 * server.addService(traceServiceDefinition, {
 *   Export(call, callback) {
 *     const spans = toolbarSpansFromOtlp(call.request, 'otlp_grpc')
 *     callback(null, {})
 *   },
 * })
 * ```
 */
export const traceServiceDefinition: ServiceDefinition<{ Export: unknown }> = {
  Export: {
    path: TRACE_SERVICE_EXPORT_PATH,
    originalName: 'export',
    requestStream: false,
    responseStream: false,
    requestSerialize: (request: OtlpTraceRequest) => Buffer.from(encodeExportTraceServiceRequest(request)),
    requestDeserialize: (bytes: Buffer) => decodeExportTraceServiceRequest(asUint8Array(bytes)),
    responseSerialize: (response: { partialSuccess?: OtlpPartialSuccess }) =>
      Buffer.from(encodeExportTraceServiceResponse(response.partialSuccess)),
    responseDeserialize: (bytes: Buffer) => decodeExportTraceServiceResponse(asUint8Array(bytes)),
  },
}

/**
 * Lowercase hex of an id's bytes.
 *
 * @example
 * ```ts
 * bytesToHex(new Uint8Array([0x0a, 0xff])) // '0aff'
 * ```
 */
export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

/**
 * The bytes of a hex id.
 *
 * @throws OtlpDecodeError when the string is not hex of an even length.
 * @example
 * ```ts
 * hexToBytes('0aff') // Uint8Array [10, 255]
 * ```
 */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new OtlpDecodeError(`id ${JSON.stringify(hex)} is not a hex string`)
  }
  return new Uint8Array(Buffer.from(hex, 'hex'))
}

function idBytes(id: Uint8Array | string | undefined): Uint8Array | undefined {
  return typeof id === 'string' ? hexToBytes(id) : id
}

// grpc-js hands over Buffers; view the same memory as a plain Uint8Array.
function asUint8Array(bytes: Buffer): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
