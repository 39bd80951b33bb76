import { describe, expect, it } from 'vitest'
import { formatMs } from '../../src/shapes/format.js'
import { call, useShop } from './app.js'

describe('a filter that matches nothing says what there is to ask for instead', () => {
  const session = useShop({ users: '/users', again: '/users', slow: '/slow', reset: '/reset/abcdefghijkl' })

  it('list_requests names the recorded routes when the route matches none', async () => {
    const { text, data, isError } = await call(session.client, 'list_requests', { route: '/user' })
    expect(isError).toBe(false)
    expect(data.requests).toEqual([])
    expect(text).toMatch(/^No recorded request matches route "\/user" \(4 requests recorded\)\./)
    // The routes closest to what was asked come first, with how many requests each has.
    expect(text).toMatch(/Recorded routes: GET \/users \(2\), GET \/reset\/:token \(1\), GET \/slow \(1\)\./)
    expect(data.recordedRoutes).toEqual([
      { route: 'GET /users', requests: 2 },
      { route: 'GET /reset/:token', requests: 1 },
      { route: 'GET /slow', requests: 1 },
    ])
  })

  it('list_requests names the services seen when the service matches none', async () => {
    const { text, data } = await call(session.client, 'list_requests', { service: 'billing' })
    expect(text).toMatch(/^No recorded request matches service "billing" \(4 requests recorded\)\. Services in their traces: shop\./)
    expect(data.recordedServices).toEqual(['shop'])
  })

  it('list_requests says which filters left nothing', async () => {
    const { text } = await call(session.client, 'list_requests', { route: '/users', status: '5xx', min_duration_ms: 0 })
    expect(text).toMatch(/^No recorded request matches route "\/users", status 5xx, min_duration_ms 0 \(4 requests recorded\)\./)
  })

  it('compare_requests names the recorded routes when the route has fewer than two requests', async () => {
    const one = await call(session.client, 'compare_requests', { route: '/slow' })
    expect(one.isError).toBe(true)
    expect(one.text).toMatch(/^route "\/slow" has 1 recorded request; comparing needs two\. Routes with two or more: GET \/users \(2\)\.$/)
    const none = await call(session.client, 'compare_requests', { route: 'orders' })
    expect(none.text).toMatch(/^route "orders" has 0 recorded requests; comparing needs two\. Routes with two or more: GET \/users \(2\)\.$/)
  })

  it('takes a route written without its leading slash, as a URL, or with a query, as the path it names', async () => {
    for (const route of ['users', 'GET users', 'http://127.0.0.1:3000/users', '/users?page=2', 'users#top']) {
      const { data, isError } = await call(session.client, 'list_requests', { route })
      expect(isError, route).toBe(false)
      expect(data.requests.map((r: { route: string }) => r.route), route).toEqual(['/users', '/users'])
    }
    const compared = await call(session.client, 'compare_requests', { route: 'users' })
    expect(compared.isError).toBe(false)
    expect(compared.data.a.route).toBe('GET /users')
  })

  it('list_traces names its filters and what the traces held have instead', async () => {
    const all = (await call(session.client, 'list_traces')).data
    expect(all.total).toBe(4)
    const longest = Math.max(...all.traces.map((t: { durationMs: number }) => t.durationMs))
    const service = await call(session.client, 'list_traces', { service: 'billing' })
    expect(service.isError).toBe(false)
    expect(service.text).toBe('No trace matches service "billing" (4 traces held). Services in them: shop.')
    expect(service.data.recordedServices).toEqual(['shop'])
    const source = await call(session.client, 'list_traces', { source: 'zipkin', min_duration_ms: 60_000, has_error: true })
    expect(source.text).toBe(`No trace matches source zipkin, min_duration_ms 60000, has_error true (4 traces held). Services in them: shop. Sources: local (4). The longest took ${formatMs(longest)}. None of them has an error.`)
  })

  it('search_logs names its filters and what the lines searched have instead', async () => {
    const { text, isError } = await call(session.client, 'search_logs', { level: 'fatal', text: 'no such words' })
    expect(isError).toBe(false)
    expect(text).toBe('No log line matches level fatal, text "no such words" (4 lines in 4 requests searched: 3 info, 1 warn).')
  })

  // Last: it forgets the history the tests above read.
  it('list_requests says the history is empty rather than blaming the filters', async () => {
    await call(session.client, 'clear_history')
    const { text } = await call(session.client, 'list_requests', { route: '/users' })
    expect(text).toBe('No request recorded yet: make a request to the app first.')
  })
})
