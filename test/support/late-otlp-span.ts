/**
 * An OTLP/JSON export request (what the official OTLP/HTTP JSON exporter sends) with one
 * ended SERVER span of another service, "billing", in `traceId`: a span that reaches the
 * toolbar's receiver after the request it belongs to has finished.
 *
 * @example
 * ```ts
 * await fetch(`${url}/_debug_toolbar/otlp/v1/traces`, {
 *   method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(lateOtlpExport(traceId)),
 * })
 * ```
 */
export function lateOtlpExport(traceId: string, parentSpanId = '', spanId = 'b7ad6b7169203331', name = 'charge card') {
  const now = BigInt(Date.now()) * 1_000_000n
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'billing' } }] },
        scopeSpans: [
          {
            scope: { name: 'billing' },
            spans: [
              {
                traceId,
                spanId,
                parentSpanId,
                name,
                kind: 2,
                startTimeUnixNano: String(now - 4_000_000n),
                endTimeUnixNano: String(now),
                attributes: [{ key: 'payment.provider', value: { stringValue: 'test' } }],
              },
            ],
          },
        ],
      },
    ],
  }
}

/**
 * Posts `lateOtlpExport(traceId)` to the toolbar's OTLP/HTTP receiver at `base` (`http://127.0.0.1:port`).
 *
 * @example
 * ```ts
 * expect((await postLateSpan(server.url, traceId)).status).toBe(200)
 * ```
 */
export function postLateSpan(base: string, traceId: string, parentSpanId?: string, spanId?: string, name?: string): Promise<Response> {
  return fetch(`${base}/_debug_toolbar/otlp/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(lateOtlpExport(traceId, parentSpanId, spanId, name)),
  })
}
