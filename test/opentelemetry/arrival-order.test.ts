// A distributed request shows as one trace whatever order its spans reach the toolbar in:
// spans of other services sent while the request runs or after its response, over OTLP or
// Zipkin, children before their parents, in batches of any size, some sent twice. The trace holds each span
// once, with the parent it was sent with, and the trace list counts them. fast-check writes
// the downstream spans and the order they arrive in.
import { describe, it } from 'vitest'
import fc from 'fast-check'
import { Hono } from 'hono'
import { trace } from '@opentelemetry/api'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel, type ToolbarSpan } from '../../src/opentelemetry/index.js'
import { request } from '../support/local.js'

interface Downstream {
  spanId: string
  /** Index of its parent among the downstream spans, or -1: the request's SERVER span. */
  parent: number
  service: string
  startMs: number
}

// Up to six spans of two services, each under the request's span or under an earlier one.
const downstream = fc.integer({ min: 1, max: 6 }).chain((n) =>
  fc.tuple(
    ...Array.from({ length: n }, (_, i) =>
      fc.record({ parent: fc.integer({ min: -1, max: i - 1 }), service: fc.constantFrom('billing', 'stock'), startMs: fc.integer({ min: 0, max: 20 }) })
        .map((s): Downstream => ({ ...s, spanId: `d0d0d0d0d0d0d0${(i + 1).toString(16).padStart(2, '0')}` }))),
  ),
)

// When each span arrives (during the request or after its response), in what order and batches, and which are sent twice.
const arrival = (n: number) =>
  fc.record({
    order: fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n }),
    during: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    batch: fc.integer({ min: 1, max: 3 }),
    again: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    zipkin: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
  })

function otlp(traceId: string, serverSpanId: string, spans: Downstream[], all: Downstream[], baseNs: bigint) {
  return {
    resourceSpans: spans.map((s) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: s.service } }] },
      scopeSpans: [{
        scope: { name: s.service },
        spans: [{
          traceId,
          spanId: s.spanId,
          parentSpanId: s.parent < 0 ? serverSpanId : all[s.parent]!.spanId,
          name: `${s.service} work`,
          kind: 2,
          startTimeUnixNano: String(baseNs + BigInt(s.startMs) * 1_000_000n),
          endTimeUnixNano: String(baseNs + BigInt(s.startMs + 1) * 1_000_000n),
        }],
      }],
    })),
  }
}

/** The same spans in Zipkin's v2 JSON, as a service instrumented with zipkin-js sends them. */
function zipkin(traceId: string, serverSpanId: string, spans: Downstream[], all: Downstream[], baseNs: bigint) {
  return spans.map((s) => ({
    traceId,
    id: s.spanId,
    parentId: s.parent < 0 ? serverSpanId : all[s.parent]!.spanId,
    name: `${s.service} work`,
    timestamp: Number(baseNs / 1000n) + s.startMs * 1000,
    duration: 1000,
    localEndpoint: { serviceName: s.service },
  }))
}

describe('a distributed request', () => {
  it('shows each span of its trace once, with its parent, whatever order the spans arrive in', async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
    let during: () => Promise<void> = async () => undefined
    let ids = { traceId: '', spanId: '' }
    app.get('/order', async (c) => {
      const context = trace.getActiveSpan()!.spanContext()
      ids = { traceId: context.traceId, spanId: context.spanId }
      // Downstream services answer (and send their spans) while the request waits for them.
      await during()
      return c.text('ok')
    })
    const post = (path: string, body: object) =>
      request(app, `/_debug_toolbar${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

    await fc.assert(
      fc.asyncProperty(downstream.chain((spans) => fc.tuple(fc.constant(spans), arrival(spans.length))), async ([spans, how]) => {
        const baseNs = BigInt(Date.now()) * 1_000_000n
        const sendAll = async (which: number[]) => {
          const queue = which.flatMap((i) => (how.again[i] ? [i, i] : [i]))
          for (let k = 0; k < queue.length; k += how.batch) {
            const batch = queue.slice(k, k + how.batch)
            // Each span by the protocol its service speaks: OTLP/JSON, or Zipkin v2.
            for (const viaZipkin of [false, true]) {
              const these = batch.filter((i) => how.zipkin[i] === viaZipkin).map((i) => spans[i]!)
              if (these.length === 0) continue
              const res = viaZipkin
                ? await post('/zipkin/api/v2/spans', zipkin(ids.traceId, ids.spanId, these, spans, baseNs))
                : await post('/otlp/v1/traces', otlp(ids.traceId, ids.spanId, these, spans, baseNs))
              if (res.status !== (viaZipkin ? 202 : 200)) throw new Error(`the receiver answered ${res.status}: ${res.text}`)
            }
          }
        }
        during = () => sendAll(how.order.filter((i) => how.during[i]))
        const res = await request(app, '/order')
        if (res.status !== 200) return false
        await sendAll(how.order.filter((i) => !how.during[i]))

        const { spans: kept } = (await request(app, `/_debug_toolbar/api/traces/${ids.traceId}`)).json() as { spans: ToolbarSpan[] }
        const byId = new Map(kept.map((s) => [s.spanId, s]))
        if (byId.size !== kept.length) return false
        for (const s of spans) {
          const got = byId.get(s.spanId)
          if (!got || got.parentSpanId !== (s.parent < 0 ? ids.spanId : spans[s.parent]!.spanId) || got.resource['service.name'] !== s.service) return false
        }
        const listed = (await request(app, `/_debug_toolbar/api/traces?limit=200`)).json().traces as Array<{ traceId: string; spanCount: number; services: string[] }>
        const line = listed.find((t) => t.traceId === ids.traceId)
        return line !== undefined && line.spanCount === kept.length && spans.every((s) => line.services.includes(s.service))
      }),
      { numRuns: 150 },
    )
  })
})
