import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { otlpJsonFromToolbarSpans, type ToolbarSpan } from '../../src/opentelemetry/index.js'
import { call, connect, startShop } from './app.js'

const hex = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, '0')
const traceId = hex(0xcafe, 16)

/** A chat service's trace: a gateway span with WebSocket connection spans under it, some with messages past maxMessageSpans. */
function chatTrace(untraced: number[]) {
  const base = BigInt(Date.now()) * 1_000_000n
  const at = (ms: number) => String(base + BigInt(Math.round(ms * 1e6)))
  const span = (spanId: string, parentSpanId: string | undefined, name: string, startMs: number, attributes: ToolbarSpan['attributes']): ToolbarSpan => ({
    traceId,
    spanId,
    parentSpanId,
    name,
    kind: 'SERVER',
    startTimeUnixNano: at(startMs),
    endTimeUnixNano: at(startMs + 50),
    attributes,
    events: [],
    links: [],
    status: { code: 'UNSET' },
    resource: { 'service.name': 'chat' },
    scope: { name: 'chat' },
    source: 'otlp_http',
  })
  return otlpJsonFromToolbarSpans([
    span(hex(1, 8), undefined, 'gateway', 0, {}),
    ...untraced.map((count, i) => span(hex(i + 2, 8), hex(1, 8), 'WS /chat', i + 1, { 'websocket.messages.received': count + 10, 'websocket.messages.untraced': count })),
  ])
}

describe('get_trace and WebSocket messages past maxMessageSpans', () => {
  let shop: Awaited<ReturnType<typeof startShop>>
  let client: Client

  beforeAll(async () => {
    shop = await startShop()
    client = await connect(shop.base)
    const res = await fetch(`${shop.base}/_debug_toolbar/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chatTrace([200, 3, 0])) })
    expect(res.status).toBe(200)
  })
  afterAll(async () => {
    await client?.close()
    await shop?.close()
  })

  it('says on a folded line of connections how many of their messages have no span of their own, in all', async () => {
    const { text, data } = await call(client, 'get_trace', { trace_id: traceId })
    expect(text).toMatch(/^ +\+\S+ ms WS \/chat x3, .*, 203 more messages not traced \(over maxMessageSpans\) #/m)
    expect(data.lines.find((l: { name: string }) => l.name === 'WS /chat')).toMatchObject({ count: 3, untracedMessages: 203 })
  })

  it('writes the kind of a folded line\'s spans, as the header\'s columns say and a single span\'s line does', async () => {
    const { text } = await call(client, 'get_trace', { trace_id: traceId })
    expect(text).toMatch(/Columns: .*kind and status \(unless UNSET\)/)
    expect(text).toMatch(/^ +\+\S+ ms WS \/chat x3, .* \[chat\] SERVER CRITICAL, 203 more/m)
  })
})
