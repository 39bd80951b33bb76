/**
 * An OTLP/JSON export request as a downstream service's SDK would send it: `count` spans
 * of `service`, children of `parentSpanId` in trace `traceId`, ending now.
 *
 * @example
 * ```ts
 * await postOtlp(url, downstreamSpans(traceId, rootSpanId, 'inventory', 3))
 * ```
 */
export function downstreamSpans(traceId: string, parentSpanId: string, service: string, count: number, seed = 1): object {
  const now = BigInt(Date.now()) * 1_000_000n
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: 'downstream', version: '1.0.0' },
            spans: Array.from({ length: count }, (_, i) => ({
              traceId,
              spanId: (seed * 1000 + i + 1).toString(16).padStart(16, '0'),
              parentSpanId,
              name: `${service} step ${i + 1}`,
              kind: 2,
              startTimeUnixNano: String(now - BigInt(count - i) * 2_000_000n),
              endTimeUnixNano: String(now - BigInt(count - i - 1) * 2_000_000n),
              attributes: [{ key: 'step', value: { intValue: String(i + 1) } }],
              status: { code: 0 },
            })),
          },
        ],
      },
    ],
  }
}

/** Posts an OTLP/JSON export request to an app's toolbar receiver; resolves with the response's JSON. */
export async function postOtlp(appUrl: string, body: object, prefix = '/_debug_toolbar'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${appUrl}${prefix}/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.status, body: await res.json() }
}
