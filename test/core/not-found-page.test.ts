import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import type { Toolbar } from '../../src/core/toolbar.js'
import { loopbackServers } from '../support/loopback-service.js'
import { get, getAt, PAGE_LOAD, textOf } from '../support/page-load.js'

// The debug 404 page, as a browser and other clients get it over a real socket: a page load
// of a path no route matches, answered with Hono's default "404 Not Found", gets a page that
// says so and lists the app's routes; everything else gets what the app answered.

const start = loopbackServers()

function shop(options: Parameters<typeof debugToolbar>[0] = {}) {
  const app = new Hono()
  const toolbar = debugToolbar({ app, ...options })
  app.use(toolbar)
  app.get('/', (c) => c.html('<html><body>home</body></html>'))
  app.get('/users/:id', function showUser(c) {
    return c.text(`user ${c.req.param('id')}`)
  })
  app.post('/tom&jerry/<cat>', (c) => c.text('chase'))
  return { app, toolbar: (toolbar as unknown as { toolbar: Toolbar }).toolbar }
}

describe('the debug 404 page', () => {
  it("gives a page of another site whose name was re-pointed at 127.0.0.1 Hono's plain 404, without the app's routes", async () => {
    // DNS rebinding: a page at evil.example, in the developer's own browser (a loopback
    // client), asks for a path no route matches and reads the answer.
    const base = await start(shop().app)
    const rebound = await getAt(base, '/orders/42', 'evil.example:3000')
    expect(rebound).toMatchObject({ status: 404, type: 'text/plain; charset=UTF-8', text: '404 Not Found' })
    expect(textOf((await getAt(base, '/orders/42', '127.0.0.1')).text)).toContain('GET /users/:id showUser')
  })

  it("gives a fetch() of a page of another site at 127.0.0.1 (an app whose CORS allows every origin lets it read) Hono's plain 404; the app's own pages get the page", async () => {
    const base = await start(shop().app)
    const foreign = await get(base, '/orders/42', { ...PAGE_LOAD, origin: 'http://evil.example' })
    expect(foreign).toMatchObject({ status: 404, type: 'text/plain; charset=UTF-8', text: '404 Not Found' })
    for (const origin of ['null', 'http://10.1.2.3:3000']) expect((await get(base, '/orders/42', { ...PAGE_LOAD, origin })).text).toBe('404 Not Found')
    for (const origin of [base, 'http://localhost:5173']) expect(textOf((await get(base, '/orders/42', { ...PAGE_LOAD, origin })).text)).toContain('GET /users/:id showUser')
  })

  it("answers a page load of a path no route matches with the app's routes and the toolbar, status 404", async () => {
    const { app, toolbar } = shop()
    const base = await start(app)
    const page = await get(base, '/orders/42?tab=<b>')
    expect(page.status).toBe(404)
    expect(page.type).toBe('text/html; charset=UTF-8')
    const text = textOf(page.text)
    expect(text).toContain('No route matched GET /orders/42')
    // The app's routes, as the Routes panel lists them, escaped.
    expect(text).toContain('GET / ')
    expect(text).toContain('GET /users/:id showUser')
    expect(text).toContain('POST /tom&jerry/<cat>')
    expect(page.text).toContain('/tom&amp;jerry/&lt;cat')
    expect(page.text).not.toContain('<cat>')
    expect(page.text).not.toContain('<b>')
    // The toolbar, on this request.
    const id = page.headers.get('x-debug-toolbar-request-id')!
    expect(page.text).toMatch(new RegExp(`data-hdt-request-id="${id}"[^>]*></script></body></html>$`))
    expect(Number(page.headers.get('content-length'))).toBe(Buffer.byteLength(page.text))
    const detail = await toolbar.detail(id)
    expect(detail).toMatchObject({ status: 404, path: '/orders/42', route: undefined })
  })

  it('leaves the plain 404 to clients that do not load a page', async () => {
    const base = await start(shop().app)
    for (const headers of [{}, { accept: '*/*' }, { accept: 'application/json' }]) {
      const answer = await get(base, '/orders/42', headers)
      expect(answer, JSON.stringify(headers)).toMatchObject({ status: 404, type: 'text/plain; charset=UTF-8', text: '404 Not Found' })
    }
  })

  it("leaves the app's own 404s alone: its notFound handler, and a route that answers c.notFound()", async () => {
    const own = new Hono()
    own.use(debugToolbar({ app: own }))
    own.notFound((c) => c.text('nothing here', 404))
    const base = await start(own)
    expect(await get(base, '/missing')).toMatchObject({ status: 404, text: 'nothing here' })
    const { app } = shop()
    app.get('/gone', (c) => c.notFound())
    expect(await get(await start(app), '/gone')).toMatchObject({ status: 404, type: 'text/plain; charset=UTF-8', text: '404 Not Found' })
  })

  it('is off with notFoundPage: false', async () => {
    const base = await start(shop({ notFoundPage: false }).app)
    expect(await get(base, '/missing')).toMatchObject({ status: 404, type: 'text/plain; charset=UTF-8', text: '404 Not Found' })
  })

  it('lists a bounded number of routes, and says how to get them when the app was not passed', async () => {
    const app = new Hono()
    app.use(debugToolbar({ app }))
    for (let i = 0; i < 250; i++) app.get(`/page-${i}`, (c) => c.text(String(i)))
    const text = textOf((await get(await start(app), '/missing')).text)
    expect(text).toContain('GET /page-199 ')
    expect(text).not.toContain('GET /page-200 ')
    expect(text).toContain('50 more routes')

    const anonymous = new Hono()
    anonymous.use(debugToolbar())
    anonymous.get('/', (c) => c.text('home'))
    const without = textOf((await get(await start(anonymous), '/missing')).text)
    expect(without).toContain('No route matched GET /missing')
    expect(without).toContain('debugToolbar({ app })')
  })
})
