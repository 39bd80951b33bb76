import { describe, expect, it } from 'vitest'
import { otlpJsonFromToolbarSpans } from '../../src/opentelemetry/index.js'
import { syntheticTrace, traceIdOf } from '../support/synthetic-spans.js'
import { call, useShop } from './app.js'

describe('a request no route matched is named the same in list_requests and list_traces', () => {
  const session = useShop({ nope: '/nope', users: '/users' })

  it('lists the trace of a 404 as "GET /nope", as list_requests lists its request', async () => {
    const requests = await call(session.client, 'list_requests')
    const request = requests.data.requests.find((r: { id: string }) => r.id === session.ids.nope)
    expect(requests.text).toMatch(new RegExp(`^${session.ids.nope} {2}GET /nope {2}404 `, 'm'))

    const { text, data } = await call(session.client, 'list_traces')
    expect(text).toMatch(new RegExp(`^${request.traceId} {2}GET /nope {2}\\[shop\\] .*request ${session.ids.nope}$`, 'm'))
    // The span keeps the name OpenTelemetry's conventions give it; the path is beside it.
    expect(data.traces.find((t: { traceId: string }) => t.traceId === request.traceId)).toMatchObject({ rootName: 'GET', rootPath: '/nope' })
    // A routed request reads as its span is named.
    expect(text).toMatch(/ {2}GET \/users {2}\[shop\]/)
    expect(data.traces.find((t: { requestId?: string }) => t.requestId === session.ids.users).rootPath).toBeUndefined()
  })

  it('names the trace of a 404 "GET /nope" in the toolbar://traces resource list too', async () => {
    const { data } = await call(session.client, 'get_request', { request_id: session.ids.nope })
    const { resources } = await session.client.listResources()
    const listed = resources.find((r) => r.uri === `toolbar://traces/${data.request.traceId}`)
    expect(listed?.name).toMatch(/^GET \/nope \(shop, \d+ spans?\)$/)
    // A routed request's trace keeps its span's name.
    const users = await call(session.client, 'get_request', { request_id: session.ids.users })
    expect(resources.find((r) => r.uri === `toolbar://traces/${users.data.request.traceId}`)?.name).toMatch(/^GET \/users \(shop, /)
  })

  it('writes the span of a 404 as "GET /nope" in get_trace\'s tree too', async () => {
    const { text, data } = await call(session.client, 'get_trace', { request_id: session.ids.nope })
    expect(text).toMatch(new RegExp(`^\\+0 ms GET /nope \\S+ (µs|ms|s) \\(self .+\\) \\[shop\\] SERVER request ${session.ids.nope} `, 'm'))
    expect(data.lines[0]).toMatchObject({ name: 'GET', path: '/nope' })
    // A routed request's span reads as it is named.
    const users = await call(session.client, 'get_trace', { request_id: session.ids.users })
    expect(users.text).toMatch(/^\+0 ms GET \/users \S+ (µs|ms|s) \(self /m)
    expect(users.data.lines[0].path).toBeUndefined()
  })

  it("adds the path of another service's span named by its method alone, from http.target without its query", async () => {
    // Named by its method alone, as the HTTP conventions name a request no route matched.
    const spans = syntheticTrace('webhook', [{ name: 'POST', start: 0, end: 2, service: 'hooks', attributes: { 'http.method': 'POST', 'http.target': '/hooks/github?attempt=2' } }])
    const body = otlpJsonFromToolbarSpans(spans.map((span) => ({ ...span, kind: 'SERVER' })))
    const traceId = traceIdOf('webhook')
    const sent = await fetch(`${session.shop.base}/_debug_toolbar/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect(sent.status).toBe(200)
    const { text } = await call(session.client, 'list_traces', { service: 'hooks' })
    expect(text).toMatch(new RegExp(`^${traceId} {2}POST /hooks/github {2}\\[hooks\\] {2}1 span `, 'm'))
  })
})
