import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { Hono } from 'hono'
import { endTime, setMetric, startTime, timing } from 'hono/timing'
import { debugToolbar, defaultPanels } from '../../src/index.js'
import { formatMs } from '../../src/shapes/format.js'
import { loopbackServers } from '../support/loopback-service.js'
import { call, connect, SECRET, startShop } from './app.js'

describe('the MCP server at {prefix}/mcp', () => {
  let shop: Awaited<ReturnType<typeof startShop>>
  let client: Client
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    shop = await startShop()
    ids.users = await shop.get('/users')
    ids.slow = await shop.get('/slow')
    ids.login = await shop.get(`/login?api_key=${SECRET}&pass%77ord=${SECRET}&X-Amz-Signature=${SECRET}`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}`, cookie: `sid=${SECRET}` } })
    ids.report = await shop.get('/report')
    ids.reset = await shop.get(`/reset/${SECRET}`)
    ids.boom = await shop.get('/boom')
    client = await connect(shop.base)
  })

  afterAll(async () => {
    await client?.close()
    await shop?.close()
  })

  it('says nothing of CPU profiles to an agent of a toolbar without the Profile panel, whose requests cannot be profiled', async () => {
    const bare = await startShop({ prefix: '/_dt', panels: defaultPanels().filter((panel) => panel.id !== 'profiling') })
    const agent = await connect(bare.base, '/_dt')
    try {
      const instructions = agent.getInstructions()!
      expect(instructions).toMatch(/list_requests/)
      expect(instructions).not.toMatch(/profile|profiler/i)
      // The toolbar it speaks of has no such route: the app answers 404.
      expect((await fetch(`${bare.base}/_dt/api/profiler`, { method: 'POST' })).status).toBe(404)
    } finally {
      await agent.close()
      await bare.close()
    }
  })

  it('says how to start at initialize and lists every tool with its hints', async () => {
    expect(client.getInstructions()).toMatch(/list_requests/)
    // An agent learns how to ask for a CPU profile, which no tool makes.
    expect(client.getInstructions()).toContain('For a CPU profile of a request, make it with the header X-Debug-Toolbar-Profile: 1 (or add ?_dt_profile=1 to its URL)')
    // And where this toolbar starts V8's profiler ahead, at the address the agent reached it by.
    expect(client.getInstructions()).toContain(`POST ${shop.base}/_debug_toolbar/api/profiler starts it ahead, and DELETE stops it`)
    const { tools } = await client.listTools()
    const names = tools.map((t) => t.name).sort()
    expect(names).toEqual(
      ['clear_history', 'compare_requests', 'explain_query', 'find_n_plus_one', 'find_slow_queries', 'get_links', 'get_request', 'get_span', 'get_trace', 'get_trace_errors', 'list_requests', 'list_traces', 'search_logs'].sort(),
    )
    for (const tool of tools) {
      expect(tool.annotations?.readOnlyHint).toBe(tool.name !== 'clear_history')
      expect(tool.annotations?.destructiveHint).toBe(tool.name === 'clear_history')
    }
  })

  it('lists requests newest first with ids and counts, filtered and paged', async () => {
    const all = await call(client, 'list_requests')
    expect(all.isError).toBe(false)
    const rows = all.data.requests as Array<{ id: string; route: string; spans: number; queries: number; logs: number; errors: number; traceId: string }>
    expect(rows[0]!.id).toBe(ids.boom)
    const users = rows.find((r) => r.id === ids.users)!
    expect(users).toMatchObject({ route: '/users', status: 200, queries: 5, logs: 1, errors: 0 })
    expect(users.spans).toBeGreaterThan(5)
    expect(users.traceId).toMatch(/^[0-9a-f]{32}$/)
    expect(all.text).toContain(ids.users)

    const errors = await call(client, 'list_requests', { has_error: true })
    expect(errors.data.requests.map((r: { id: string }) => r.id)).toEqual([ids.boom])

    const first = await call(client, 'list_requests', { limit: 2 })
    expect(first.data.requests).toHaveLength(2)
    expect(first.data.nextCursor).toBeTypeOf('string')
    expect(first.text).toContain('more with cursor')
    const second = await call(client, 'list_requests', { limit: 2, cursor: first.data.nextCursor })
    expect(second.data.requests[0].id).not.toBe(first.data.requests[0].id)
    expect(second.data.offset).toBe(2)

    const slow = await call(client, 'list_requests', { route: '/slow', service: 'shop' })
    expect(slow.data.requests.map((r: { id: string }) => r.id)).toEqual([ids.slow])
    expect((await call(client, 'list_requests', { service: 'nobody' })).data.requests).toEqual([])
    expect((await call(client, 'list_requests', { status: '5xx' })).data.requests).toHaveLength(1)
    // What the input schema allows (a client may check arguments against it) is what the tool takes.
    const { tools } = await client.listTools()
    const status = (tools.find((t) => t.name === 'list_requests')!.inputSchema.properties as Record<string, { pattern: string }>).status!
    expect(new RegExp(status.pattern).test('5XX')).toBe(true)
    expect((await call(client, 'list_requests', { status: '5XX' })).data.requests).toHaveLength(1)
    // A list, as the History panel and the API take it.
    const listed = await call(client, 'list_requests', { status: '5xx, 200' })
    expect(listed.isError).toBeFalsy()
    expect(listed.data.requests.length).toBe(all.data.requests.filter((r: { status: number }) => r.status >= 500 || r.status === 200).length)
    expect(new RegExp(status.pattern).test('404,5xx 2xx')).toBe(true)
    expect(new RegExp(status.pattern).test('404,abc')).toBe(false)
  })

  it('answers bad arguments with a clear error result, and keeps serving', async () => {
    const badLimit = await call(client, 'list_requests', { limit: 5000 })
    expect(badLimit.isError).toBe(true)
    expect(badLimit.text).toMatch(/limit/)
    const badCursor = await call(client, 'list_requests', { cursor: 'garbage' })
    expect(badCursor.isError).toBe(true)
    expect(badCursor.text).toMatch(/cursor/)
    const unknown = await call(client, 'get_request', { request_id: 'ffffffffffffffff' })
    expect(unknown.isError).toBe(true)
    expect(unknown.text).toMatch(/no request with id "ffffffffffffffff"/)
    const malformed = await call(client, 'get_trace', { trace_id: 'not-a-trace' })
    expect(malformed.isError).toBe(true)
    expect(malformed.text).toMatch(/trace id/)
    const noTrace = await call(client, 'get_trace', { trace_id: 'a'.repeat(32) })
    expect(noTrace.isError).toBe(true)
    expect(noTrace.text).toMatch(/no trace with id/)
    const neither = await call(client, 'get_links', {})
    expect(neither.isError).toBe(true)
    // Both ids, of different requests: one would be ignored, so neither is.
    for (const tool of ['get_links', 'get_trace', 'get_trace_errors']) {
      const mismatched = await call(client, tool, { request_id: ids.users, trace_id: 'a'.repeat(32) })
      expect(mismatched.isError, tool).toBe(true)
      expect(mismatched.text, tool).toMatch(new RegExp(`request "${ids.users}" is in trace [0-9a-f]{32}, not in a{32}`))
    }
    const level = await call(client, 'search_logs', { level: 'ERROR' })
    expect(level.isError).toBe(true)
    expect(level.text).toMatch(/one of trace, debug, info, warn, error, fatal \(lower case\)/)
    // A cursor past the end (the history shrank, or it was made by hand) says so.
    const pastEnd = await call(client, 'list_requests', { cursor: Buffer.from(JSON.stringify({ t: 'list_requests', o: 9999 })).toString('base64url') })
    expect(pastEnd.isError).toBe(true)
    expect(pastEnd.text).toMatch(/past the end: there are \d+ now/)
    const none = await call(client, 'find_slow_queries', { request_id: ids.boom, threshold_ms: 1e6 })
    expect(none.text).toMatch(new RegExp(`^No query in request ${ids.boom} took at least 1000000 ms\\. The slowest of its 1 query took \\S+ (µs|ms|s) \\(#1\\)\\.$`))
    expect((await call(client, 'list_requests', { limit: 1 })).isError).toBe(false)
  })

  it("gives one request's panels in brief, with N+1 groups and links", async () => {
    const { text, data, isError } = await call(client, 'get_request', { request_id: ids.users })
    expect(isError).toBe(false)
    expect(data.sql.count).toBe(5)
    expect(data.sql.nPlusOne[0]).toMatchObject({ sql: 'SELECT total FROM orders WHERE user_id = ?', count: 4 })
    expect(data.sql.nPlusOne[0].caller).toMatch(/app\.ts:\d+/)
    expect(data.logs.lines[0].message).toBe('listed 4 users')
    expect(data.links.toolbar).toBe(`${shop.base}/_debug_toolbar/requests/${ids.users}`)
    expect(data.links.jaeger).toContain(data.request.traceId)
    expect(text).toContain('N+1 x4')
    // One query reads as one.
    expect((await call(client, 'get_request', { request_id: ids.slow })).text).toMatch(/^SQL: 1 query in /m)
  })

  it('shows the trace as a tree with self time and repeated siblings folded', async () => {
    const brief = await call(client, 'get_request', { request_id: ids.users })
    const traceId = brief.data.request.traceId
    const { text, data } = await call(client, 'get_trace', { trace_id: traceId })
    expect(data.lines[0]).toMatchObject({ depth: 0, name: 'GET /users', kind: 'SERVER', service: 'shop' })
    expect(data.lines[0].selfMs).toBeLessThanOrEqual(data.lines[0].durationMs)
    expect(data.lines[0].critical).toBe(true)
    expect(text).toMatch(/GET \/users .* CRITICAL #/)
    const folded = data.lines.find((l: { count: number }) => l.count === 4)
    expect(folded).toMatchObject({ depth: 1, count: 4 })
    expect(folded.name).toMatch(/orders/)
    expect(text).toContain(`x4, ${formatMs(folded.durationMs)} total`)
    // By request id too, and capped with a cursor.
    const capped = await call(client, 'get_trace', { request_id: ids.users, max_spans: 1 })
    expect(capped.data.lines).toHaveLength(1)
    expect(capped.data.truncated).toBe(true)
    const next = await call(client, 'get_trace', { request_id: ids.users, max_spans: 1, cursor: capped.data.nextCursor })
    expect(next.data.lines[0].depth).toBe(1)
  })

  it('shows spans in full and refuses more than 20 or unknown ones', async () => {
    const tree = await call(client, 'get_trace', { request_id: ids.report })
    const traceId = tree.data.traceId
    const client_ = tree.data.lines.find((l: { kind: string }) => l.kind === 'CLIENT')
    expect(client_).toBeDefined()
    const { data } = await call(client, 'get_span', { trace_id: traceId, span_ids: [client_.spanIds[0]] })
    expect(data.spans[0].attributes['http.request.method']).toBe('GET')
    expect(data.spans[0].kind).toBe('CLIENT')
    // The /users request that /report fetched shares its trace, but only its own spans are its.
    const inner = (await call(client, 'list_requests', { route: '/users' })).data.requests.find((r: { traceId: string }) => r.traceId === traceId)
    const outer = (await call(client, 'list_requests', { route: '/report' })).data.requests[0]
    expect(inner.spans).toBeLessThan(outer.spans)
    const innerTree = await call(client, 'get_trace', { request_id: inner.id })
    expect(innerTree.data.lines[0]).toMatchObject({ name: 'GET /users', kind: 'SERVER', depth: 0 })
    expect(innerTree.data.spanCount).toBe(inner.spans)
    const tooMany = await call(client, 'get_span', { trace_id: traceId, span_ids: Array.from({ length: 21 }, () => 'a'.repeat(16)) })
    expect(tooMany.isError).toBe(true)
    const unknown = await call(client, 'get_span', { trace_id: traceId, span_ids: ['b'.repeat(16)] })
    expect(unknown.isError).toBe(true)
    expect(unknown.text).toMatch(/has no span "bbbbbbbbbbbbbbbb"/)
  })

  it('finds the error with its stack and the logs around it', async () => {
    const { text, data } = await call(client, 'get_trace_errors', { request_id: ids.boom })
    const exception = data.errors.find((e: { kind: string }) => e.kind === 'exception')
    expect(exception.message).toBe('Something went wrong in /boom')
    expect(exception.stack).toMatch(/app\.ts/)
    expect(exception.logsAround.map((l: { message: string }) => l.message)).toContain('about to fail')
    expect(text).toContain('Something went wrong in /boom')
    // On the request's own clock, to the microsecond: the SERVER span starts the trace here.
    const span = await call(client, 'get_span', { trace_id: data.traceId, span_ids: [exception.spanId] })
    const event = span.data.spans[0].events.find((e: { name: string }) => e.name === 'exception')
    expect(exception.atMs).toBeCloseTo(event.offsetMs, 3)
    // One thrown error is one error everywhere: not again as its span, or as the error log line it caused.
    expect(data.errors).toHaveLength(1)
    const listed = await call(client, 'list_requests', { has_error: true })
    expect(listed.data.requests[0]).toMatchObject({ id: ids.boom, errors: 1 })
    const brief = await call(client, 'get_request', { request_id: ids.boom })
    expect(brief.data.errors).toEqual([expect.objectContaining({ kind: 'exception', message: 'Something went wrong in /boom' })])
    expect(brief.text).toContain('Errors: 1')
    // Its type, as get_trace_errors writes it.
    expect(brief.text.split('\n')).toContain('  exception: Error: Something went wrong in /boom')
    const byTrace = await call(client, 'get_trace_errors', { trace_id: data.traceId })
    expect(byTrace.data.requestId).toBe(ids.boom)
    const none = await call(client, 'get_trace_errors', { request_id: ids.users })
    expect(none.data.errors).toEqual([])
    expect(none.text).toMatch(/No error/)
  })

  it('finds slow queries and N+1 patterns over recent requests without arguments', async () => {
    const slow = await call(client, 'find_slow_queries', { threshold_ms: 0 })
    expect(slow.data.queries.length).toBeGreaterThan(5)
    const durations = slow.data.queries.map((q: { durationMs: number }) => q.durationMs)
    expect(durations).toEqual([...durations].sort((a, b) => b - a))
    expect(slow.data.queries[0].caller).toMatch(/app\.ts:\d+/)
    const defaults = await call(client, 'find_slow_queries')
    expect(defaults.isError).toBe(false)
    const nPlusOne = await call(client, 'find_n_plus_one')
    // /report fetched /users too: one pattern, whose requests include the first /users.
    expect(nPlusOne.data.patterns.flatMap((p: { requestIds: string[] }) => p.requestIds)).toEqual(expect.arrayContaining([ids.users]))
    expect(nPlusOne.data.patterns[0]).toMatchObject({ count: 4, sql: 'SELECT total FROM orders WHERE user_id = ?' })
    const one = await call(client, 'find_n_plus_one', { request_id: ids.slow })
    expect(one.data.patterns).toEqual([])
  })

  it('explains a recorded SELECT, and refuses a write', async () => {
    const { data, text } = await call(client, 'explain_query', { request_id: ids.users, query_id: 2 })
    expect(data.explainSql).toMatch(/^EXPLAIN QUERY PLAN/)
    expect(data.plan.length).toBeGreaterThan(0)
    expect(text).toContain('plan')
    const write = await call(client, 'explain_query', { request_id: ids.login, query_id: 1 })
    expect(write.isError).toBe(true)
    expect(write.text).toMatch(/cannot explain/)
    const missing = await call(client, 'explain_query', { request_id: ids.users, query_id: 99 })
    expect(missing.isError).toBe(true)
  })

  it('searches logs by level, text and request', async () => {
    const warn = await call(client, 'search_logs', { level: 'warn' })
    expect(warn.data.logs.map((l: { message: string }) => l.message)).toEqual(['slow report computed'])
    // A line's own attributes follow it; the console method a line came through, which its
    // level already says, does not (it is in the data).
    expect(warn.text).toMatch(/ WARN slow report computed {2}\{"rows":1\}$/m)
    const text = await call(client, 'search_logs', { text: 'LISTED' })
    expect(text.data.logs.map((l: { requestId: string }) => l.requestId)).toContain(ids.users)
    expect(text.text).toMatch(/ INFO listed 4 users$/m)
    expect(text.data.logs.find((l: { message: string }) => l.message === 'listed 4 users').attributes).toEqual({ 'console.method': 'log' })
    const one = await call(client, 'search_logs', { request_id: ids.boom, level: ['error', 'fatal'] })
    // Hono's default error handler logs the thrown error too, inside the request.
    expect(one.data.logs.map((l: { message: string }) => l.message)).toEqual(['about to fail', expect.stringMatching(/^Error: Something went wrong/)])
  })

  it('compares two requests, or the last two of a route', async () => {
    const second = await shop.get('/users')
    const { data, text } = await call(client, 'compare_requests', { route: '/users' })
    // /report fetched /users too: the last two are that one and the new one.
    expect(data.a.id).not.toBe(second)
    expect(data.a.route).toBe('GET /users')
    expect(data.b.id).toBe(second)
    expect(data.queryCountDelta).toBe(0)
    expect(text).toMatch(/Delta: duration/)
    const different = await call(client, 'compare_requests', { request_ids: [ids.users, ids.slow] })
    expect(different.data.added.length).toBeGreaterThan(0)
    expect(different.data.removed.length).toBeGreaterThan(0)
    // The route as the tools write it, with its method, is taken back as it is.
    const again = await call(client, 'compare_requests', { route: data.a.route })
    expect(again.isError).toBe(false)
    expect(again.data.b.id).toBe(second)
    expect((await call(client, 'list_requests', { route: 'GET /slow' })).data.requests.map((r: { id: string }) => r.id)).toEqual([ids.slow])
    expect((await call(client, 'list_requests', { route: 'POST /slow' })).data.requests).toEqual([])
    expect((await call(client, 'compare_requests', { route: '/nowhere' })).isError).toBe(true)
    expect((await call(client, 'compare_requests', { request_ids: [ids.users, ids.users] })).text).toMatch(/twice/)
    expect((await call(client, 'compare_requests', { request_ids: [ids.users, ids.slow], route: '/users' })).text).toMatch(/not both/)
  })

  it('gives links for a request and for spans', async () => {
    const { data } = await call(client, 'get_links', { request_id: ids.users })
    expect(data.links.toolbar).toContain(`/_debug_toolbar/requests/${ids.users}`)
    expect(data.links.zipkin).toMatch(/\/zipkin\/traces\/[0-9a-f]{32}$/)
    const traceId = data.links.trace.split('/').pop()
    const tree = await call(client, 'get_trace', { trace_id: traceId })
    const spanId = tree.data.lines[0].spanIds[0]
    const spans = await call(client, 'get_links', { trace_id: traceId, span_ids: [spanId] })
    expect(spans.data.links.spans[0].jaeger).toContain(`uiFind=${spanId}`)
    // A span of another trace, or of none, gets no link that Jaeger would open on nothing.
    const foreign = await call(client, 'get_links', { request_id: ids.users, span_ids: ['0123456789abcdef'] })
    expect(foreign.isError).toBe(true)
    expect(foreign.text).toMatch(/has no span "0123456789abcdef"/)
    const byTrace = await call(client, 'get_links', { trace_id: traceId, span_ids: [spanId, 'fedcba9876543210'] })
    expect(byTrace.isError).toBe(true)
    expect(byTrace.text).toMatch(/has no span "fedcba9876543210"/)
  })

  it('serves the same data as resources', async () => {
    const templates = await client.listResourceTemplates()
    expect(templates.resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual(['toolbar://requests/{id}', 'toolbar://traces/{traceId}'])
    const listed = await client.listResources()
    expect(listed.resources.map((r) => r.uri)).toContain(`toolbar://requests/${ids.users}`)
    // Named as list_requests names them: a route pattern with the path beside it.
    const requests = await call(client, 'list_requests', { route: '/reset/:token' })
    const named = /^\S+ {2}(GET \/reset\/:token \(\/reset\/\S+\)) {2}200 /m.exec(requests.text)?.[1]
    expect(named).toMatch(/^GET \/reset\/:token \(\/reset\/.+\)$/)
    expect(listed.resources.find((r) => r.uri === `toolbar://requests/${ids.reset}`)?.name).toBe(`${named} 200`)
    const request = await client.readResource({ uri: `toolbar://requests/${ids.users}` })
    const brief = JSON.parse((request.contents[0] as { text: string }).text)
    expect(brief.sql.count).toBe(5)
    const trace = await client.readResource({ uri: `toolbar://traces/${brief.request.traceId}` })
    expect(JSON.parse((trace.contents[0] as { text: string }).text).spans.length).toBeGreaterThan(5)
    await expect(client.readResource({ uri: 'toolbar://requests/ffffffffffffffff' })).rejects.toThrow(/no request/)
    // MCP's "Resource not found", not an internal error.
    await expect(client.readResource({ uri: 'toolbar://requests/ffffffffffffffff' })).rejects.toMatchObject({ code: -32002 })
    await expect(client.readResource({ uri: 'toolbar://traces/abc' })).rejects.toMatchObject({ code: -32002 })
    await expect(client.readResource({ uri: 'toolbar://requests/..%2F..' })).rejects.toThrow(/not a request id/)
    await expect(client.readResource({ uri: 'toolbar://traces/abc' })).rejects.toThrow(/not a trace id/)
    // The JSON-RPC error's message is the reason itself: the client adds the code once.
    await expect(client.readResource({ uri: 'toolbar://requests/ffffffffffffffff' })).rejects.toThrow(/^MCP error -32002: no request with id "ffffffffffffffff"/)
  })

  it('never sends the seeded secret, from any tool or resource', async () => {
    const outputs = [
      await call(client, 'get_request', { request_id: ids.login }),
      await call(client, 'search_logs', { request_id: ids.login }),
      await call(client, 'find_slow_queries', { request_id: ids.login, threshold_ms: 0 }),
      await call(client, 'get_trace', { request_id: ids.login }),
    ]
    const trace = await call(client, 'get_trace', { request_id: ids.login })
    const spanIds = trace.data.lines.flatMap((l: { spanIds: string[] }) => l.spanIds).slice(0, 20)
    outputs.push(await call(client, 'get_span', { trace_id: trace.data.traceId, span_ids: spanIds }))
    const resource = await client.readResource({ uri: `toolbar://traces/${trace.data.traceId}` })
    const everything = JSON.stringify(outputs.map((o) => o.raw)) + JSON.stringify(resource)
    expect(everything).not.toContain(SECRET)
    expect(everything).toContain('password=REDACTED')
    expect(everything).toContain("password = 'REDACTED'")
    const slow = outputs[2]!.data.queries.find((q: { sql: string }) => q.sql.startsWith('UPDATE') && q.sql.includes('?'))
    expect(slow.params).toEqual(['REDACTED', 1])
    const named = outputs[2]!.data.queries.find((q: { sql: string }) => q.sql.includes('@pw'))
    expect(named.params).toEqual([{ pw: 'REDACTED', id: 1 }])
    const compared = outputs[2]!.data.queries.find((q: { sql: string }) => q.sql.includes('IS NOT ?'))
    expect(compared.params).toEqual(['REDACTED', 'REDACTED', 'REDACTED', 'REDACTED', 'REDACTED'])
    expect(everything).toContain("password IS 'REDACTED' OR password == 'REDACTED' OR password GLOB 'REDACTED'")
    expect(everything).toContain("VALUES (1, 'user1', 'REDACTED')")
    expect(everything).toContain('postgres://REDACTED:REDACTED@db/app')
    expect(everything).toContain('pass%77ord=REDACTED&X-Amz-Signature=REDACTED')
  })

  it('redacts a secret-named route param in the path, the URL, the spans and the logs', async () => {
    const list = await call(client, 'list_requests', { route: '/reset/:token' })
    expect(list.data.requests.map((r: { id: string }) => r.id)).toEqual([ids.reset])
    const trace = await call(client, 'get_trace', { request_id: ids.reset })
    const spanIds = trace.data.lines.flatMap((l: { spanIds: string[] }) => l.spanIds)
    const outputs = [
      list,
      await call(client, 'get_request', { request_id: ids.reset }),
      await call(client, 'search_logs', { request_id: ids.reset }),
      await call(client, 'get_span', { trace_id: trace.data.traceId, span_ids: spanIds }),
      await call(client, 'compare_requests', { request_ids: [ids.users, ids.reset] }),
    ]
    const resources = [await client.readResource({ uri: `toolbar://requests/${ids.reset}` }), await client.readResource({ uri: `toolbar://traces/${trace.data.traceId}` }), await client.listResources()]
    const everything = JSON.stringify(outputs.map((o) => o.raw)) + JSON.stringify(resources)
    expect(everything).not.toContain(SECRET)
    expect(outputs[1]!.text).toContain('GET /reset/:token (/reset/REDACTED) -> 200')
    expect(outputs[2]!.data.logs[0].message).toBe('reset link opened: /reset/REDACTED')
    expect(outputs[3]!.data.spans[0].attributes['url.path']).toBe('/reset/REDACTED')
  })

  it('forgets everything with clear_history, the one destructive tool', async () => {
    const before = await call(client, 'list_requests')
    expect(before.data.total).toBeGreaterThan(0)
    const cleared = await call(client, 'clear_history')
    expect(cleared.data.cleared).toBe(before.data.total)
    expect((await call(client, 'list_requests')).data.total).toBe(0)
    expect((await call(client, 'get_request', { request_id: ids.users })).isError).toBe(true)
  })
})

describe('get_request with hono/timing metrics', () => {
  const serve = loopbackServers()

  it('gives each metric as the Time panel shows it: duration, description and a value set with setMetric', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.use(timing({ total: false }))
    app.get('/', async (c) => {
      startTime(c, 'db', 'orders query')
      await new Promise((resolve) => setTimeout(resolve, 5))
      endTime(c, 'db')
      setMetric(c, 'region', 'europe-west3')
      setMetric(c, 'cache', 23.2, 'cache read')
      setMetric(c, 'auth', `token=${SECRET}`)
      return c.text('ok')
    })
    const base = await serve(app)
    const client = await connect(base)
    try {
      const res = await fetch(`${base}/`)
      await res.text()
      const id = res.headers.get('x-debug-toolbar-request-id')!
      const { text, data } = await call(client, 'get_request', { request_id: id })
      const line = text.split('\n').find((l) => l.startsWith('Time:'))
      expect(line).toMatch(/; timings: db \d+(\.\d+)? ms \(orders query\), region = europe-west3, cache 23\.2 ms \(cache read\), auth = token=REDACTED$/)
      expect(data.time.metrics.map((m: { name: string }) => m.name)).toEqual(['db', 'region', 'cache', 'auth'])
      expect(data.time.metrics[1]).toMatchObject({ name: 'region', value: 'europe-west3' })
      expect(data.time.metrics[2]).toMatchObject({ name: 'cache', durationMs: 23.2, description: 'cache read' })
      expect(JSON.stringify(data)).not.toContain(SECRET)
    } finally {
      await client.close()
    }
  })
})
