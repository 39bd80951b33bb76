import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { otlpJsonFromToolbarSpans, type ToolbarSpan } from '../../src/opentelemetry/index.js'
import { call, connect, startShop } from './app.js'

type Sent = { spanId: string; name: string; startMs: number; durationMs: number; sql?: string }

/** What a service's SDK exports for a request's trace: a SERVER span and the database spans under it. */
function serviceExport(service: string, traceId: string, parentSpanId: string, spans: Sent[]) {
  const base = BigInt(Date.now()) * 1_000_000n
  const at = (ms: number) => String(base + BigInt(Math.round(ms * 1e6)))
  return otlpJsonFromToolbarSpans(
    spans.map(
      (s, i): ToolbarSpan => ({
        traceId,
        spanId: s.spanId,
        parentSpanId: i === 0 ? parentSpanId : spans[0]!.spanId,
        name: s.name,
        kind: s.sql ? 'CLIENT' : 'SERVER',
        startTimeUnixNano: at(s.startMs),
        endTimeUnixNano: at(s.startMs + s.durationMs),
        attributes: s.sql ? { 'db.system.name': 'postgresql', 'db.query.text': s.sql } : {},
        events: [],
        links: [],
        status: { code: 'UNSET' },
        resource: { 'service.name': service },
        scope: { name: service },
        source: 'otlp_http',
      }),
    ),
  )
}

/** get_request on a request whose trace holds the spans of the services it called. */
describe("get_request counts the downstream services' queries", () => {
  let shop: Awaited<ReturnType<typeof startShop>>
  let client: Client
  let requestId: string

  beforeAll(async () => {
    shop = await startShop()
    // /users runs 5 queries of its own (1 + one per user), which the SQL panel records.
    requestId = await shop.get('/users')
    client = await connect(shop.base)
    const tree = await call(client, 'get_trace', { request_id: requestId })
    const traceId: string = tree.data.traceId
    const root: string = tree.data.lines[0].spanIds[0]
    const send = async (body: unknown) => {
      const res = await fetch(`${shop.base}/_debug_toolbar/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      expect(res.status).toBe(200)
    }
    // inventory looks each item up on its own (N+1); billing runs one query.
    await send(
      serviceExport('inventory', traceId, root, [
        { spanId: 'a1'.repeat(8), name: 'GET /stock', startMs: 1, durationMs: 14 },
        { spanId: 'a2'.repeat(8), name: 'SELECT stock', startMs: 2, durationMs: 4, sql: 'SELECT qty FROM stock WHERE sku = 1' },
        { spanId: 'a3'.repeat(8), name: 'SELECT stock', startMs: 6, durationMs: 4, sql: 'SELECT qty FROM stock WHERE sku = 2' },
        { spanId: 'a4'.repeat(8), name: 'SELECT stock', startMs: 10, durationMs: 4.4, sql: 'SELECT qty FROM stock WHERE sku = 3' },
      ]),
    )
    await send(
      serviceExport('billing', traceId, root, [
        { spanId: 'b1'.repeat(8), name: 'POST /invoice', startMs: 16, durationMs: 3 },
        { spanId: 'b2'.repeat(8), name: 'INSERT invoices', startMs: 17, durationMs: 2, sql: 'INSERT INTO invoices (total) VALUES ($1)' },
      ]),
    )
    // The app's own query, sent once more through a collector: the SQL panel counts it already.
    await send(serviceExport('shop', traceId, root, [{ spanId: 'c1'.repeat(8), name: 'wrapper', startMs: 0, durationMs: 1 }, { spanId: 'c2'.repeat(8), name: 'SELECT users', startMs: 0, durationMs: 1, sql: 'SELECT id, name FROM users ORDER BY id' }]))
  })

  afterAll(async () => {
    await client?.close()
    await shop?.close()
  })

  it('says per service how many queries it ran and for how long, its repeated statement, and leaves the app’s own queries to the SQL line', async () => {
    const { text, data } = await call(client, 'get_request', { request_id: requestId })
    const lines = text.split('\n')
    expect(lines).toContain('Downstream: inventory ran 3 queries (12.4 ms, N+1 x3: SELECT qty FROM stock WHERE sku = 1), billing 1 (2.00 ms); get_trace for them')
    expect(lines.find((l: string) => l.startsWith('SQL:'))).toMatch(/^SQL: 5 queries in /)
    expect(data.downstreamSql.map((d: { service: string; count: number }) => [d.service, d.count])).toEqual([
      ['inventory', 3],
      ['billing', 1],
    ])
    expect(data.downstreamSql[0].totalMs).toBeCloseTo(12.4, 6)
    expect(data.downstreamSql[0].repeated).toMatchObject({ sql: 'SELECT qty FROM stock WHERE sku = 1', count: 3 })
    expect(data.downstreamSql[1].repeated).toBeUndefined()
  })

  it('writes no Downstream line for a request whose trace holds only its own spans', async () => {
    const alone = await shop.get('/users')
    const { text, data } = await call(client, 'get_request', { request_id: alone })
    expect(text).not.toContain('Downstream:')
    expect(data.downstreamSql).toBeUndefined()
  })
})
