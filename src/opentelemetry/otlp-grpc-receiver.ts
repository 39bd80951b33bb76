/**
 * The opt-in OTLP/gRPC trace receiver: an `opentelemetry.proto.collector.trace.v1.TraceService`
 * served by @grpc/grpc-js (which inflates gzip messages itself, within the same size bound),
 * feeding the same pipeline as the OTLP/HTTP receiver with `source: 'otlp_grpc'`. It listens
 * on loopback unless told otherwise: the toolbar's `allowedHosts` rule cannot apply to a
 * separate port, so exposing it is an explicit choice (`otlpGrpcHost`).
 */
import * as grpc from '@grpc/grpc-js'
import { createServer } from 'node:net'
import type { SpanIngest } from './otlp-ingest.js'
import { decodeExportTraceServiceRequest, encodeExportTraceServiceResponse, TRACE_SERVICE_EXPORT_PATH, type OtlpPartialSuccess } from './otlp-proto.js'

export interface OtlpGrpcReceiverOptions {
  /** 0 picks a free port (see `port` after `start()`). */
  port: number
  /** Default '127.0.0.1'. */
  host?: string
  /** Largest message, counted after decompression (bytes). */
  maxMessageBytes: number
}

// The request stays raw bytes until the handler decodes it, so that a malformed message is
// answered INVALID_ARGUMENT with the decoder's reason rather than a generic failure.
const traceService: grpc.ServiceDefinition = {
  Export: {
    path: TRACE_SERVICE_EXPORT_PATH,
    originalName: 'export',
    requestStream: false,
    responseStream: false,
    requestSerialize: (bytes: Buffer) => bytes,
    requestDeserialize: (bytes: Buffer) => bytes,
    responseSerialize: (response: { partialSuccess?: OtlpPartialSuccess }) => Buffer.from(encodeExportTraceServiceResponse(response.partialSuccess)),
    responseDeserialize: (bytes: Buffer) => bytes,
  },
}

/**
 * An OTLP/gRPC receiver on its own port.
 *
 * @example
 * ```ts
 * const receiver = new OtlpGrpcReceiver(ingest, { port: 4317, maxMessageBytes: 4 << 20 })
 * await receiver.start() // rejects with a clear message when the port is taken
 * // ... services export with OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317
 * await receiver.stop()
 * ```
 */
export class OtlpGrpcReceiver {
  /** The port it listens on, once started. */
  port: number | undefined
  private server: grpc.Server | undefined

  constructor(
    private readonly ingest: SpanIngest,
    private readonly options: OtlpGrpcReceiverOptions,
  ) {}

  /** The `host:port` it was asked to listen on (brackets around IPv6). */
  get address(): string {
    const host = this.options.host ?? '127.0.0.1'
    return `${host.includes(':') ? `[${host}]` : host}:${this.port ?? this.options.port}`
  }

  /**
   * Starts listening.
   *
   * @throws Error saying which address could not be bound and why (a port in use, most often).
   *
   * @example
   * ```ts
   * const receiver = new OtlpGrpcReceiver(ingest, { port: 0, maxMessageBytes: 4 << 20 })
   * const port = await receiver.start() // the port bound: 0 asks for any free one
   * process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${port}`
   * ```
   */
  async start(): Promise<number> {
    const server = new grpc.Server({
      'grpc.max_receive_message_length': this.options.maxMessageBytes,
      interceptors: [countUnanswered(() => this.ingest.refused())],
    })
    server.addService(traceService, { Export: (call: grpc.ServerUnaryCall<Buffer, unknown>, callback: grpc.sendUnaryData<unknown>) => this.export(call, callback) })
    const address = this.address
    // grpc-js prints its own terse line when a bind fails: try the port first, to say it once and clearly.
    await probe(this.options.host ?? '127.0.0.1', this.options.port, address)
    this.port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, port) => {
        if (!error) return resolve(port)
        reject(bindError(address, error))
      })
    })
    this.server = server
    return this.port
  }

  /**
   * Stops listening; calls in progress get a moment to finish.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void receiver.stop())
   * await receiver.stop() // a second stop() does nothing
   * ```
   */
  async stop(): Promise<void> {
    const server = this.server
    this.server = undefined
    if (!server) return
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown()
        resolve()
      }, 1000)
      force.unref()
      server.tryShutdown(() => {
        clearTimeout(force)
        resolve()
      })
    })
  }

  private export(call: grpc.ServerUnaryCall<Buffer, unknown>, callback: grpc.sendUnaryData<unknown>): void {
    let request: unknown
    try {
      request = decodeExportTraceServiceRequest(new Uint8Array(call.request.buffer, call.request.byteOffset, call.request.byteLength))
    } catch (error) {
      this.ingest.refused()
      return callback(invalidArgument(error))
    }
    try {
      const result = this.ingest.accept(request, 'otlp_grpc')
      callback(null, result.rejected > 0 ? { partialSuccess: { rejectedSpans: result.rejected, errorMessage: result.errorMessage } } : {})
    } catch (error) {
      callback(invalidArgument(error))
    }
  }
}

/**
 * grpc-js refuses some calls before the handler runs (a message over the size bound, once
 * inflated or not; broken or unknown compression) and answers them itself. Such a call
 * ends without its status passing through the interceptors, so `refused` is called for
 * each call that ended unanswered by the handler: the panel counts it with the other
 * refused exports. (A call the client cancels before the handler answers counts too:
 * its spans did not arrive either.)
 */
function countUnanswered(refused: () => void): grpc.ServerInterceptor {
  return function unansweredCalls(_method, call) {
    let answered = false
    return new grpc.ServerInterceptingCall(call, {
      start(next) {
        next({
          onCancel() {
            if (!answered) refused()
          },
        })
      },
      sendStatus(status, next) {
        answered = true
        next(status)
      },
    })
  }
}

function probe(host: string, port: number, address: string): Promise<void> {
  if (port === 0) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', (error) => reject(bindError(address, error)))
    server.listen(port, host, () => server.close(() => resolve()))
  })
}

function bindError(address: string, error: Error): Error {
  const inUse = /EADDRINUSE/.test(`${(error as { code?: string }).code} ${error.message}`)
  return new Error(`the OTLP/gRPC receiver cannot listen on ${address}: ${inUse ? 'the port is already in use; choose another otlpGrpcPort' : error.message}`)
}

function invalidArgument(error: unknown): Partial<grpc.StatusObject> {
  return { code: grpc.status.INVALID_ARGUMENT, details: (error instanceof Error ? error.message : String(error)).slice(0, 1000) }
}
