import { trace } from '@opentelemetry/api'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordLog, type RequestStats } from '../../src/index.js'
import type { ToolbarSpan } from '../../src/opentelemetry/index.js'
import { startZipkinShop } from '../support/zipkin-shop.js'
import { call, connect } from '../mcp/app.js'

const PREFIX = '/_debug_toolbar'

// What GitHub's OAuth server sends back to a sign-in callback: an authorization code, which
// the app trades for the user's tokens, beside a `state` that is no secret. Twenty hex
// digits: too short for its shape to give it away, as a long random token's does.
const CODE = 'e72e16c7e42f292c6912'
const CALLBACK = `/callback?code=${encodeURIComponent(CODE)}&state=xyz`
// The client certificate a TLS-terminating proxy passes on, as nginx, Envoy and others name it.
const PEM_BODY = 'MIIDdzCCAl+gAwIBAgIEbmVyZDANBgkqhkiG9w0BAQsFADBsMRAwDgYDVQQGEwdV'
const CERT = `-----BEGIN CERTIFICATE-----${PEM_BODY}-----END CERTIFICATE-----`
const CERT_HEADERS = {
  'x-client-cert': encodeURIComponent(CERT),
  'x-ssl-client-cert': CERT,
  'x-forwarded-client-cert': `By=spiffe://shop/api;Hash=468ed33be74eee6556d90c0149c1309e9ba61d6425303443c0748a02dd8de688;Cert="${encodeURIComponent(CERT)}"`,
  'ssl-client-cert': CERT,
}
// What must leave no trace anywhere the toolbar shows or sends.
const leaked = (text: string) => [CODE, encodeURIComponent(CODE), PEM_BODY, encodeURIComponent(PEM_BODY), '468ed33be74e'].filter((secret) => text.includes(secret))

describe("an OAuth callback's code and a client certificate", () => {
  let shop: Awaited<ReturnType<typeof startZipkinShop>>
  let requestId: string

  beforeAll(async () => {
    shop = await startZipkinShop('/token', (app, upstream) =>
      app.get('/callback', async (c) => {
        // Sent on to the token endpoint: the CLIENT span's `url.full` carries it too.
        await (await fetch(`${upstream}/token?code=${encodeURIComponent(c.req.query('code')!)}&state=xyz`)).text()
        // The app's own instrumentation, as the conventions name a request's query; and a
        // field `code` of an error, which is no secret.
        trace.getTracer('shop').startActiveSpan('oauth.exchange', (span) => {
          span.setAttributes({ 'url.query': `code=${c.req.query('code')}&state=xyz`, 'url.full': `https://shop.example${CALLBACK}`, code: 'E_STOCK' })
          span.end()
        })
        recordLog('warn', '{"error":{"code":"E_STOCK","status":409}}', { code: 'E_STOCK' })
        return c.text('signed in')
      }),
    )
    // The provider's page sent the browser here; a page the callback leads to names it in `Referer`.
    const res = await fetch(`${shop.base}${CALLBACK}`, { headers: { ...CERT_HEADERS, referer: `${shop.base}${CALLBACK}` } })
    expect(await res.text()).toBe('signed in')
    requestId = res.headers.get('x-debug-toolbar-request-id')!
  })

  afterAll(() => shop.close())

  it("are redacted in the Request panel's URL and query table, and in the History list; state stays", async () => {
    const detail = await (await fetch(`${shop.base}${PREFIX}/api/requests/${requestId}`)).json()
    const request = detail.panels.request as RequestStats
    expect(request.query).toEqual({ code: ['********'], state: ['xyz'] })
    expect(request.url).toBe(`${shop.base}/callback?code=********&state=xyz`)
    const list = await (await fetch(`${shop.base}${PREFIX}/api/requests`)).text()
    expect(leaked(list)).toEqual([])
    expect(leaked(JSON.stringify(detail))).toEqual([])
  })

  it('are redacted in the Headers panel: every name a proxy gives the certificate, and the code in a Referer', async () => {
    const detail = await (await fetch(`${shop.base}${PREFIX}/api/requests/${requestId}`)).json()
    const shown = Object.fromEntries(detail.panels.headers.request as Array<[string, string]>)
    expect(Object.keys(CERT_HEADERS).map((name) => [name, shown[name]])).toEqual(Object.keys(CERT_HEADERS).map((name) => [name, '********']))
    expect(shown.referer).toBe(`${shop.base}/callback?code=********&state=xyz`)
  })

  it('are redacted in the SERVER span that Zipkin receives and in the CLIENT span of the fetch that sends the code on', async () => {
    await shop.panel.forceFlush()
    const spans = await shop.zipkin.waitForSpans((all) => all.some((s) => s.kind === 'SERVER') && all.some((s) => s.kind === 'CLIENT'), 5000)
    const server = spans.find((s) => s.kind === 'SERVER')!
    expect(server.tags['url.query']).toBe('code=REDACTED&state=xyz')
    expect(server.tags['http.response.status_code']).toBe('200')
    const client = spans.find((s) => s.kind === 'CLIENT')!
    expect(client.tags['url.full']).toBe(`${shop.upstream}/token?code=REDACTED&state=xyz`)
  })

  it("are redacted in the trace API the waterfall reads, the app's own span too; an error's code stays", async () => {
    const detail = await (await fetch(`${shop.base}${PREFIX}/api/requests/${requestId}`)).json()
    const { spans } = (await (await fetch(`${shop.base}${PREFIX}/api/traces/${detail.traceId}`)).json()) as { spans: ToolbarSpan[] }
    expect(leaked(JSON.stringify(spans))).toEqual([])
    const own = spans.find((s) => s.name === 'oauth.exchange')!
    expect(own.attributes).toEqual({ 'url.query': 'code=REDACTED&state=xyz', 'url.full': 'https://shop.example/callback?code=REDACTED&state=xyz', code: 'E_STOCK' })
    expect(spans.find((s) => s.kind === 'SERVER')!.attributes['http.response.status_code']).toBe(200)
  })

  it('are redacted in what the MCP server sends about the request and its trace; an error code stays', async () => {
    let client: Client | undefined
    try {
      client = await connect(shop.base)
      const request = await call(client, 'get_request', { request_id: requestId })
      expect(leaked(request.text + JSON.stringify(request.data))).toEqual([])
      expect(request.data.request.query).toEqual({ code: ['********'], state: ['xyz'] })
      expect(request.text).toContain('"code":"E_STOCK"')
      const detail = await (await fetch(`${shop.base}${PREFIX}/api/requests/${requestId}`)).json()
      const traced = await call(client, 'get_trace', { trace_id: detail.traceId })
      expect(leaked(traced.text + JSON.stringify(traced.data))).toEqual([])
      expect(traced.text).toContain('code=REDACTED&state=xyz')
      // The app's own span in full, as an agent asks for it.
      const { spans } = (await (await fetch(`${shop.base}${PREFIX}/api/traces/${detail.traceId}`)).json()) as { spans: ToolbarSpan[] }
      const own = spans.find((s) => s.name === 'oauth.exchange')!
      const full = await call(client, 'get_span', { trace_id: detail.traceId, span_ids: [own.spanId] })
      expect(leaked(full.text + JSON.stringify(full.data))).toEqual([])
      expect(full.text).toContain('code=REDACTED&state=xyz')
      expect(full.text).toContain('code="E_STOCK"')
    } finally {
      await client?.close()
    }
  })
})
