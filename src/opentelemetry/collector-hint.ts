/**
 * What a developer sees on a first run with the default exporter and no collector: one line
 * that says the waterfall works anyway and how to get a collector (or stop exporting),
 * instead of a gRPC status and a socket error they have to decode.
 */

import { JAEGER_COMMAND as JAEGER, ZIPKIN_COMMAND as ZIPKIN } from '../shapes/collectors.js'

// gRPC says UNAVAILABLE with the socket error inside; Node's fetch says "fetch failed" with
// the cause, the HTTP exporters pass on ECONNREFUSED; a wrong host name is ENOTFOUND.
const NOTHING_LISTENING = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|14 UNAVAILABLE|fetch failed|socket hang up/

/**
 * The one line to print when an export to `exporterName` failed with `message`: a hint when
 * nothing listens there, else `undefined` (print the error as it is).
 *
 * @example
 * ```ts
 * collectorHint('otlp grpc http://localhost:4317', '14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:4317')
 * // '[hono-debug-toolbar] No OTLP collector at http://localhost:4317: ... or set OTEL_TRACES_EXPORTER=none ...'
 * ```
 */
export function collectorHint(exporterName: string, message: string): string | undefined {
  const note = noCollectorNote(exporterName, message)
  return note && `[hono-debug-toolbar] ${note}`
}

/**
 * The hint of `collectorHint` without the console's prefix, as the OpenTelemetry panel shows
 * it in its export status: a developer who looks at the browser sees the same advice as the
 * one who reads the server's console. `undefined` when the failure is not "nothing listens there".
 *
 * @example
 * ```ts
 * noCollectorNote('zipkin http://localhost:9411/api/v2/spans', 'connect ECONNREFUSED 127.0.0.1:9411')
 * // 'No Zipkin at http://localhost:9411/api/v2/spans: the waterfall works without one; to see traces in Zipkin, start Zipkin with `docker run ...`, or set OTEL_TRACES_EXPORTER=none to stop exporting.'
 * ```
 */
export function noCollectorNote(exporterName: string, message: string): string | undefined {
  if (!NOTHING_LISTENING.test(message)) return undefined
  const [kind, ...rest] = exporterName.split(' ')
  const url = rest.at(-1) ?? exporterName
  const start =
    kind === 'zipkin'
      ? `start Zipkin with \`${ZIPKIN}\``
      : kind === 'otlp'
        ? `start Jaeger with \`${JAEGER}\``
        : 'start the collector'
  const what = kind === 'zipkin' ? 'Zipkin' : kind === 'otlp' ? 'OTLP collector' : 'collector'
  return (
    `No ${what} at ${url}: the waterfall works without one; to see traces in ` +
    `${kind === 'zipkin' ? 'Zipkin' : 'Jaeger'}, ${start}, or set OTEL_TRACES_EXPORTER=none to stop exporting.`
  )
}

/**
 * A `warn` for `ToolbarSpanExporter` that replaces a "nothing listens there" failure by the
 * one-line hint of `collectorHint`, and prints any other failure unchanged.
 *
 * @example
 * ```ts
 * new ToolbarSpanExporter(exporters, { warn: warnWithCollectorHint() })
 * ```
 */
export function warnWithCollectorHint(print: (line: string) => void = (line) => console.warn(line)): (message: string) => void {
  return (message) => {
    // The exporter's line reads "... span export to <name> failed: <error> (further failures ...)".
    const match = /span export to (.+?) failed: (.*)$/s.exec(message)
    print((match && collectorHint(match[1]!, match[2]!)) ?? message)
  }
}

/**
 * The line to print when the panel's own OTLP/gRPC exporter would send to the panel's own
 * gRPC receiver (`otlpGrpcPort: 4317` and the default endpoint `http://localhost:4317`): the
 * spans would come back as received ones and never reach a collector, while the panel
 * counts them as exported. `undefined` when the exporter goes elsewhere.
 *
 * @example
 * ```ts
 * selfExportWarning({ exporters: ['otlp'], otlpProtocol: 'grpc', otlpEndpoint: 'http://localhost:4317' }, { grpcPort: 4317, grpcHost: '127.0.0.1' })
 * // "[hono-debug-toolbar] The OpenTelemetry panel exports to http://localhost:4317, its own OTLP/gRPC receiver (otlpGrpcPort 4317): ..."
 * ```
 */
export function selfExportWarning(
  config: { exporters: ReadonlyArray<unknown>; otlpProtocol: string; otlpEndpoint: string },
  receiver: { grpcPort: number | undefined; grpcHost: string },
): string | undefined {
  if (!receiver.grpcPort || config.otlpProtocol !== 'grpc' || !config.exporters.includes('otlp')) return undefined
  let url: URL
  try {
    url = new URL(config.otlpEndpoint)
  } catch {
    return undefined
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  const local = host === 'localhost' || host.endsWith('.localhost') || host.startsWith('127.') || host === '::1' || host === '0.0.0.0' || host === receiver.grpcHost
  if (!local || Number(url.port) !== receiver.grpcPort) return undefined
  return (
    `[hono-debug-toolbar] The OpenTelemetry panel exports to ${config.otlpEndpoint}, its own OTLP/gRPC receiver (otlpGrpcPort ${receiver.grpcPort}): ` +
    `its spans would come back to the toolbar and reach no collector. Set exporter: 'none', or point otlpEndpoint at your collector on another port.`
  )
}
