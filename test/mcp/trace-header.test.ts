import { describe, expect, it } from 'vitest'
import { loopbackServers } from '../support/loopback-service.js'
import { call, connect, feedApp, useShop } from './app.js'

describe("get_trace's header says what the tree is", () => {
  const session = useShop({ report: '/report' })

  it('with request_id, a request fetched by another: its part of the caller\'s trace, not "the trace"', async () => {
    const list = await call(session.client, 'list_requests', { route: '/users' })
    const fetched = list.data.requests[0].id as string
    const whole = await call(session.client, 'get_trace', { request_id: session.ids.report })
    const part = await call(session.client, 'get_trace', { request_id: fetched })
    expect(part.data.traceId).toBe(whole.data.traceId)
    expect(part.data.spanCount).toBeLessThan(whole.data.spanCount)
    expect(part.text).toMatch(
      new RegExp(`^Request ${fetched}'s spans in trace ${whole.data.traceId}: ${part.data.spanCount} of its ${whole.data.spanCount} spans from shop, \\S+ (µs|ms|s) \\(the rest are its caller's: get_trace with trace_id for all\\);`),
    )
    expect(part.data).toMatchObject({ requestId: fetched, traceSpanCount: whole.data.spanCount })
    // The request that started the trace has every span of it: the header stays as it was.
    expect(whole.text).toMatch(new RegExp(`^Trace ${whole.data.traceId}: ${whole.data.spanCount} spans from shop, `))
  })

  it('names the request of each SERVER span a recorded request began, for get_request', async () => {
    const fetched = (await call(session.client, 'list_requests', { route: '/users' })).data.requests[0].id as string
    const { text, data } = await call(session.client, 'get_trace', { request_id: session.ids.report })
    expect(text).toMatch(new RegExp(`^\\+0 ms GET /report .* SERVER request ${session.ids.report} CRITICAL #[0-9a-f]{16}$`, 'm'))
    expect(text).toMatch(new RegExp(`^ {4}\\+\\S+ (µs|ms|s) GET /users .* SERVER request ${fetched} CRITICAL #[0-9a-f]{16}$`, 'm'))
    expect(data.lines.filter((l: { requestId?: string }) => l.requestId).map((l: { requestId: string }) => l.requestId)).toEqual([session.ids.report, fetched])
    expect(text).toMatch(/Columns: .*kind and status \(unless UNSET\), the request a SERVER span began, CRITICAL on the critical path, .*span ids\./)
  })
})

describe("get_trace's header of a request still sending its body", () => {
  const start = loopbackServers()

  it('says the trace is still running, not that it took 0 ms', async () => {
    const { app, release } = feedApp()
    const base = await start(app)
    const feed = await fetch(`${base}/feed`)
    const client = await connect(base)
    try {
      const { text, data } = await call(client, 'get_trace', { request_id: feed.headers.get('x-debug-toolbar-request-id')! })
      expect(text).toMatch(/^Trace [0-9a-f]{32}: 1 span from shop, still running \(started \S+ (µs|ms|s) ago\);/)
      expect(text).toMatch(/^\+0 ms GET \/feed running \[shop\] SERVER/m)
      expect(data.running).toBe(true)
      expect(data.durationMs).toBeUndefined()
      expect(data.runningForMs).toBeGreaterThan(0)
    } finally {
      release()
      await feed.text()
      await client.close()
    }
  })
})
