import { afterEach, describe, expect, it, vi } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { request } from '../support/local.js'

// The toolbar answers its own routes from its middleware. Mounted where requests to its
// prefix never reach it (an app made with `basePath('/app')`, or `app.use('/admin/*', ...)`),
// the page gets a loader whose script and API answer 404: the toolbar says so once, with the
// prefix that works, instead of failing without a word.

afterEach(() => {
  vi.restoreAllMocks()
})

function page(c: { html: (s: string) => Response }) {
  return c.html('<html><body>hi</body></html>')
}

function warnings() {
  return vi.spyOn(console, 'warn').mockImplementation(() => undefined)
}

describe('the toolbar mounted where its prefix does not reach it', () => {
  it('warns once, naming the prefix to pass, when the app has a basePath', async () => {
    const warn = warnings()
    const app = new Hono().basePath('/app')
    app.use(debugToolbar())
    app.get('/page', page)
    const first = await request(app, '/app/page')
    await request(app, '/app/page')
    const src = /src="([^"]+)"/.exec(first.text)![1]!
    expect((await request(app, src)).status).toBe(404)
    const messages = warn.mock.calls.map((call) => String(call[0])).filter((m) => m.includes('hono-debug-toolbar'))
    expect(messages).toHaveLength(1)
    expect(messages[0]).toContain('/app/*')
    expect(messages[0]).toContain(`debugToolbar({ prefix: '/app/_debug_toolbar' })`)
  })

  it('warns for a middleware scoped to some paths', async () => {
    const warn = warnings()
    const app = new Hono()
    app.use('/admin/*', debugToolbar())
    app.get('/admin/page', page)
    await request(app, '/admin/page')
    const messages = warn.mock.calls.map((call) => String(call[0])).filter((m) => m.includes('hono-debug-toolbar'))
    expect(messages).toHaveLength(1)
    expect(messages[0]).toContain(`debugToolbar({ prefix: '/admin/_debug_toolbar' })`)
  })

  it('works, without a warning, with the prefix under the base path', async () => {
    const warn = warnings()
    const app = new Hono().basePath('/app')
    app.use(debugToolbar({ prefix: '/app/_debug_toolbar' }))
    app.get('/page', page)
    const res = await request(app, '/app/page')
    const src = /src="([^"]+)"/.exec(res.text)![1]!
    expect(src.startsWith('/app/_debug_toolbar/static/toolbar?')).toBe(true)
    expect((await request(app, src)).status).toBe(200)
    expect((await request(app, '/app/_debug_toolbar/api/requests')).json().total).toBe(1)
    expect(warn.mock.calls.filter((call) => String(call[0]).includes('hono-debug-toolbar'))).toHaveLength(0)
  })

  it('does not warn for the usual app.use(debugToolbar())', async () => {
    const warn = warnings()
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/page', page)
    await request(app, '/page')
    expect(warn.mock.calls.filter((call) => String(call[0]).includes('hono-debug-toolbar'))).toHaveLength(0)
  })
})
