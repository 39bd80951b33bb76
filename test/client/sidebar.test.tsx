/** @jsxImportSource preact */
import { Hono } from 'hono'
import { renderToString } from 'preact-render-to-string'
import { describe, expect, it } from 'vitest'
import { debugToolbar } from '../../src/index.js'
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
})
