/** @jsxImportSource preact */
import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { renderToString } from 'preact-render-to-string'
import { debugToolbar, LoggingPanel, ProfilingPanel, recordLog, renderTemplate, TemplatesPanel, uninstallConsoleCapture } from '../../src/index.js'
import { panelViews } from '../../templates/client/panels/index.js'
import type { RequestDetail } from '../../templates/client/types.js'
import { request } from '../support/local.js'

async function detailOf(app: Hono, path: string): Promise<RequestDetail> {
  const res = await request(app, path)
  const id = res.headers.get('x-debug-toolbar-request-id')
  return (await request(app, `/_debug_toolbar/api/requests/${id}`)).json()
}

function view(panelId: string, detail: RequestDetail): string {
  const { component: View } = panelViews[panelId]!
  return renderToString(<View stats={detail.panels[panelId]} request={detail} prefix="/_debug_toolbar" openRequest={() => {}} />)
}

describe('the data panels in the browser', () => {
  it('show logs, renders and the profile of a real request, with user data escaped', async () => {
    const app = new Hono()
    app.use(debugToolbar({ panels: [new LoggingPanel(), new TemplatesPanel(), new ProfilingPanel()] }))
    app.get('/', (c) => {
      recordLog('error', '<img src=x onerror=alert(1)>', { user: '<b>ann</b>' })
      recordLog('info', 'wide', Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`k${i}`, i])))
      const page = renderTemplate('<layout>', () => renderTemplate('partial', () => '<p>hi</p>'))
      let x = 0
      for (let i = 0; i < 2e6; i++) x += Math.sqrt(i)
      return c.html(`${page}${x}`)
    })
    const detail = await detailOf(app, '/?_dt_profile=1')
    uninstallConsoleCapture()

    const logging = view('logging', detail)
    expect(logging).toContain('&lt;img src=x onerror=alert(1)>')
    expect(logging).not.toContain('<img')
    expect(logging).toContain('&lt;b>ann&lt;/b>')
    expect(logging).toContain('hdt-badge-error')
    expect(logging).toContain('2 more attributes not kept')

    const templates = view('templates', detail)
    expect(templates).toContain('&lt;layout>')
    expect(templates).toMatch(/padding-left: ?16px/)

    const profiling = view('profiling', detail)
    expect(profiling).toContain(`href="/_debug_toolbar/api/profiles/${detail.id}.cpuprofile"`)
    expect(profiling).toContain('hdt-flame-frame')
    expect(profiling).toContain('one request is profiled at a time')
    expect(profiling).toContain('Profile my requests')
  })

  it('mark the log lines written after the response, by work the request left running', async () => {
    const app = new Hono()
    app.use(debugToolbar({ panels: [new LoggingPanel()] }))
    let answered!: () => void
    const gate = new Promise<void>((resolve) => (answered = resolve))
    let later!: Promise<void>
    app.get('/', (c) => {
      recordLog('info', 'order saved')
      later = gate.then(() => recordLog('error', 'receipt email failed'))
      return c.text('ok')
    })
    const res = await request(app, '/')
    answered()
    await later
    const detail: RequestDetail = (await request(app, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    uninstallConsoleCapture()
    const rows = view('logging', detail).split('<tr>').slice(2)
    expect(rows).toHaveLength(2)
    expect(rows[0]).toContain('order saved')
    expect(rows[0]).not.toContain('after the response')
    expect(rows[1]).toContain('receipt email failed')
    expect(rows[1]).toContain('after the response')
  })
})
