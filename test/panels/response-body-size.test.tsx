/** @jsxImportSource preact */
import { Hono } from 'hono'
import { renderToString } from 'preact-render-to-string'
import { describe, expect, it } from 'vitest'
import { debugToolbar, type RequestStats, type TimerStats } from '../../src/index.js'
import { RequestView } from '../../templates/client/panels/request.js'
import { TimerView } from '../../templates/client/panels/timer.js'
import { formatBytes } from '../../templates/client/format.js'
import { loopbackServers } from '../support/loopback-service.js'

const serveApp = loopbackServers()
const PAGE = `<!doctype html><html><head><title>Orders</title></head><body><h1>Orders</h1>${'<p>an order</p>'.repeat(70)}</body></html>`

function shopApp(): Hono {
  const app = new Hono()
  app.use(debugToolbar())
  app.get('/orders', (c) => c.html(PAGE))
  app.get('/api/orders', (c) => c.json({ orders: [1, 2, 3] }))
  app.get('/stream', (c) => c.body(new Blob([PAGE]).stream(), 200, { 'content-type': 'text/html; charset=utf-8' }))
  return app
}

/** Fetches `path` over a real socket as a browser would; answers what it got and the Time and Request panels. */
async function visit(base: string, path: string) {
  const res = await fetch(`${base}${path}`)
  const body = await res.arrayBuffer()
  const detail = await (await fetch(`${base}/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
  return { contentLength: res.headers.get('content-length'), received: body.byteLength, timer: detail.panels.timer as TimerStats, request: detail.panels.request as RequestStats }
}

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#x27;|&#39;|&apos;/g, "'").replace(/\s+/g, ' ')

describe('the response body size in the Time and Request panels', () => {
  it("says a page's size is the app's and how many bytes the toolbar's tag added: what makes Content-Length larger", async () => {
    const base = await serveApp(shopApp())
    const { contentLength, received, timer, request } = await visit(base, '/orders')
    const added = Number(contentLength) - Buffer.byteLength(PAGE)
    expect(added).toBeGreaterThan(0)
    expect(received).toBe(Number(contentLength))
    const said = `Response body ${formatBytes(Buffer.byteLength(PAGE))} (as the app sent it; the toolbar's tag added ${added} bytes)`
    expect(text(renderToString(<TimerView stats={timer} />))).toContain(said)
    expect(text(renderToString(<RequestView stats={request} />))).toContain(`${said} · text/html; charset=UTF-8`)
  })

  it('says nothing was added to a JSON answer, and explains in a title where it cannot tell (a page tagged as it streamed)', async () => {
    const base = await serveApp(shopApp())
    const json = await visit(base, '/api/orders')
    expect(json.timer.loaderTagBytes).toBeUndefined()
    expect(text(renderToString(<TimerView stats={json.timer} />))).toContain(`Response body ${json.received} B Started at`)

    const streamed = await visit(base, '/stream')
    expect(streamed.contentLength).toBeNull()
    const shown = renderToString(<RequestView stats={streamed.request} />)
    expect(text(shown)).not.toContain('tag added')
    const title = /class="hdt-response-bytes" title="([^"]*)"/.exec(shown)?.[1]
    expect(title && text(title)).toBe("The body as the app sent it. On an HTML page the toolbar adds its loader tag, which the response's Content-Length and the browser's network tab count too.")
  })
})
