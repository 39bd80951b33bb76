/** @jsxImportSource preact */
import { Hono } from 'hono'
import { renderToString } from 'preact-render-to-string'
import { describe, expect, it } from 'vitest'
import { debugToolbar } from '../../src/index.js'
import type { HistoryStats } from '../../src/panels/history.js'
import { HistoryRows, HistoryView, historyCount, type HistoryPage } from '../../templates/client/panels/history.js'
import type { RequestDetail } from '../../templates/client/types.js'
import { request } from '../support/local.js'

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()

/** An app whose history holds 20 requests, and the first request's detail as the toolbar loaded it. */
async function historyApp() {
  const app = new Hono()
  app.use(debugToolbar({ maxRequests: 20 }))
  app.get('/', (c) => c.text('ok'))
  const id = (await request(app, '/')).headers.get('x-debug-toolbar-request-id')
  const detail: RequestDetail = (await request(app, `/_debug_toolbar/api/requests/${id}`)).json()
  const list = async (query = ''): Promise<HistoryPage> => (await request(app, `/_debug_toolbar/api/requests?limit=50${query}`)).json()
  return { app, detail, list }
}

describe('the History panel', () => {
  it('counts the requests dropped since the panel was opened, not those dropped when the shown request was recorded', async () => {
    const { app, detail, list } = await historyApp()
    const snapshot = detail.panels.history as HistoryStats
    expect(snapshot.dropped).toBe(0)
    // The panel stays open while 30 more requests come: the list reloads, the snapshot does not.
    for (let i = 0; i < 30; i++) await request(app, '/')
    expect(historyCount(await list(), undefined, snapshot.dropped)).toBe('20 of 20 shown · 11 older requests dropped from the history')
  })

  it('says "1 older request" for one', () => {
    expect(historyCount({ requests: [], total: 0, dropped: 1 }, undefined, 0)).toBe('0 of 0 shown · 1 older request dropped from the history')
  })

  it('offers a status filter of codes and classes, which the API accepts', async () => {
    const { detail, list } = await historyApp()
    const html = renderToString(<HistoryView stats={detail.panels.history as HistoryStats} request={detail} prefix="/_debug_toolbar" openRequest={() => {}} />)
    expect(html).toContain('placeholder="404, 5xx"')
    expect((await list('&status=404')).total).toBe(0)
    expect((await list('&status=2xx')).total).toBe(1)
    expect((await list('&status=404,%202xx')).total).toBe(1)
  })

  it('shows the error of a refused filter without the rows of the previous one', async () => {
    const { detail, list } = await historyApp()
    const page = await list()
    const error = 'status must be status codes such as 404 or classes such as 5xx, separated by commas or spaces, got "20"'
    const html = renderToString(<HistoryRows page={page} error={error} request={detail} openRequest={() => {}} />)
    expect(text(html)).toBe(error.replaceAll('"', '&quot;'))
    expect(html).not.toContain('data-hdt-history')
    expect(historyCount(page, error, 0)).toBe('')
    // Once the filter is fixed, the rows are back.
    expect(renderToString(<HistoryRows page={page} error={undefined} request={detail} openRequest={() => {}} />)).toContain(`data-hdt-history="${detail.id}"`)
  })
})
