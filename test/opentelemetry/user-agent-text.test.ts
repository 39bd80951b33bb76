import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HeadersStats } from '../../src/index.js'
import type { ToolbarSpan } from '../../src/opentelemetry/index.js'
import { rawRequest } from '../support/raw-request.js'
import { startZipkinShop } from '../support/zipkin-shop.js'

const PREFIX = '/_debug_toolbar'
// A client that names itself in UTF-8, as curl sends `-A 'Mozilla/5.0 (café; 日本)'`.
const AGENT = 'Mozilla/5.0 (café; 日本)'

describe('a User-Agent sent as UTF-8 bytes', () => {
  let shop: Awaited<ReturnType<typeof startZipkinShop>>
  let port: number

  beforeAll(async () => {
    shop = await startZipkinShop('/unused', (app) => app.get('/', (c) => c.text('ok')))
    port = Number(new URL(shop.base).port)
  })
  afterAll(() => shop.close())

  /** The request's id, sent with `agent` as the User-Agent header's bytes. */
  async function send(agent: Buffer): Promise<string> {
    const head = Buffer.concat([Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: `), agent, Buffer.from('\r\n')])
    const id = /x-debug-toolbar-request-id: (\S+)/i.exec(await rawRequest(port, head))?.[1]
    expect(id).toBeDefined()
    return id!
  }

  it('reads as written in the SERVER span Zipkin receives, in the trace API and in the Headers panel', async () => {
    const id = await send(Buffer.from(AGENT, 'utf8'))
    const detail = await (await fetch(`${shop.base}${PREFIX}/api/requests/${id}`)).json()
    expect(Object.fromEntries((detail.panels.headers as HeadersStats).request)['user-agent']).toBe(AGENT)
    const { spans } = (await (await fetch(`${shop.base}${PREFIX}/api/traces/${detail.traceId}`)).json()) as { spans: ToolbarSpan[] }
    expect(spans.find((s) => s.kind === 'SERVER')!.attributes['user_agent.original']).toBe(AGENT)
    await shop.panel.forceFlush()
    const exported = await shop.zipkin.waitForSpans((all) => all.some((s) => s.traceId === detail.traceId && s.kind === 'SERVER'), 5000)
    expect(exported.find((s) => s.traceId === detail.traceId && s.kind === 'SERVER')!.tags['user_agent.original']).toBe(AGENT)
  })

  it('keeps an agent whose bytes are not UTF-8 (Latin-1) as it arrived, and an ASCII one as it is', async () => {
    for (const [bytes, shown] of [
      [Buffer.from([...Buffer.from('Caf'), 0xe9, ...Buffer.from(' client/1.0')]), 'Café client/1.0'],
      [Buffer.from('curl/8.5.0'), 'curl/8.5.0'],
    ] as const) {
      const detail = await (await fetch(`${shop.base}${PREFIX}/api/requests/${await send(bytes)}`)).json()
      const { spans } = (await (await fetch(`${shop.base}${PREFIX}/api/traces/${detail.traceId}`)).json()) as { spans: ToolbarSpan[] }
      expect([shown, spans.find((s) => s.kind === 'SERVER')!.attributes['user_agent.original']]).toEqual([shown, shown])
    }
  })
})
