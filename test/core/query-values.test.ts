import { createHash } from 'node:crypto'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RequestStats } from '../../src/index.js'
import type { ToolbarSpan } from '../../src/opentelemetry/index.js'
import { startZipkinShop } from '../support/zipkin-shop.js'
import { call, connect } from '../mcp/app.js'

const PREFIX = '/_debug_toolbar'

// Tokens an app puts in a query under a name that says nothing (a sign-in link's `next`, a
// webhook's `x`), in the shapes their issuers give them (built here so that no file holds a
// token a scanner would flag).
const alnum = (n: number) => 'A1b2C3d4E5f6G7h8I9j0'.repeat(5).slice(0, n)
const JWT = `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${alnum(43)}`
const GITHUB = `ghp_${alnum(36)}`
const STRIPE = `sk_live_${alnum(24)}`
const BEARER = `tk_${alnum(30)}`
const PASSWORD = 'pw-in-a-url'
// A signature as HMAC-SHA256 writes it, in hex and in base64, under names that say nothing.
const HEX_SIGNATURE = createHash('sha256').update('query-values').digest('hex')
const BASE64_KEY = createHash('sha256').update('query-values key').digest('base64url')
const UUID = '3f2a9c1e-4b7d-4e8a-9f00-1c2d3e4f5a6b'
// Long values that are no secret: a trace id, a name, an MD5 content hash.
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'
const NAME = 'getUserAccountSettingsForOrganization'
const SECRETS = [JWT, GITHUB, STRIPE, BEARER, PASSWORD, HEX_SIGNATURE, BASE64_KEY]

// As a browser writes them: `+` for a space, the rest percent-encoded.
const QUERY = [
  `next=${JWT}`,
  `x=${GITHUB}`,
  `u=${encodeURIComponent(`https://ada:${PASSWORD}@files.example.com/a`)}`,
  `k=${STRIPE}`,
  `h=Bearer+${BEARER}`,
  `s=${HEX_SIGNATURE}`,
  `t=${BASE64_KEY}`,
  `page=2`,
  `id=${UUID}`,
  `q=Bearer+tokens`,
  `trace=${TRACE_ID}`,
  `view=${NAME}`,
].join('&')

/** The query as the span's `url.query` and the Request panel show it: every value's secret gone, the rest as it was. */
const SHOWN = (placeholder: string) => ({
  next: [placeholder],
  x: [placeholder],
  u: [`https://${placeholder}@files.example.com/a`],
  k: [placeholder],
  h: [`Bearer ${placeholder}`],
  s: [placeholder],
  t: [placeholder],
  page: ['2'],
  id: [UUID],
  q: ['Bearer tokens'],
  trace: [TRACE_ID],
  view: [NAME],
})

const queries = (search: string) => {
  const out: Record<string, string[]> = {}
  for (const [name, value] of new URLSearchParams(search)) (out[name] ??= []).push(value)
  return out
}
const leaked = (text: string) => SECRETS.filter((secret) => text.includes(secret))

describe('a query value that is a secret under a name that is not', () => {
  let shop: Awaited<ReturnType<typeof startZipkinShop>>
  let requestId: string

  beforeAll(async () => {
    shop = await startZipkinShop('/hook', (app, upstream) =>
      app.get('/signed-in', async (c) => {
        // The same query sent on: the CLIENT span's `url.full` is redacted by the same rules.
        await (await fetch(`${upstream}/hook?${QUERY}`)).text()
        return c.text('ok')
      }),
    )
    const res = await fetch(`${shop.base}/signed-in?${QUERY}`)
    expect(await res.text()).toBe('ok')
    requestId = res.headers.get('x-debug-toolbar-request-id')!
  })

  afterAll(() => shop.close())

  it('is redacted in the SERVER span that Zipkin receives, and in the CLIENT span of a fetch that sends it on', async () => {
    await shop.panel.forceFlush()
    const spans = await shop.zipkin.waitForSpans((all) => all.some((s) => s.kind === 'SERVER') && all.some((s) => s.kind === 'CLIENT'), 5000)
    expect(leaked(JSON.stringify(spans))).toEqual([])
    const server = spans.find((s) => s.kind === 'SERVER')!
    expect(queries(server.tags['url.query']!)).toEqual(SHOWN('REDACTED'))
    const client = spans.find((s) => s.kind === 'CLIENT')!
    const full = new URL(client.tags['url.full']!)
    expect(full.pathname).toBe('/hook')
    expect(queries(full.search)).toEqual(SHOWN('REDACTED'))
  })

  it('is redacted in the trace API', async () => {
    const detail = await (await fetch(`${shop.base}${PREFIX}/api/requests/${requestId}`)).json()
    const { spans } = (await (await fetch(`${shop.base}${PREFIX}/api/traces/${detail.traceId}`)).json()) as { spans: ToolbarSpan[] }
    expect(leaked(JSON.stringify(spans))).toEqual([])
    const server = spans.find((s) => s.kind === 'SERVER')!
    expect(queries(server.attributes['url.query'] as string)).toEqual(SHOWN('REDACTED'))
  })

  it("is redacted in the Request panel's URL and query table; the other values stay as written", async () => {
    const detail = await (await fetch(`${shop.base}${PREFIX}/api/requests/${requestId}`)).json()
    const request = detail.panels.request as RequestStats
    expect(leaked(JSON.stringify(detail))).toEqual([])
    expect(request.query).toEqual(SHOWN('********'))
    const url = new URL(request.url)
    expect(url.pathname).toBe('/signed-in')
    expect(queries(url.search)).toEqual(SHOWN('********'))
    // Only the values that held a secret are written again: the others keep their spelling.
    expect(request.url).toContain(`&page=2&id=${UUID}&q=Bearer+tokens&trace=${TRACE_ID}&view=${NAME}`)
  })

  it('is redacted in what the MCP server sends about the request', async () => {
    let client: Client | undefined
    try {
      client = await connect(shop.base)
      const { text, data } = await call(client, 'get_request', { request_id: requestId })
      expect(leaked(text + JSON.stringify(data))).toEqual([])
      const { s, t, trace, view } = data.request.query
      expect({ s, t, trace, view }).toEqual({ s: ['********'], t: ['********'], trace: [TRACE_ID], view: [NAME] })
    } finally {
      await client?.close()
    }
  })
})
