import { describe, expect, it } from 'vitest'
import { call, useShop } from './app.js'

/** A property of a tool's input schema, as tools/list gives it. */
interface PropertySchema {
  type?: string
  pattern?: string
  enum?: string[]
  anyOf?: PropertySchema[]
}

describe('MCP tools take a number written as a string of digits', () => {
  const session = useShop({ users: '/users', slow: '/slow', boom: '/boom' })
  const { ids } = session

  it('explains query "2" as query 2', async () => {
    const asNumber = await call(session.client, 'explain_query', { request_id: ids.users, query_id: 2 })
    const asString = await call(session.client, 'explain_query', { request_id: ids.users, query_id: '2' })
    expect(asString.isError).toBe(false)
    expect(asString.text).toBe(asNumber.text)
    expect(asString.text).toMatch(/^Query #2 of request /)
    expect(asString.data.queryId).toBe(2)
  })

  it('refuses a query id that is not a whole number with a message that says what it takes', async () => {
    for (const query_id of ['two', '2.5', '', '-1', '#2', true]) {
      const bad = await call(session.client, 'explain_query', { request_id: ids.users, query_id })
      expect(bad.isError, String(query_id)).toBe(true)
      expect(bad.text, String(query_id)).toMatch(/expected a query id, a whole number from 1 .*: a number, or a string of its digits \("3"\) at query_id/)
    }
    const zero = await call(session.client, 'explain_query', { request_id: ids.users, query_id: '0' })
    expect(zero.isError).toBe(true)
    expect(zero.text).toMatch(/expected number to be >=1 at query_id/)
  })

  it('takes limits, durations, counts and flags as strings in every tool', async () => {
    const two = await call(session.client, 'list_requests', { limit: '2' })
    expect(two.isError).toBe(false)
    expect(two.data.requests).toHaveLength(2)
    // The slow request's own duration, cut to one decimal: it is listed, shorter ones are not.
    const slowMs = (await call(session.client, 'get_request', { request_id: ids.slow })).data.request.durationMs as number
    const threshold = (Math.floor(slowMs * 10) / 10).toFixed(1)
    const slow = await call(session.client, 'list_requests', { min_duration_ms: threshold })
    expect(slow.data.requests.map((r: { id: string }) => r.id)).toContain(ids.slow)
    expect(slow.data.requests.every((r: { durationMs: number }) => r.durationMs >= Number(threshold))).toBe(true)
    expect(slow.data.requests).toEqual((await call(session.client, 'list_requests', { min_duration_ms: Number(threshold) })).data.requests)
    expect((await call(session.client, 'list_requests', { has_error: 'true' })).data.requests.map((r: { id: string }) => r.id)).toEqual([ids.boom])
    expect((await call(session.client, 'list_traces', { limit: '1', min_duration_ms: '0', has_error: 'false' })).data.traces).toHaveLength(1)
    // The slow query's own duration, cut to one decimal (how long it takes depends on the machine).
    const slowQueryMs = (await call(session.client, 'find_slow_queries', { request_id: ids.slow, threshold_ms: 0 })).data.queries[0].durationMs as number
    const queryThreshold = (Math.floor(slowQueryMs * 10) / 10).toFixed(1)
    const slowQueries = (await call(session.client, 'find_slow_queries', { threshold_ms: queryThreshold, limit: '5' })).data.queries
    expect(slowQueries.map((q: { requestId: string }) => q.requestId)).toContain(ids.slow)
    expect(slowQueries).toEqual((await call(session.client, 'find_slow_queries', { threshold_ms: Number(queryThreshold), limit: 5 })).data.queries)
    expect((await call(session.client, 'find_n_plus_one', { min_count: '4' })).data.patterns).toHaveLength(1)
    expect((await call(session.client, 'find_n_plus_one', { min_count: '5' })).data.patterns).toHaveLength(0)
    expect((await call(session.client, 'get_trace', { request_id: ids.users, max_spans: '1' })).data.nextCursor).toBeTypeOf('string')
    expect((await call(session.client, 'search_logs', { limit: '1' })).data.logs).toHaveLength(1)
    expect((await call(session.client, 'get_trace_errors', { request_id: ids.boom, limit: '1' })).isError).toBe(false)

    const tooMany = await call(session.client, 'list_requests', { limit: '500' })
    expect(tooMany.isError).toBe(true)
    expect(tooMany.text).toMatch(/expected number to be <=100 at limit/)
    const words = await call(session.client, 'list_requests', { min_duration_ms: 'slow' })
    expect(words.text).toMatch(/expected a duration in milliseconds, 0 or more: a number, or a string of its digits \("3"\) at min_duration_ms/)
    const yes = await call(session.client, 'list_requests', { has_error: 'yes' })
    expect(yes.isError).toBe(true)
    expect(yes.text).toMatch(/expected true or false \(or the string "true" or "false"\) at has_error/)
  })

  it('says so in every input schema: each number (and flag) is also offered as a string', async () => {
    const { tools } = await session.client.listTools()
    const numbers: string[] = []
    for (const tool of tools) {
      for (const [name, property] of Object.entries((tool.inputSchema.properties ?? {}) as Record<string, PropertySchema>)) {
        const options = property.anyOf ?? [property]
        if (!options.some((o) => o.type === 'number' || o.type === 'integer' || o.type === 'boolean')) continue
        numbers.push(`${tool.name}.${name}`)
        const text = options.find((o) => o.type === 'string')
        expect(text, `${tool.name}.${name}`).toBeDefined()
        const sample = options.some((o) => o.type === 'boolean') ? 'true' : '3'
        expect(text!.enum ? text!.enum.includes(sample) : new RegExp(text!.pattern!).test(sample), `${tool.name}.${name}`).toBe(true)
      }
    }
    expect(numbers).toEqual(
      expect.arrayContaining(['explain_query.query_id', 'list_requests.limit', 'list_requests.min_duration_ms', 'list_requests.has_error', 'list_traces.min_duration_ms', 'find_slow_queries.threshold_ms', 'find_n_plus_one.min_count', 'get_trace.max_spans']),
    )
  })
})
