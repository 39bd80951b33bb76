/** @jsxImportSource preact */
import { Hono } from 'hono'
import { renderToString } from 'preact-render-to-string'
import { describe, expect, it } from 'vitest'
import { debugToolbar } from '../../src/index.js'
import { toolbarTotal } from '../../templates/client/follow-requests.js'
import { Sidebar } from '../../templates/client/sidebar.js'
import type { RequestDetail } from '../../templates/client/types.js'
import { request } from '../support/local.js'

async function recordedRequest(): Promise<RequestDetail> {
  const app = new Hono()
  app.use(debugToolbar())
  app.get('/api/users', (c) => c.json([]))
  const id = (await request(app, '/api/users')).headers.get('x-debug-toolbar-request-id')
  return (await request(app, `/_debug_toolbar/api/requests/${id}`)).json()
}

async function recordedResponse(): Promise<Response> {
  const app = new Hono()
  app.use(debugToolbar())
  app.get('/api/users', (c) => c.json([]))
  return request(app, '/api/users')
}

const sidebar = (detail: RequestDetail, pageRequestId: string, followed: Parameters<typeof Sidebar>[0]['followed'] = []) =>
  renderToString(
    <Sidebar
      detail={detail}
      error={undefined}
      requestId={detail.id}
      pageRequestId={pageRequestId}
      followed={followed}
      panelId={undefined}
      onPanel={() => {}}
      onRequest={() => {}}
      onHide={undefined}
    />,
  )

describe('the sidebar', () => {
  it('has no "Requests made by this page" section in the full-page view, which is no page', async () => {
    const detail = await recordedRequest()
    expect(sidebar(detail, '')).not.toContain('Requests made by this page')
  })

  it('lists the requests a page made, and the page itself', async () => {
    const detail = await recordedRequest()
    const html = sidebar(detail, 'page-1', [{ id: detail.id, method: 'GET', path: '/api/users', status: 200 }])
    expect(html).toContain('Requests made by this page')
    expect(html).toContain('This page')
  })

  it("tells two calls to one URL apart by the toolbar's time for each, read from their Server-Timing", async () => {
    const detail = await recordedRequest()
    const res = await recordedResponse()
    const total = toolbarTotal(res.headers.get('server-timing'))
    expect(total).toBeGreaterThan(0)
    const html = sidebar(detail, 'page-1', [
      { id: 'a', method: 'GET', path: '/api/users', status: 200, durationMs: 12.3 },
      { id: 'b', method: 'GET', path: '/api/users', status: 200, durationMs: 0.4 },
    ])
    expect(html).toContain('<span class="hdt-page-request-time">12.3 ms</span>')
    expect(html).toContain('<span class="hdt-page-request-time">400 µs</span>')
  })

  it('reads only the toolbar\'s own total from a Server-Timing header', () => {
    expect(toolbarTotal('total;dur=99, hdt-total;dur=4.12;desc="hono-debug-toolbar", traceparent;desc="00-…"')).toBe(4.12)
    expect(toolbarTotal('hdt-total;desc="x";dur=7')).toBe(7)
    expect(toolbarTotal('total;dur=99')).toBeUndefined()
    expect(toolbarTotal('hdt-total;dur=abc')).toBeUndefined()
    expect(toolbarTotal(null)).toBeUndefined()
  })
})
