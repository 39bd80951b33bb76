/** @jsxImportSource preact */
import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { renderToString } from 'preact-render-to-string'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel, type ToolbarSpan } from '../../src/opentelemetry/index.js'
import { RECEIVED_SPAN_LIMITS } from '../../src/opentelemetry/span-limits.js'
import { buildSpanTree } from '../../templates/client/panels/span-tree.js'
import { SpanDetail } from '../../templates/client/panels/span-detail.js'
import { clientEnv } from '../support/local.js'

const MAX = RECEIVED_SPAN_LIMITS.attributeValueLengthLimit
const traceId = 'ab'.repeat(16)
const spanId = (n: number) => n.toString(16).padStart(16, '0')
const big = 'v'.repeat(900_000)
const str = (value: string) => ({ stringValue: value })
const attrs = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => ({ key: `${prefix}${i}`, value: { intValue: String(i) } }))

function makeApp() {
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none' })] }))
  const send = (path: string, body: unknown) =>
    app.request(`/_debug_toolbar${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }, clientEnv())
  const trace = async (id: string): Promise<ToolbarSpan[]> => (await (await app.request(`/_debug_toolbar/api/traces/${id}`, undefined, clientEnv())).json()).spans
  const download = async (id: string) => (await app.request(`/_debug_toolbar/api/traces/${id}/otlp`, undefined, clientEnv())).json()
  return { send, trace, download }
}

/** One span that is over every limit: values of 900,000 characters, 300 attributes, 200 events and 150 links. */
function oversizedExport() {
  const start = Date.now() * 1e6
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: str('worker') }, { key: 'host.description', value: str(big) }] },
      scopeSpans: [{
        scope: { name: 'test' },
        spans: [{
          traceId,
          spanId: spanId(1),
          name: 'job',
          kind: 1,
          startTimeUnixNano: String(start),
          endTimeUnixNano: String(start + 5e6),
          attributes: [{ key: 'payload', value: str(big) }, { key: 'tags', value: { arrayValue: { values: [str(big), str('short')] } } }, ...attrs(298, 'a')],
          droppedAttributesCount: 2,
          events: Array.from({ length: 200 }, (_, i) => ({ name: `event-${i}`, timeUnixNano: String(start + i), attributes: i === 199 ? attrs(130, 'e') : [] })),
          links: Array.from({ length: 150 }, (_, i) => ({ traceId: 'cd'.repeat(16), spanId: spanId(i + 1), attributes: i === 149 ? attrs(129, 'l') : [] })),
          status: { code: 2, message: big },
        }],
      }],
    }],
  }
}

describe('received span limits', () => {
  it("keeps a received span within the SDK's limits, counts what it left out, and the span detail says so", async () => {
    const { send, trace } = makeApp()
    const res = await send('/otlp/v1/traces', oversizedExport())
    expect(res.status).toBe(200)
    const [span] = await trace(traceId)
    const cut = `${'v'.repeat(MAX)}… (${big.length - MAX} more characters)`
    expect(span!.attributes.payload).toBe(cut)
    expect(span!.attributes.tags).toEqual([cut, 'short'])
    expect(Object.keys(span!.attributes)).toHaveLength(RECEIVED_SPAN_LIMITS.attributeCountLimit)
    // The sender's 2, and the 172 past the first 128.
    expect(span!.droppedAttributesCount).toBe(2 + 300 - 128)
    // The SDK keeps the last events and links: the oldest go when the limit is reached.
    expect(span!.events).toHaveLength(128)
    expect(span!.events[0]!.name).toBe('event-72')
    expect(span!.droppedEventsCount).toBe(72)
    expect(Object.keys(span!.events[127]!.attributes)).toHaveLength(128)
    expect(span!.events[127]!.droppedAttributesCount).toBe(2)
    expect(span!.links).toHaveLength(128)
    expect(span!.links[0]!.spanId).toBe(spanId(23))
    expect(span!.droppedLinksCount).toBe(22)
    expect(span!.links[127]!.droppedAttributesCount).toBe(1)
    expect(span!.status.message).toBe(cut)
    expect(span!.resource['host.description']).toBe(cut)

    const html = renderToString(
      <SpanDetail node={buildSpanTree([span!]).byId.get(span!.spanId)!} tree={buildSpanTree([span!])} jaegerUrl={undefined} onClose={() => {}} onSelect={() => {}} />,
    )
    const text = html.replace(/<[^>]+>/g, '').replace(/&#39;/g, "'")
    expect(text).toContain("Attributes (128, 174 more dropped by the sender or over the toolbar's limit of 128)")
    expect(text).toContain("Events (128, 72 more dropped by the sender or over the toolbar's limit of 128)")
    expect(text).toContain("Links (128, 22 more dropped by the sender or over the toolbar's limit of 128)")
    expect(text).toContain("(2 more attributes dropped by the sender or over the toolbar's limit of 128)")
    expect(text).toContain("(1 more attribute dropped by the sender or over the toolbar's limit of 128)")
  })

  it('applies the same limits to Zipkin spans, and keeps a trace it wrote to a file as it was when the file is imported', async () => {
    const { send, trace, download } = makeApp()
    const zipkinTrace = 'ef'.repeat(16)
    const tags = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`t${i}`, i === 0 ? big : 'x']))
    const zipkin = await send('/zipkin/api/v2/spans', [{ traceId: zipkinTrace, id: spanId(7), name: 'get', timestamp: Date.now() * 1000, duration: 10, localEndpoint: { serviceName: 'stock' }, tags }])
    expect(zipkin.status).toBeLessThan(300)
    const [span] = await trace(zipkinTrace)
    expect(Object.keys(span!.attributes)).toHaveLength(128)
    expect(span!.droppedAttributesCount).toBe(200 - 128)
    expect(span!.attributes.t0).toBe(`${'v'.repeat(MAX)}… (${big.length - MAX} more characters)`)

    // Downloaded as OTLP/JSON and imported into another toolbar: the cut values stay as they were.
    const file = await download(zipkinTrace)
    const other = makeApp()
    expect((await other.send('/api/traces/import', file)).status).toBe(200)
    const [imported] = await other.trace(zipkinTrace)
    expect(imported!.attributes).toEqual(span!.attributes)
    expect(imported!.droppedAttributesCount).toBe(200 - 128)
  })
})

describe('WebSocket messages past maxMessageSpans', () => {
  it("are said in the connection span's detail, not only as its attribute", () => {
    const start = Date.now() * 1e6
    const span: ToolbarSpan = {
      traceId,
      spanId: spanId(1),
      parentSpanId: undefined,
      name: 'WS /chat',
      kind: 'SERVER',
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(start + 5e6),
      attributes: { 'websocket.messages.received': 1_203, 'websocket.messages.sent': 40, 'websocket.messages.untraced': 203 },
      events: [],
      links: [],
      status: { code: 'UNSET' },
      resource: { 'service.name': 'chat' },
      scope: { name: 'hono-debug-toolbar' },
      source: 'local',
    }
    const tree = buildSpanTree([span])
    const html = renderToString(<SpanDetail node={tree.byId.get(span.spanId)!} tree={tree} jaegerUrl={undefined} onClose={() => {}} onSelect={() => {}} />)
    const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')
    expect(text).toContain('Messages 1203 received, 40 sent; 203 of the received have no span of their own (over maxMessageSpans)')
  })
})
