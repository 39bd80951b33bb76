import type { ReceiverStatus } from '../../../src/opentelemetry/panel.js'
import { plural } from '../format.js'

/**
 * Where other services can send their spans, and what the receivers took so far (the app's
 * counters since it started, like the export status).
 *
 * @example
 * ```tsx
 * <ReceiverStatusLine status={stats.receiver} origin={location.origin} />
 * // Receiving OTLP at http://localhost:3000/_debug_toolbar/otlp/v1/traces · 3 exports, 12 spans
 * ```
 */
export function ReceiverStatusLine({ status, origin }: { status: ReceiverStatus | undefined; origin: string }) {
  if (!status) return null
  const { requests, accepted, rejected, late, malformed } = status.counters
  return (
    <p class="hdt-otel-export hdt-muted" data-receiver="status">
      Receiving OTLP at <code>{origin}{status.httpPath}</code>
      {status.grpcAddress && (
        <>
          {' '}and gRPC <code>{status.grpcAddress}</code>
        </>
      )}
      {status.zipkinPath && (
        <>
          , Zipkin v2 JSON at <code>{origin}{status.zipkinPath}</code> and v1 JSON at <code>{origin}{zipkinV1Path(status.zipkinPath)}</code>
        </>
      )}
      {requests > 0 && ` · ${plural(requests, 'export', 'exports')}, ${plural(accepted, 'span', 'spans')}`}
      {late > 0 && `, ${late} late`}
      {rejected + malformed > 0 && <span class="hdt-otel-error">{` · ${plural(rejected, 'span', 'spans')} and ${plural(malformed, 'export', 'exports')} refused`}</span>}
    </p>
  )
}

/** The v1 receiver's path beside the v2 one: Zipkin's layout, `/api/v1/spans` next to `/api/v2/spans`. */
function zipkinV1Path(v2Path: string): string {
  return v2Path.replace(/\/api\/v2\/spans$/, '/api/v1/spans')
}
