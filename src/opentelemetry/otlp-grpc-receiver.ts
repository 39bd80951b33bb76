/**
 * The opt-in OTLP/gRPC trace receiver: an `opentelemetry.proto.collector.trace.v1.TraceService`
 * served by @grpc/grpc-js (which inflates gzip messages itself, within the same size bound),
 * feeding the same pipeline as the OTLP/HTTP receiver with `source: 'otlp_grpc'`. It listens
 * on loopback unless told otherwise: the toolbar's `allowedHosts` rule cannot apply to a
 * separate port, so exposing it is an explicit choice (`otlpGrpcHost`).
 */
import * as grpc from '@grpc/grpc-js'
import { createServer } from 'node:net'
import { BODY_TIMEOUT_MS, type BodyBudget } from './otlp-body.js'
import type { SpanIngest } from './otlp-ingest.js'
import { decodeExportTraceServiceRequest, encodeExportTraceServiceResponse, TRACE_SERVICE_EXPORT_PATH, type OtlpPartialSuccess } from './otlp-proto.js'

export interface OtlpGrpcReceiverOptions {
  /** 0 picks a free port (see `port` after `start()`). */
  port: number
  /** Default '127.0.0.1'. */
  host?: string
  /** Largest message, counted after decompression (bytes). */
  maxMessageBytes: number
  /** Shared with the HTTP receivers: the bytes of the messages being read at once. None: each call is bounded alone. */
  budget?: BodyBudget
  /** How long a call's message may take to arrive; default `BODY_TIMEOUT_MS`. */
  readTimeoutMs?: number
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
      interceptors: [
        receiverCalls({
          refused: () => this.ingest.refused(),
          budget: this.options.budget,
          // The message as sent and, compressed, what it inflates to: each at most the bound.
          readBytes: 2 * this.options.maxMessageBytes,
          timeoutMs: this.options.readTimeoutMs ?? BODY_TIMEOUT_MS,
        }),
      ],
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

/** What `receiverCalls` bounds and where it reports. */
interface ReceiverCallOptions {
  /** Counts a call that ended without the handler's answer as a refused export. */
  refused: () => void
  budget: BodyBudget | undefined
  /** What one call may hold while grpc-js reads it. */
  readBytes: number
  timeoutMs: number
}

/**
 * Calls that wait for room in the budget, beyond which a call is refused at once. A waiting
 * call's message is not read: HTTP/2's flow control holds it back at the sender, past the
 * 64 KiB a stream may send unread (so these hold at most 16 MiB).
 */
const MAX_WAITING_CALLS = 256

/**
 * Every call to the receiver, around grpc-js's own reading of it.
 *
 * Memory: grpc-js reads a whole message before the handler runs, bounded only message by
 * message (`grpc.max_receive_message_length`; `grpc.max_concurrent_streams` bounds the calls
 * of one connection, not of all). So before grpc-js reads a byte of a call, the call takes
 * from the receivers' shared budget what grpc-js may hold for it: the message as sent and,
 * compressed, what it inflates to (the encoding is not known yet: both). Without room it
 * waits its turn, unread, and is answered UNAVAILABLE (which the OTLP specification makes
 * retryable) only when too many calls wait already or its time runs out: the SDK's
 * SimpleSpanProcessor sends a call per span, and the JS SDK's gRPC exporter retries no gRPC
 * error, so a burst of calls must wait rather than lose spans. Once the message is in, the
 * call holds its size until it ends.
 *
 * Time: a call must be read within `timeoutMs` (OTEL_EXPORTER_OTLP_TIMEOUT's default, waiting
 * included), so that a stalled sender gives its share back: DEADLINE_EXCEEDED for a message
 * not all there, UNAVAILABLE for a call still waiting. grpc-js alone waits as long as the
 * client's deadline, if it set one.
 *
 * Counts: grpc-js refuses some calls itself (a message over the bound, once inflated or not;
 * broken or unknown compression), and such a call ends without its status passing through
 * the interceptors; each call that ended unanswered by the handler is counted as a refused
 * export, as are those refused here. (A call the client cancels before the handler answers
 * counts too: its spans did not arrive either.)
 */
function receiverCalls(options: ReceiverCallOptions): grpc.ServerInterceptor {
  const { budget, readBytes, timeoutMs } = options
  return function receiverCall(_method, call) {
    let answered = false
    let reading = false
    let held = 0
    let timer: NodeJS.Timeout | undefined
    let stopWaiting: (() => void) | undefined
    const giveBack = () => {
      clearTimeout(timer)
      stopWaiting?.()
      budget?.give(held)
      held = 0
    }
    const refuse = (code: grpc.status, details: string) => {
      options.refused()
      gated.sendStatus({ code, details })
    }
    const gated = new ReadGatedCall(
      call,
      {
        start(next) {
          next({
            onReceiveMessage(message: Buffer, next) {
              // grpc-js has let go of what it read and inflated: the handler holds the message.
              if (budget) {
                budget.give(held - message.byteLength)
                held = message.byteLength
              }
              next(message)
            },
            onReceiveHalfClose(next) {
              clearTimeout(timer)
              next()
            },
            onCancel() {
              giveBack()
              if (!answered) options.refused()
            },
          })
        },
        sendStatus(status, next) {
          answered = true
          giveBack()
          next(status)
        },
      },
      function whenRoom(read) {
        timer = setTimeout(() => {
          if (reading) refuse(grpc.status.DEADLINE_EXCEEDED, `the message did not arrive within ${timeoutMs / 1000} s`)
          else refuse(grpc.status.UNAVAILABLE, budget!.busyMessage)
        }, timeoutMs)
        timer.unref()
        const start = () => {
          reading = true
          read()
        }
        if (!budget) return start()
        stopWaiting = budget.takeInTurn(
          readBytes,
          () => {
            held = readBytes
            // Taken inside another call's giving back: read once that call is done.
            process.nextTick(start)
          },
          MAX_WAITING_CALLS,
        )
        if (!stopWaiting) refuse(grpc.status.UNAVAILABLE, budget.busyMessage)
      },
    )
    return gated
  }
}

/** A call whose first read waits for `whenRoom` to let it: until then grpc-js reads nothing of its message. */
class ReadGatedCall extends grpc.ServerInterceptingCall {
  private state: 'closed' | 'asked' | 'open' = 'closed'

  constructor(
    next: grpc.ServerInterceptingCallInterface,
    responder: grpc.Responder,
    private readonly whenRoom: (read: () => void) => void,
  ) {
    super(next, responder)
  }

  override startRead(): void {
    if (this.state === 'open') return super.startRead()
    if (this.state === 'asked') return
    this.state = 'asked'
    this.whenRoom(() => {
      this.state = 'open'
      super.startRead()
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
