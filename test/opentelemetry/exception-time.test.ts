/**
 * The exception a request's handler threw, as its SERVER span records it: timed by the same
 * clock as the span's start and end (sub-millisecond, inside the span), not by Date.now(),
 * which has millisecond resolution and can put the event before the span starts or after it
 * ends, in the waterfall and in Jaeger.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { Hono } from 'hono'
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { SpanKind, type HrTime } from '@opentelemetry/api'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { clientEnv } from '../support/local.js'

afterEach(() => {
  vi.restoreAllMocks()
})

const nanos = (time: HrTime) => BigInt(time[0]) * 1_000_000_000n + BigInt(time[1])

function shopApp() {
  const exporter = new InMemorySpanExporter()
  const otel = new OpenTelemetryPanel({ exporter, serviceName: 'shop' })
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [otel] }))
  app.onError((_error, c) => c.text('failed', 500))
  app.get('/boom', () => {
    throw new Error('out of stock')
  })
  app.get('/boom/text', () => {
    // Not an Error: Hono hands it past the toolbar's onResponse, to the span's end.
    throw 'out of stock'
  })
  app.get('/export.csv', (c) =>
    c.body(
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('id,name\n'))
          setTimeout(() => controller.error(new Error('cursor closed')), 5)
        },
      }),
      200,
    ),
  )
  // The wall clock is set back 50 ms while the handler runs (NTP stepping the clock, a
  // laptop waking up): only Date.now() moves, as on a real machine.
  app.get('/boom/clock', () => {
    const wall = Date.now
    vi.spyOn(Date, 'now').mockImplementation(() => wall() - 50)
    throw new Error('out of stock')
  })
  /** The exported SERVER span of one request to `path`. */
  const serverSpan = async (path: string): Promise<ReadableSpan> => {
    exporter.reset()
    // A thrown string is handed back to the server by Hono: app.request rejects with it.
    const res = await app.request(path, undefined, clientEnv()).catch(() => undefined)
    await res?.text().catch(() => undefined)
    vi.restoreAllMocks()
    const exported = async () => (await otel.forceFlush(), exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER))
    await expect.poll(async () => (await exported()).length).toBe(1)
    return (await exported())[0]!
  }
  return { serverSpan, close: () => otel.shutdown() }
}

function exceptionOf(span: ReadableSpan) {
  const events = span.events.filter((e) => e.name === 'exception')
  expect(events).toHaveLength(1)
  return events[0]!
}

function expectWithin(span: ReadableSpan, time: HrTime) {
  const at = nanos(time)
  expect(at >= nanos(span.startTime), `exception at ${at} before the span's start ${nanos(span.startTime)}`).toBe(true)
  expect(at <= nanos(span.endTime), `exception at ${at} after the span's end ${nanos(span.endTime)}`).toBe(true)
}

describe("the exception on a request's SERVER span", () => {
  let shop: ReturnType<typeof shopApp>
  beforeAll(() => {
    shop = shopApp()
  })
  afterAll(() => shop.close())

  it('is timed to the microsecond, inside its span, for fast requests that throw', async () => {
    const fractions: number[] = []
    for (let n = 0; n < 20; n++) {
      for (const path of ['/boom', '/boom/text']) {
        const span = await shop.serverSpan(path)
        const event = exceptionOf(span)
        expectWithin(span, event.time)
        fractions.push(event.time[1] % 1_000_000)
      }
    }
    // Date.now() would give whole milliseconds only; one in a thousand microsecond times is one.
    expect(fractions.filter((f) => f !== 0).length).toBeGreaterThan(30)
  })

  it('falls inside its span when the body fails while it is sent', async () => {
    const span = await shop.serverSpan('/export.csv')
    expect(exceptionOf(span).attributes?.['exception.message']).toBe('cursor closed')
    expectWithin(span, exceptionOf(span).time)
  })

  it('falls inside its span when the wall clock is set back while the handler runs', async () => {
    const span = await shop.serverSpan('/boom/clock')
    expect(exceptionOf(span).attributes?.['exception.message']).toBe('out of stock')
    expectWithin(span, exceptionOf(span).time)
  })
})
