/** @jsxImportSource preact */
import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { createDebugToolbar, debugToolbar, Panel, RequestPanel, serverViews, type RequestRecord } from '../../src/index.js'
import { request } from '../support/local.js'

class NotesPanel extends Panel<{ note: string }> {
  readonly id = 'notes'
  readonly title = 'Notes'
  generateStats(record: RequestRecord) {
    return { note: `<b>${record.path}</b>` }
  }
}

class BadgePanel extends NotesPanel {
  override readonly id = 'badge'
  render(stats: { note: string }) {
    return <p class="badge">{stats.note}</p>
  }
}

async function panelHtml(app: Hono, panelId: string) {
  const id = (await request(app, '/page')).headers.get('x-debug-toolbar-request-id')
  return request(app, `/_debug_toolbar/api/requests/${id}/panels/${panelId}/html`)
}

describe('server-rendered panel content', () => {
  it('shows a custom panel without render() as an escaped table, and uses render() when a panel has one', async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new NotesPanel(), new BadgePanel()] }))
    app.get('/page', (c) => c.text('ok'))

    const table = await panelHtml(app, 'notes')
    expect(table.status).toBe(200)
    expect(table.text).toContain('<th scope="row">note</th>')
    expect(table.text).toContain('&lt;b>/page&lt;/b>')
    expect(table.text).not.toContain('<b>')
    expect((await panelHtml(app, 'badge')).text).toBe('<p class="badge">&lt;b>/page&lt;/b></p>')
    expect((await panelHtml(app, 'nope')).status).toBe(404)
  })

  it('takes its panel list and views from whoever builds it', async () => {
    const app = new Hono()
    app.use(createDebugToolbar({}, { panels: () => [new RequestPanel()], views: serverViews }))
    app.get('/page', (c) => c.text('ok'))
    await request(app, '/page')
    expect((await request(app, '/_debug_toolbar/api/panels')).json()).toEqual({ panels: [{ id: 'request', title: 'Request' }] })
    const page = (await request(app, '/_debug_toolbar/')).text
    expect(page).toMatch(/^<!doctype html><html lang="en">.*data-hdt-mode="page"/)
    // An icon of its own: a browser would otherwise ask the app for /favicon.ico, a 404 the
    // toolbar records, which then became the "latest" request the page shows.
    expect(page).toContain('<link rel="icon" href="/_debug_toolbar/static/icon.svg"/>')
    const icon = await request(app, '/_debug_toolbar/static/icon.svg')
    expect(icon.headers.get('content-type')).toBe('image/svg+xml')
    expect(icon.text).toMatch(/^<svg /)
  })
})
