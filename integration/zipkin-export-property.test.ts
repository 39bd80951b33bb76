/**
 * Any span the toolbar exports to Zipkin is one Zipkin takes (the peer refuses what
 * zipkin2-api.yaml refuses: times that are not whole microseconds, a duration under 1, the
 * same annotation twice), and reads back, through the toolbar's own Zipkin receiver, as the
 * same span: ids, parent, name, start to the microsecond, kind, and a failure as a failure.
 * fast-check writes the spans (test/support/sdk-spans.ts), with repeated events added, and
 * an event already named as the exporter names repeats (`... (x2)`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { ExportResultCode } from '@opentelemetry/core'
import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { ZipkinSpanExporter } from '../src/opentelemetry/zipkin-exporter.js'
import { zipkinSpansToToolbar } from '../src/opentelemetry/zipkin-json.js'
import { sdkSpanBatch } from '../test/support/sdk-spans.js'
import { startZipkinPeer, type ZipkinPeer } from './peers/zipkin-peer.js'

let peer: ZipkinPeer
beforeAll(async () => {
  peer = await startZipkinPeer()
})
afterAll(() => peer.close())

// Events as loops write them: the same one again at the same time, and one named as the
// exporter names a repeated one.
const withRepeats = sdkSpanBatch.chain((spans) =>
  fc.tuple(...spans.map((span) => fc.boolean().map((repeat): ReadableSpan => {
    if (!repeat || span.events.length === 0) return span
    const [first] = span.events
    return { ...span, events: [...span.events, first!, { ...first!, name: `${first!.name} (x2)` }] }
  }))),
)

const KINDS: Record<number, string> = { [SpanKind.SERVER]: 'SERVER', [SpanKind.CLIENT]: 'CLIENT', [SpanKind.PRODUCER]: 'PRODUCER', [SpanKind.CONSUMER]: 'CONSUMER' }
const micros = ([seconds, nanos]: [number, number]) => BigInt(seconds) * 1_000_000n + BigInt(Math.round(nanos / 1000))

function exported(spans: ReadableSpan[]): Promise<number> {
  const exporter = new ZipkinSpanExporter({ url: peer.url, serviceName: 'shop' })
  return new Promise((resolve) => exporter.export(spans, (result) => resolve(result.code)))
}

describe('spans exported to Zipkin', () => {
  it('are taken by a strict Zipkin endpoint and read back as the same spans', async () => {
    await fc.assert(
      fc.asyncProperty(withRepeats, async (spans) => {
        const before = peer.spans().length
        if ((await exported(spans)) !== ExportResultCode.SUCCESS) return false
        const sent = peer.spans().slice(before)
        const { spans: read, rejected } = zipkinSpansToToolbar(sent)
        if (rejected.length > 0) throw new Error(`the receiver refused what was exported: ${rejected[0]}`)
        return spans.every((span) => {
          const context = span.spanContext()
          const back = read.find((s) => s.spanId === context.spanId && s.traceId === context.traceId)
          if (!back) return false
          const wantKind = KINDS[span.kind] ?? 'INTERNAL'
          return (
            back.parentSpanId === span.parentSpanContext?.spanId &&
            back.name === (span.name || back.name) &&
            BigInt(back.startTimeUnixNano) === micros(span.startTime) * 1000n &&
            back.kind === wantKind &&
            (back.status.code === 'ERROR') === (span.status.code === SpanStatusCode.ERROR)
          )
        })
      }),
      { numRuns: 150 },
    )
    expect(peer.spans().length).toBeGreaterThan(150)
  })
})
