/**
 * The receivers' options of `new OpenTelemetryPanel(...)`, checked when the panel is made,
 * so that a wrong value fails at startup with a message naming the option.
 */
import { isIP } from 'node:net'
import { OpenTelemetryConfigError } from './config.js'
import type { OpenTelemetryPanelOptions } from './options.js'
import { DEFAULT_MAX_TOTAL_SPANS } from './trace-store.js'

/** The receivers' settings after defaults. */
export interface ReceiverConfig {
  /** Undefined: no OTLP/gRPC receiver. */
  grpcPort: number | undefined
  grpcHost: string
  maxBodyBytes: number
  /** Undefined: twice the request history, at least 100. */
  maxTraces: number | undefined
  /** Spans kept in memory over all traces. */
  maxSpans: number
}

/** 4 MiB: the OpenTelemetry Collector's default for one gRPC message, ample for a batch of spans. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024

/**
 * Applies the defaults to the receivers' options.
 *
 * @throws OpenTelemetryConfigError naming the option with a value it cannot use.
 * @example
 * ```ts
 * resolveReceiverConfig({ otlpGrpcPort: 4317 }) // { grpcPort: 4317, grpcHost: '127.0.0.1', maxBodyBytes: 4194304, maxTraces: undefined, maxSpans: 100000 }
 * ```
 */
export function resolveReceiverConfig(options: OpenTelemetryPanelOptions): ReceiverConfig {
  const { otlpGrpcPort: port, otlpGrpcHost: host, otlpMaxBodyBytes: maxBody, maxTraces, maxSpans } = options
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65_535)) {
    throw new OpenTelemetryConfigError(`otlpGrpcPort: expected a port number from 0 to 65535, got ${JSON.stringify(port)}`)
  }
  if (host !== undefined && (typeof host !== 'string' || (isIP(host) === 0 && host !== 'localhost'))) {
    throw new OpenTelemetryConfigError(`otlpGrpcHost: expected an IP address or "localhost", got ${JSON.stringify(host)}`)
  }
  if (maxBody !== undefined && !(Number.isInteger(maxBody) && maxBody > 0)) {
    throw new OpenTelemetryConfigError(`otlpMaxBodyBytes: expected a positive whole number of bytes, got ${JSON.stringify(maxBody)}`)
  }
  if (maxTraces !== undefined && !(Number.isInteger(maxTraces) && maxTraces > 0)) {
    throw new OpenTelemetryConfigError(`maxTraces: expected a positive whole number, got ${JSON.stringify(maxTraces)}`)
  }
  if (maxSpans !== undefined && !(Number.isInteger(maxSpans) && maxSpans > 0)) {
    throw new OpenTelemetryConfigError(`maxSpans: expected a positive whole number, got ${JSON.stringify(maxSpans)}`)
  }
  return { grpcPort: port, grpcHost: host ?? '127.0.0.1', maxBodyBytes: maxBody ?? DEFAULT_MAX_BODY_BYTES, maxTraces, maxSpans: maxSpans ?? DEFAULT_MAX_TOTAL_SPANS }
}
