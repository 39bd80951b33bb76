import type { ToolbarSpan } from '../../src/core/span-model.js'

/**
 * An ended SERVER span of another service ("billing") in `traceId`, as a receiver would hand
 * it to the trace store: it ended just now, 4 ms after it started.
 *
 * @example
 * ```ts
 * panel.processor.traces.add(lateSpan(traceId)) // 'late' within the grace period
 * ```
 */
export function lateSpan(traceId: string, name = 'charge card'): ToolbarSpan {
  const now = BigInt(Date.now()) * 1_000_000n
  return {
    traceId,
    spanId: 'b7ad6b7169203331',
    parentSpanId: undefined,
    name,
    kind: 'SERVER',
    startTimeUnixNano: String(now - 4_000_000n),
    endTimeUnixNano: String(now),
    attributes: { 'payment.provider': 'test' },
    events: [],
    links: [],
    status: { code: 'UNSET' },
    resource: { 'service.name': 'billing' },
    scope: { name: 'billing' },
    source: 'otlp_http',
  }
}
