import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { otlpJsonFromToolbarSpans, type ToolbarSpan } from '../../src/opentelemetry/index.js'
import { MAX_DATA_CHARS, MAX_TEXT_CHARS } from '../../src/mcp/result.js'
import { call, connect, startShop } from './app.js'

const hex = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, '0')
const TRACE = hex(0xfeed, 16)
const SPANS = 600
const HEAVY_TRACE = hex(0xb01c, 16)

/** A trace of `SPANS` differently named steps of 300 workers under one root, as their SDKs export it. */
function bigTrace() {
  const base = BigInt(Date.now()) * 1_000_000n
  const span = (n: number): ToolbarSpan => ({
    traceId: TRACE,
    spanId: hex(n + 1, 8),
    ...(n > 0 ? { parentSpanId: hex(1, 8) } : {}),
    name: n === 0 ? 'batch' : `step ${n} of the nightly import, reconciling ledger account ${n}`,
    kind: 'INTERNAL',
    startTimeUnixNano: String(base + BigInt(n) * 10_000n),
    endTimeUnixNano: String(base + BigInt(n) * 10_000n + 5_000n + (n === 0 ? BigInt(SPANS) * 10_000n : 0n)),
    attributes: {},
    events: [],
    links: [],
    status: { code: 'UNSET' },
    // Many services: the header that names them all is long too.
    resource: { 'service.name': `ledger-worker-${n % 300}` },
    scope: { name: 'worker' },
    source: 'otlp_http',
  })
  return otlpJsonFromToolbarSpans(Array.from({ length: SPANS }, (_, n) => span(n)))
}

/**
 * A service's spans that each carry 60 long attributes and 40 events (request and response
 * bodies, payload dumps): 20 of them hold about 8 MB of text.
 */
function heavySpans(from: number, count: number) {
  const base = BigInt(Date.now()) * 1_000_000n
  const long = (n: number) => `${n} ${'payload '.repeat(900)}`
  const spans = Array.from({ length: count }, (_, k): ToolbarSpan => {
    const n = from + k
    return {
      traceId: HEAVY_TRACE,
      spanId: hex(n + 1, 8),
      name: `upload ${n}`,
      kind: 'INTERNAL',
      startTimeUnixNano: String(base + BigInt(n) * 1_000n),
      endTimeUnixNano: String(base + BigInt(n) * 1_000n + 500n),
      attributes: Object.fromEntries(Array.from({ length: 60 }, (_, a) => [`payload.part.${a}`, long(a)])),
      events: Array.from({ length: 40 }, (_, e) => ({ name: `chunk ${e}`, timeUnixNano: String(base), attributes: { dump: long(e) } })),
      links: [],
      status: { code: 'UNSET' },
      resource: { 'service.name': 'uploader' },
      scope: { name: 'uploader' },
      source: 'otlp_http',
    }
  })
  return otlpJsonFromToolbarSpans(spans)
}

/** Answers larger than the text cap, read as an agent reads them: the text, page by page. */
describe('MCP answers that do not fit in one text', () => {
  let shop: Awaited<ReturnType<typeof startShop>>
  let client: Client

  beforeAll(async () => {
    shop = await startShop()
    const res = await fetch(`${shop.base}/_debug_toolbar/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bigTrace()) })
    expect(res.status).toBe(200)
    // Sent as a service would, a few spans per export (each under the receiver's body limit).
    for (let from = 0; from < 20; from += 4) {
      const heavy = await fetch(`${shop.base}/_debug_toolbar/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(heavySpans(from, 4)) })
      expect(heavy.status).toBe(200)
    }
    client = await connect(shop.base)
  })

  afterAll(async () => {
    await client?.close()
    await shop?.close()
  })

  it('cuts a long page at a whole line and gives the cursor of the next, so that following the cursors in the text shows every span', async () => {
    const seen = new Set<string>()
    let cursor: string | undefined
    for (let pages = 0; pages < 20; pages++) {
      const page = await call(client, 'get_trace', { trace_id: TRACE, max_spans: 1000, ...(cursor ? { cursor } : {}) })
      expect(page.isError).toBe(false)
      expect(page.text.length).toBeLessThanOrEqual(MAX_TEXT_CHARS)
      expect(page.text).not.toMatch(/text truncated/)
      for (const [, id] of page.text.matchAll(/#([0-9a-f]{16})$/gm)) seen.add(id!)
      // The text and structuredContent show the same lines.
      expect(page.data.lines.map((l: { spanIds: string[] }) => l.spanIds[0])).toEqual([...page.text.matchAll(/#([0-9a-f]{16})$/gm)].map((m) => m[1]))
      cursor = /more with cursor "([^"]+)"/.exec(page.text)?.[1]
      expect(cursor).toBe(page.data.nextCursor)
      if (!cursor) break
    }
    expect(seen.size).toBe(SPANS)
  })

  it('keeps get_span and the trace resource to a bounded size, and says which spans to ask for again', async () => {
    const ids = Array.from({ length: 20 }, (_, n) => hex(n + 1, 8))
    const answer = await call(client, 'get_span', { trace_id: HEAVY_TRACE, span_ids: ids })
    expect(answer.isError).toBe(false)
    expect(JSON.stringify(answer.raw).length).toBeLessThan(MAX_DATA_CHARS + MAX_TEXT_CHARS + 10_000)
    const shown: string[] = answer.data.spans.map((s: { spanId: string }) => s.spanId)
    expect(shown.length).toBeGreaterThan(0)
    expect(answer.data.notShown).toEqual(ids.filter((id) => !shown.includes(id)))
    expect(answer.text).toContain(`not shown to keep the answer short: ${answer.data.notShown[0]}`)
    // The spans left out come with the next call.
    const rest = await call(client, 'get_span', { trace_id: HEAVY_TRACE, span_ids: answer.data.notShown.slice(0, 20) })
    expect(rest.data.spans[0].spanId).toBe(answer.data.notShown[0])

    const resource = await client.readResource({ uri: `toolbar://traces/${HEAVY_TRACE}` })
    const text = (resource.contents[0] as { text: string }).text
    expect(text.length).toBeLessThan(2 * MAX_DATA_CHARS) // pretty-printed: indents and line ends
    expect(JSON.parse(text)).toMatchObject({ total: 20, truncated: true })
  })
})

/** A trace that hit the OpenTelemetry panel's span cap: the agent is told what it is not shown. */
describe('a trace with spans dropped over maxSpansPerTrace, over MCP', () => {
  it('says how many spans were dropped, as the trace API does', async () => {
    const shop = await startShop({}, { maxSpansPerTrace: 3 })
    const client = await connect(shop.base)
    try {
      const id = await shop.get('/users')
      const tree = await call(client, 'get_trace', { request_id: id })
      const api = (await (await fetch(`${shop.base}/_debug_toolbar/api/traces/${tree.data.traceId}`)).json()) as { spans: unknown[]; droppedSpans: number }
      expect(api.droppedSpans).toBeGreaterThan(0)
      expect(tree.data.spanCount).toBe(api.spans.length)
      expect(tree.data.droppedSpans).toBe(api.droppedSpans)
      expect(tree.text).toContain(`${api.droppedSpans} more spans were dropped (over maxSpansPerTrace)`)
      const brief = await call(client, 'get_request', { request_id: id })
      expect(brief.data.trace.droppedSpans).toBe(api.droppedSpans)
    } finally {
      await client.close()
      await shop.close()
    }
  })
})
