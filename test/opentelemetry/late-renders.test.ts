import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { trace } from '@opentelemetry/api'
import { debugToolbar, recordLog, recordQuery, renderTemplate } from '../../src/index.js'
import { renderStreamable } from '../../src/recorders/templates.js'
import { OpenTelemetryPanel, type OpenTelemetryStats, type ToolbarSpan } from '../../src/opentelemetry/index.js'
import { withSpans, type StatsWithSpans } from '../support/trace-spans.js'

const loopback = { incoming: { socket: { remoteAddress: '127.0.0.1' } } }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const never = new Promise<never>(() => {})

const ms = (nanos: string) => Number(BigInt(nanos) / 1000n) / 1000
const named = (stats: StatsWithSpans, name: string) => stats.spans.find((s) => s.name === name)!
const serverOf = (stats: StatsWithSpans) => stats.spans.find((s) => s.kind === 'SERVER')!
const childrenOf = (stats: StatsWithSpans, span: ToolbarSpan) => stats.spans.filter((s) => s.parentSpanId === span.spanId).map((s) => s.name).sort()

// Long enough for the receipt to log, query and render its part before the window closes, on a busy machine too.
const GRACE_MS = 500
// The late window starts when the response has finished; the SERVER span's end is read
// just after, on a busy machine up to a few ms later (a run measured 498.99 ms of 500).
const CLOCKS_MS = 5

/**
 * An app whose POST /order answers at once and leaves `leave(released)` running: it goes on
 * once `release()` is called. `read()` gives the request's trace as the panel's view loads it.
 */
function orderApp(leave: (released: Promise<void>) => Promise<unknown>, options: { gracePeriodMs?: number } = { gracePeriodMs: GRACE_MS }) {
  const panel = new OpenTelemetryPanel({ exporter: 'none', ...options })
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [panel] }))
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  let done!: Promise<unknown>
  app.post('/order', (c) => {
    done = leave(released)
    return c.text('ok')
  })
  const start = async () => {
    const res = await app.request('/order', { method: 'POST' }, loopback)
    await res.text()
    const detailPath = `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`
    const read = async () => withSpans(app, (await (await app.request(detailPath, undefined, loopback)).json()).panels.opentelemetry as OpenTelemetryStats)
    release()
    return { read, done: () => done, traceId: (await read()).traceId }
  }
  return { panel, start }
}

/**
 * The receipt email: once `before` settles it logs, queries and renders a part, then waits
 * for `until`.
 */
function receipt(before?: Promise<unknown>, until?: Promise<unknown>) {
  return renderTemplate('receipt email', async () => {
    await before
    recordLog('info', 'rendering the receipt of order 7')
    const started = performance.now()
    await sleep(1)
    recordQuery({ sql: 'SELECT name FROM products WHERE id = ?', params: [3], startTime: started, durationMs: performance.now() - started, dbSystem: 'sqlite' })
    await renderTemplate('line items', async () => {
      recordLog('debug', '3 line items')
      await sleep(2)
    })
    await until
    return '<p>thanks</p>'
  })
}

/** A render made after the response, by work the handler left running. */
const afterResponse = (until: Promise<unknown>) => (released: Promise<void>) => released.then(() => receipt(undefined, until))

describe('a render made after the response that outlives the late window', () => {
  it('is exported as still running when the trace stops taking spans, with what it logged, queried and rendered inside it', async () => {
    let finish!: () => void
    const finished = new Promise<void>((resolve) => (finish = resolve))
    const { start } = orderApp(afterResponse(finished))
    const { read, done } = await start()
    await sleep(GRACE_MS + 150)
    const stats = await read()
    const server = serverOf(stats)
    const email = named(stats, 'render receipt email')
    expect(email).toMatchObject({ kind: 'INTERNAL', parentSpanId: server.spanId })
    expect(childrenOf(stats, email)).toEqual(['SELECT products', 'render line items'])
    expect(email.events.map((e) => e.attributes['log.message'])).toEqual(['rendering the receipt of order 7'])
    expect(named(stats, 'render line items').events.map((e) => e.attributes['log.message'])).toEqual(['3 line items'])
    // It ends where the trace stopped taking spans: the late window after the response.
    const endedAfterResponse = ms(email.endTimeUnixNano!) - ms(server.endTimeUnixNano!)
    expect(endedAfterResponse).toBeGreaterThanOrEqual(GRACE_MS - CLOCKS_MS)
    expect(endedAfterResponse).toBeLessThan(GRACE_MS + 50)
    expect(stats.convert).toMatchObject({ templates: { converted: 2 }, sql: { converted: 1 }, logging: { converted: 2 } })
    expect(stats.lateSpans).toBe(3)
    // Its end, after the trace stopped taking spans, makes no second span.
    finish()
    await done()
    const after = await read()
    expect(after.spans.filter((s) => s.name === 'render receipt email')).toHaveLength(1)
    expect(after.spans).toHaveLength(stats.spans.length)
  })

  it('is exported when the trace stops taking spans even if it never ends, a render that never ends included', async () => {
    const { start } = orderApp(afterResponse(never))
    const { read } = await start()
    await sleep(GRACE_MS + 150)
    const stats = await read()
    const email = named(stats, 'render receipt email')
    expect(email.parentSpanId).toBe(serverOf(stats).spanId)
    expect(childrenOf(stats, email)).toEqual(['SELECT products', 'render line items'])

    // A streamed body that is never sent to its end: its render never ends.
    const streamed = orderApp(async (released) => {
      await released
      renderStreamable('live feed', () => {
        recordLog('info', 'feed opened')
        return never
      }, () => true)
    })
    const feed = await streamed.start()
    await sleep(GRACE_MS + 150)
    const fed = await feed.read()
    const render = named(fed, 'render live feed')
    expect(render.parentSpanId).toBe(serverOf(fed).spanId)
    expect(render.events.map((e) => e.attributes['log.message'])).toEqual(['feed opened'])
  })

  it('nests renders still running inside one another, and inside a render converted with the request', async () => {
    // The mail is still rendering when the response goes; its attachment's chart never finishes.
    const { start } = orderApp((released) => renderTemplate('mail', async () => {
      await released
      await renderTemplate('attachment', () => renderTemplate('chart', async () => {
        recordLog('info', 'drawing the chart')
        await never
      }))
    }))
    const { read } = await start()
    await sleep(GRACE_MS + 150)
    const stats = await read()
    const mail = named(stats, 'render mail')
    const attachment = named(stats, 'render attachment')
    const chart = named(stats, 'render chart')
    expect(mail.parentSpanId).toBe(serverOf(stats).spanId)
    expect(attachment.parentSpanId).toBe(mail.spanId)
    expect(chart.parentSpanId).toBe(attachment.spanId)
    expect(chart.events.map((e) => e.attributes['log.message'])).toEqual(['drawing the chart'])
    // Both end where the trace stopped taking spans.
    expect(attachment.endTimeUnixNano).toBe(chart.endTimeUnixNano)
    expect(ms(chart.endTimeUnixNano!) - ms(serverOf(stats).endTimeUnixNano!)).toBeGreaterThanOrEqual(GRACE_MS - CLOCKS_MS)
    expect(stats.convert).toMatchObject({ templates: { converted: 3 }, logging: { converted: 1 } })
  })

  it('converts renders with nothing written inside them as still running, nested, and one that ended in time once, with its end', async () => {
    // A newsletter whose header was rendered in time, and whose body never finishes.
    const { start } = orderApp(async (released) => {
      await released
      await renderTemplate('newsletter', async () => {
        await renderTemplate('header', () => sleep(2))
        await renderTemplate('body', () => never)
      })
    })
    const { read } = await start()
    await sleep(GRACE_MS + 150)
    const stats = await read()
    const newsletter = named(stats, 'render newsletter')
    expect(newsletter.parentSpanId).toBe(serverOf(stats).spanId)
    expect(childrenOf(stats, newsletter)).toEqual(['render body', 'render header'])
    expect(stats.spans.filter((s) => s.name.startsWith('render '))).toHaveLength(3)
    expect(newsletter.attributes['hono_debug_toolbar.still_running']).toBe(true)
    expect(named(stats, 'render body').attributes['hono_debug_toolbar.still_running']).toBe(true)
    const header = named(stats, 'render header')
    expect(header.attributes['hono_debug_toolbar.still_running']).toBeUndefined()
    expect(ms(header.endTimeUnixNano!) - ms(header.startTimeUnixNano)).toBeLessThan(GRACE_MS)
    // Both still running end where the trace stopped taking spans.
    expect(ms(newsletter.endTimeUnixNano!) - ms(serverOf(stats).endTimeUnixNano!)).toBeGreaterThanOrEqual(GRACE_MS - CLOCKS_MS)
    expect(stats.convert).toMatchObject({ templates: { converted: 3 } })
    expect(stats.lateSpans).toBe(3)
  })

  it('waits while a WebSocket holds the trace, and is exported when the late window after it closed ends', async () => {
    let finish!: () => void
    const finished = new Promise<void>((resolve) => (finish = resolve))
    const { panel, start } = orderApp(afterResponse(finished))
    // What the toolbar's WebSocket does for its upgrade request (websocket.md): the trace is held.
    const { read, traceId } = await start()
    const releaseTrace = panel.processor.traces.hold(traceId)
    await sleep(GRACE_MS + 150)
    expect((await read()).spans.map((s) => s.name)).toEqual(['POST /order'])
    const closedAt = Date.now()
    releaseTrace()
    await sleep(GRACE_MS + 150)
    const stats = await read()
    const email = named(stats, 'render receipt email')
    expect(childrenOf(stats, email)).toEqual(['SELECT products', 'render line items'])
    // The span ends a late window after the WebSocket closed.
    expect(ms(email.endTimeUnixNano!) - closedAt).toBeGreaterThanOrEqual(GRACE_MS - CLOCKS_MS)
    expect(ms(email.endTimeUnixNano!) - closedAt).toBeLessThan(GRACE_MS + 50)
    finish()
  })
})

describe('a render made after the response inside a span the app opened for that work', () => {
  it("is exported as still running under the app's span, as a render that ends in time is, with what it wrote inside it", async () => {
    let finish!: () => void
    const finished = new Promise<void>((resolve) => (finish = resolve))
    const { start } = orderApp((released) => released.then(() => trace.getTracer('shop').startActiveSpan('send receipt', async (span) => {
      await renderTemplate('receipt header', () => sleep(2))
      await receipt(undefined, finished)
      span.end()
    })))
    const { read, done } = await start()
    await sleep(GRACE_MS + 150)
    const stats = await read()
    const send = named(stats, 'send receipt')
    expect(send.parentSpanId).toBe(serverOf(stats).spanId)
    // The app's span is still open when the render is converted: both renders are its children.
    expect(childrenOf(stats, send)).toEqual(['render receipt email', 'render receipt header'])
    const email = named(stats, 'render receipt email')
    expect(email.attributes['hono_debug_toolbar.still_running']).toBe(true)
    expect(named(stats, 'render receipt header').attributes['hono_debug_toolbar.still_running']).toBeUndefined()
    expect(childrenOf(stats, email)).toEqual(['SELECT products', 'render line items'])
    expect(email.events.map((e) => e.attributes['log.message'])).toEqual(['rendering the receipt of order 7'])
    expect(childrenOf(stats, serverOf(stats))).toEqual(['send receipt'])
    finish()
    await done()
  })

  it("stays under the SERVER span when the span open where it started is of another trace", async () => {
    // A job the app traces as a trace of its own (a new root): not the request's trace.
    const { start } = orderApp((released) => released.then(() => trace.getTracer('shop').startActiveSpan('nightly digest', { root: true }, (span) => {
      void renderTemplate('digest email', () => never)
      span.end()
    })))
    const { read } = await start()
    await sleep(GRACE_MS + 150)
    const stats = await read()
    expect(named(stats, 'render digest email')).toMatchObject({ parentSpanId: serverOf(stats).spanId, attributes: { 'hono_debug_toolbar.still_running': true } })
    expect(stats.spans.some((s) => s.name === 'nightly digest')).toBe(false)
  })
})

describe('a render still running when the request was converted', () => {
  it('has what it logs, queries and renders after the response under its span', async () => {
    // The receipt's email is rendered from a promise the handler does not await.
    const { start } = orderApp((released) => receipt(released, undefined), {})
    const { read, done } = await start()
    await done()
    const stats = await read()
    const server = serverOf(stats)
    const email = named(stats, 'render receipt email')
    expect(email.parentSpanId).toBe(server.spanId)
    // Converted with the request, its span ended with it: the line goes on a span of its own under it.
    expect(childrenOf(stats, email)).toEqual(['SELECT products', 'log info', 'render line items'])
    expect(childrenOf(stats, server)).toEqual(['render receipt email'])
    expect(named(stats, 'log info').events.map((e) => e.attributes['log.message'])).toEqual(['rendering the receipt of order 7'])
    expect(named(stats, 'render line items').events.map((e) => e.attributes['log.message'])).toEqual(['3 line items'])
    expect(ms(named(stats, 'SELECT products').startTimeUnixNano)).toBeGreaterThanOrEqual(ms(email.endTimeUnixNano!))
    expect(stats.spans.filter((s) => s.name === 'render receipt email')).toHaveLength(1)
    expect(stats.convert).toMatchObject({ templates: { converted: 2 }, sql: { converted: 1 }, logging: { converted: 2 } })
  })
})
