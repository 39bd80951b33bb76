/**
 * The OpenTelemetry panel's receivers, wired at `setup()`: the OTLP/HTTP route under the
 * toolbar's prefix (always on: it is guarded by the toolbar's access rule), and the opt-in
 * OTLP/gRPC server on its own port. Both feed one `SpanIngest`.
 */
import type { ToolbarHost } from '../core/host.js'
import { BodyBudget } from './otlp-body.js'
import { OtlpGrpcReceiver } from './otlp-grpc-receiver.js'
import { registerOtlpHttpReceiver } from './otlp-http-receiver.js'
import { SpanIngest } from './otlp-ingest.js'
import type { ReceiverConfig } from './receiver-config.js'
import type { TraceStore } from './trace-store.js'

/** The running receivers of one panel. */
export interface OtlpReceivers {
  readonly ingest: SpanIngest
  /** The bytes of bodies and gRPC messages read at once, shared by every receiver of the panel. */
  readonly budget: BodyBudget
  /** Undefined unless `otlpGrpcPort` was given. */
  readonly grpc: OtlpGrpcReceiver | undefined
  /** Resolves once every receiver listens; rejects with a clear message when one cannot (a port in use). */
  readonly ready: Promise<void>
  stop(): Promise<void>
}

/**
 * Registers the OTLP/HTTP receiver and starts the OTLP/gRPC one when configured. A gRPC
 * port that cannot be bound is printed as one line and rejects `ready`; the toolbar and
 * the HTTP receiver keep working.
 *
 * @example
 * ```ts
 * const receivers = startReceivers(host, traces, resolveReceiverConfig({ otlpGrpcPort: 4317 }))
 * await receivers.ready
 * ```
 */
export function startReceivers(host: ToolbarHost, traces: TraceStore, config: ReceiverConfig, budget = bodyBudget(config), after?: Promise<void>): OtlpReceivers {
  const ingest = new SpanIngest(traces, host.events, host.store)
  registerOtlpHttpReceiver(host, ingest, config.maxBodyBytes, budget)
  if (config.grpcPort === undefined) return { ingest, budget, grpc: undefined, ready: Promise.resolve(), stop: async () => undefined }

  const grpc = new OtlpGrpcReceiver(ingest, { port: config.grpcPort, host: config.grpcHost, maxMessageBytes: config.maxBodyBytes, budget })
  // `after`: the receiver of the panel this one replaces (a save under Vite) lets go of the port first.
  const ready = (after ? after.then(() => grpc.start()) : grpc.start()).then(
    () => undefined,
    (error: Error) => {
      console.error(`[hono-debug-toolbar] ${error.message}`)
      throw error
    },
  )
  // Whoever awaits `ready` sees the failure; nobody awaiting it must not crash the process.
  ready.catch(() => undefined)
  return { ingest, budget, grpc, ready, stop: () => ready.then(() => grpc.stop(), () => undefined) }
}

/** Bodies of the largest size read at once before the receivers answer 503. */
const BODIES_AT_ONCE = 8

/**
 * The receivers' shared budget: eight bodies of the largest size (32 MiB by default), so one
 * body of any allowed size always fits, and a few services exporting at once (gzip bodies
 * hold what they may inflate to as well) never wait.
 *
 * @example
 * ```ts
 * bodyBudget(resolveReceiverConfig({})).maxBytes // 33554432
 * ```
 */
export function bodyBudget(config: ReceiverConfig): BodyBudget {
  return new BodyBudget(BODIES_AT_ONCE * config.maxBodyBytes)
}
