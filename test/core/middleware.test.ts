import { afterEach, describe, expect, it, vi } from 'vitest'
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import { etag } from 'hono/etag'
import { jsx } from 'hono/jsx'
import { jsxRenderer } from 'hono/jsx-renderer'
import { NONCE, secureHeaders } from 'hono/secure-headers'
import { debugToolbar, MemoryStore, Panel, type RequestRecord } from '../../src/index.js'
import { clientEnv, request } from '../support/local.js'
import { startLoopbackService } from '../support/loopback-service.js'

const page = (title: string) => `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>`

function demoApp(options: Parameters<typeof debugToolbar>[0] = {}) {
  const app = new Hono()
  app.use(debugToolbar({ app, ...options }))
  app.get('/', (c) => c.html(page('Home')))
  app.get('/users/:id', (c) => c.html(page(`User ${c.req.param('id')}`)))
  app.get('/api/items', (c) => c.json({ items: [1, 2, 3] }))
  app.get('/boom', () => {
    throw new Error('kaboom')
  })
  return app
}

afterEach(() => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
})

describe('debugToolbar middleware', () => {
  it('injects the loader once before </body> and fixes the content-length', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/', () => new Response(page('Sized'), { headers: { 'content-type': 'text/html; charset=utf-8', 'content-length': '80' } }))
    const { text, headers } = await request(app, '/')
    const id = headers.get('x-debug-toolbar-request-id')
    expect(id).toMatch(/^[0-9a-f]{16}$/)
    expect(text.match(/<script src="\/_debug_toolbar\/static\/toolbar\?/g)).toHaveLength(1)
    expect(text).toMatch(new RegExp(`data-hdt-request-id="${id}"[^>]*></script></body></html>$`))
    expect(headers.get('content-length')).toBeNull()
  })

  it('puts the loader before the last </body> when the page has several', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/', (c) => c.html('<body><pre>&lt;/body&gt; in text</body> then </BODY></html>'))
    const { text } = await request(app, '/')
    expect(text.indexOf('<script')).toBeGreaterThan(text.indexOf('then'))
    expect(text).toMatch(/<\/script><\/BODY><\/html>$/)
  })

  it('leaves non-HTML and compressed bodies untouched but still records them', async () => {
    const app = demoApp()
    app.get('/gz', () => new Response(new Uint8Array([31, 139, 8, 0]), { headers: { 'content-type': 'text/html', 'content-encoding': 'gzip' } }))
    const json = await request(app, '/api/items')
    expect(json.json()).toEqual({ items: [1, 2, 3] })
    expect(json.headers.get('x-debug-toolbar-request-id')).toBeTruthy()
    const gz = await request(app, '/gz')
    expect(new Uint8Array(await (await app.request('/gz', {}, { incoming: { socket: { remoteAddress: '::1' } } })).arrayBuffer())).toEqual(new Uint8Array([31, 139, 8, 0]))
    expect(gz.text).not.toContain('<script')
  })

  it('gives each of two toolbars on one app its tag, through a wrapper of the app in between, and times renders once in the inner one', async () => {
    const app = new Hono()
    app.use(debugToolbar({ prefix: '/_outer' }))
    // The app's own wrapper calls the method it replaced without its context.
    app.use(async (c, next) => {
      const { html } = c
      c.html = ((content: string) => html(content.replace('<h1>', '<h1 class="app">'))) as typeof c.html
      await next()
    })
    app.use(debugToolbar({ prefix: '/_inner' }))
    app.get('/', (c) => c.html(page('Nested')))
    app.get('/render', (c) => c.render(page('Rendered')))
    const { text } = await request(app, '/')
    expect(text).toContain('<h1 class="app">Nested</h1>')
    expect(text.match(/data-hdt-prefix="\/_(\w+)"/g)).toEqual(['data-hdt-prefix="/_inner"', 'data-hdt-prefix="/_outer"'])
    expect((await request(app, '/render')).text).toContain('<h1 class="app">Rendered</h1>')
    // Renders are recorded into the request's innermost record: the toolbar nearest the handler.
    const latest = async (prefix: string) => {
      const [summary] = (await request(app, `${prefix}/api/requests`)).json().requests
      return (await request(app, `${prefix}/api/requests/${summary.id}`)).json()
    }
    expect((await latest('/_outer')).status).toBe(200)
    expect((await latest('/_inner')).panels.templates.renders.map((r: { name: string }) => r.name)).toEqual(['c.render /render'])
  })

  it('puts the CSP nonce of hono/secure-headers, or the nonce option, on the injected tag', async () => {
    const app = new Hono()
    app.use(secureHeaders({ contentSecurityPolicy: { scriptSrc: [NONCE] } }))
    app.use(debugToolbar())
    app.get('/', (c) => c.html(page('CSP')))
    const { text, headers } = await request(app, '/')
    const nonce = /'nonce-([^']+)'/.exec(headers.get('content-security-policy') ?? '')?.[1]
    expect(nonce).toBeTruthy()
    expect(text).toContain(`nonce="${nonce}" async></script></body>`)

    const own = new Hono()
    own.use(debugToolbar({ nonce: () => 'a"b' }))
    own.get('/', (c) => c.html(page('CSP')))
    expect((await request(own, '/')).text).toContain('nonce="a&quot;b"')
    // The full-page view is the toolbar's own page, under the app's policy all the same.
    const full = await request(app, '/_debug_toolbar/')
    expect(full.text).toContain(`nonce="${/'nonce-([^']+)'/.exec(full.headers.get('content-security-policy') ?? '')?.[1]}"`)
    expect((await request(own, '/_debug_toolbar/')).text).toContain('data-hdt-mode="page" nonce="a&quot;b"')
  })

  it('puts the nonce of hono/secure-headers used after the toolbar (or in a sub-app) on the tag', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.use(secureHeaders({ contentSecurityPolicy: { scriptSrc: [NONCE] } }))
    app.get('/', (c) => c.html(page('After')))
    app.get('/stream', (c) => c.body(new Blob([page('Body')]).stream(), 200, { 'content-type': 'text/html' }))
    const admin = new Hono()
    admin.use(secureHeaders({ contentSecurityPolicy: { scriptSrc: [NONCE] } }))
    admin.get('/', (c) => c.html(page('Admin')))
    const outer = new Hono()
    outer.use(debugToolbar())
    outer.route('/admin', admin)
    for (const [on, path] of [[app, '/'], [app, '/stream'], [outer, '/admin']] as const) {
      const { text, headers } = await request(on, path)
      const nonce = /'nonce-([^']+)'/.exec(headers.get('content-security-policy') ?? '')?.[1]
      expect(nonce, path).toBeTruthy()
      expect(text, path).toContain(`nonce="${nonce}" async></script></body>`)
    }
  })

  it('leaves hono/etag its 304s for pages rendered with c.render and for other bodies', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.use(etag())
    app.use('/page', jsxRenderer(({ children }) => jsx('html', {}, jsx('body', {}, children))))
    app.get('/page', (c) => c.render(jsx('h1', {}, 'Cached')))
    app.get('/data', (c) => c.text('cached'))
    for (const path of ['/page', '/data']) {
      const first = await request(app, path)
      const tag = first.headers.get('etag')!
      const again = await request(app, path, { headers: { 'if-none-match': tag } })
      expect(again.status, path).toBe(304)
      expect(again.text, path).toBe('')
      const id = again.headers.get('x-debug-toolbar-request-id')
      expect((await request(app, `/_debug_toolbar/api/requests/${id}`)).json().status, path).toBe(304)
    }
  })

  it('adds Server-Timing with the total time', async () => {
    const { headers } = await request(demoApp(), '/')
    expect(headers.get('server-timing')).toMatch(/(^|, )hdt-total;dur=\d+(\.\d+)?;desc="hono-debug-toolbar"/)
  })

  it('serves the JSON API for recorded requests', async () => {
    const app = demoApp()
    const first = await request(app, '/users/42?tab=posts')
    const id = first.headers.get('x-debug-toolbar-request-id')!
    const detail = (await request(app, `/_debug_toolbar/api/requests/${id}`)).json()
    expect(detail).toMatchObject({ id, method: 'GET', path: '/users/42', route: '/users/:id', status: 200 })
    expect(detail.durationMs).toBeGreaterThan(0)
    expect(detail.panels.request.params).toEqual({ id: '42' })
    expect(detail.panels.request.query).toEqual({ tab: ['posts'] })
    expect(detail.nav.map((n: { id: string }) => n.id)).toEqual(['history', 'versions', 'timer', 'request', 'headers', 'routes', 'sql', 'templates', 'logging', 'profiling'])
    const routes = detail.panels.routes.routes.filter((r: { matched: boolean; isMiddleware: boolean }) => r.matched && !r.isMiddleware)
    expect(routes.map((r: { path: string }) => r.path)).toEqual(['/users/:id'])

    const list = (await request(app, '/_debug_toolbar/api/requests')).json()
    expect(list.total).toBe(1)
    expect(list.requests[0]).toEqual({
      id,
      method: 'GET',
      path: '/users/42',
      route: '/users/:id',
      status: 200,
      startedAt: detail.startedAt,
      durationMs: detail.durationMs,
      traceId: undefined,
    })
    expect((await request(app, '/_debug_toolbar/healthz')).json()).toEqual({ status: 'ok' })
    expect(detail.panels.timer.streamed).toBe(false)
    for (const path of ['/_debug_toolbar', '/_debug_toolbar/']) {
      const view = await request(app, path)
      expect(view.status, path).toBe(200)
      expect(view.text).toContain(`data-hdt-request-id="${id}"`)
    }
  })

  it('records no route for a path no route of the app matched, and the app route otherwise', async () => {
    const app = demoApp()
    app.use('/users/*', async (_c, next) => next())
    const missing = await request(app, '/no/such/page')
    expect(missing.status).toBe(404)
    const missingId = missing.headers.get('x-debug-toolbar-request-id')!
    const found = await request(app, '/users/7')
    const detail = (await request(app, `/_debug_toolbar/api/requests/${missingId}`)).json()
    expect(detail).toMatchObject({ path: '/no/such/page', status: 404 })
    expect(detail.route).toBeUndefined()
    expect(detail.panels.request.route).toBeUndefined()
    expect(detail.nav.find((n: { id: string }) => n.id === 'request').subtitle).toBe('404 /no/such/page')
    const list = (await request(app, '/_debug_toolbar/api/requests')).json()
    expect(list.requests.map((r: { path: string; route?: string }) => [r.path, r.route])).toEqual([
      ['/users/7', '/users/:id'],
      ['/no/such/page', undefined],
    ])
    expect(found.status).toBe(200)
  })

  it('answers bad API input with a 4xx and a message', async () => {
    const app = demoApp()
    for (const query of ['limit=201', 'limit=0', 'limit=ten', 'offset=-1', 'status=600']) {
      const res = await request(app, `/_debug_toolbar/api/requests?${query}`)
      expect(res.status, query).toBe(400)
      expect(res.json().error).toMatch(/limit|offset|status/)
    }
    const list = await request(app, '/_debug_toolbar/api/requests?status=404,4x,5xx')
    expect(list.status).toBe(400)
    expect(list.json().error).toBe('status must be status codes such as 404 or classes such as 5xx, separated by commas or spaces, got "4x"')
    const missing = await request(app, '/_debug_toolbar/api/requests/nope')
    expect(missing.status).toBe(404)
    expect(missing.json().error).toContain('nope')
    expect((await request(app, '/_debug_toolbar/api/requests?limit=200')).status).toBe(200)
  })

  it('filters and pages the history, newest first', async () => {
    const app = demoApp()
    await request(app, '/')
    await request(app, '/api/items')
    await request(app, '/boom')
    await request(app, '/users/1', { method: 'POST' })
    const get = (q: string) => request(app, `/_debug_toolbar/api/requests?${q}`).then((r) => r.json())
    expect((await get('')).requests.map((r: { path: string }) => r.path)).toEqual(['/users/1', '/boom', '/api/items', '/'])
    expect((await get('status=5xx')).requests.map((r: { path: string }) => r.path)).toEqual(['/boom'])
    expect((await get('status=404')).requests.map((r: { method: string }) => r.method)).toEqual(['POST'])
    // A list of codes and classes, as the History panel's Status field takes it: any of them.
    expect((await get('status=404,%205xx')).requests.map((r: { path: string }) => r.path)).toEqual(['/users/1', '/boom'])
    expect((await get('status=2xx+5xx')).requests.map((r: { path: string }) => r.path)).toEqual(['/boom', '/api/items', '/'])
    expect((await get('method=get&path=api')).requests.map((r: { path: string }) => r.path)).toEqual(['/api/items'])
    const page2 = await get('limit=2&offset=2')
    expect(page2.total).toBe(4)
    expect(page2.requests.map((r: { path: string }) => r.path)).toEqual(['/api/items', '/'])
  })

  it('redacts secret-named query parameters in the Request panel, in its query table and its URL', async () => {
    const app = demoApp()
    const res = await request(app, '/users/7?tab=posts&password=p1&api_key=AK&my_token=TT&X-Amz-Signature=SIG&tab=likes&q=a+b%20c')
    const detail = (await request(app, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    const shown = JSON.stringify(detail.panels.request)
    for (const secret of ['p1', 'AK', 'TT', 'SIG']) expect(shown).not.toContain(secret)
    expect(detail.panels.request.query).toEqual({
      tab: ['posts', 'likes'],
      password: ['********'],
      api_key: ['********'],
      my_token: ['********'],
      'X-Amz-Signature': ['********'],
      q: ['a b c'],
    })
    // The rest of the URL keeps its exact spelling and order.
    expect(detail.panels.request.url).toBe('http://localhost/users/7?tab=posts&password=********&api_key=********&my_token=********&X-Amz-Signature=********&tab=likes&q=a+b%20c')
  })

  it('records a thrown error with its status', async () => {
    const app = demoApp()
    const res = await request(app, '/boom')
    expect(res.status).toBe(500)
    const detail = (await request(app, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    expect(detail.status).toBe(500)
    expect(detail.panels.request.error).toBe('Error: kaboom')
  })

  it('records a thrown value that is not an Error, even one String() cannot convert', async () => {
    const app = demoApp()
    const thrown = Object.create(null)
    app.get('/odd', () => {
      throw thrown
    })
    // Hono hands anything but an Error back to the server: the app's value, unchanged.
    await expect(app.request('/odd', undefined, clientEnv())).rejects.toBe(thrown)
    const [odd] = (await request(app, '/_debug_toolbar/api/requests')).json().requests
    const detail = (await request(app, `/_debug_toolbar/api/requests/${odd.id}`)).json()
    expect(detail.status).toBe(500)
    expect(detail.failures).toBeUndefined()
    expect(detail.panels.request.error).toBe('[object Object]')
  })

  it('never keeps more than maxRequests', async () => {
    const store = new MemoryStore(3)
    const app = demoApp({ store })
    for (let i = 0; i < 7; i++) await request(app, `/users/${i}`)
    const list = (await request(app, '/_debug_toolbar/api/requests')).json()
    expect(list.total).toBe(3)
    expect(list.requests.map((r: { path: string }) => r.path)).toEqual(['/users/6', '/users/5', '/users/4'])
    expect(store.dropped).toBe(4)
    expect(store.size).toBe(3)
  })

  it('skips excluded paths and honours showToolbar', async () => {
    const app = demoApp({ excludePaths: ['/api', /^\/users\/9/], showToolbar: (c) => c.req.header('x-hide') !== '1' })
    expect((await request(app, '/api/items')).headers.get('x-debug-toolbar-request-id')).toBeNull()
    expect((await request(app, '/users/99')).headers.get('x-debug-toolbar-request-id')).toBeNull()
    expect((await request(app, '/users/1')).headers.get('x-debug-toolbar-request-id')).toBeTruthy()
    const hidden = await request(app, '/', { headers: { 'x-hide': '1' } })
    expect(hidden.headers.get('x-debug-toolbar-request-id')).toBeNull()
    expect(hidden.text).not.toContain('<script')
    expect((await request(app, '/_debug_toolbar/healthz', { headers: { 'x-hide': '1' } })).status).toBe(404)
  })

  it('skips a path excluded by a global or sticky RegExp on every request, not every other one', async () => {
    const app = demoApp({ excludePaths: [/^\/users\/9/g, /\/api/y] })
    for (let i = 0; i < 3; i++) {
      expect((await request(app, '/users/99')).headers.get('x-debug-toolbar-request-id'), `request ${i + 1}`).toBeNull()
      expect((await request(app, '/api/items')).headers.get('x-debug-toolbar-request-id'), `request ${i + 1}`).toBeNull()
    }
    expect((await request(app, '/users/1')).headers.get('x-debug-toolbar-request-id')).toBeTruthy()
  })

  it('waits for a showToolbar that answers with a promise', async () => {
    const app = demoApp({ showToolbar: async (c) => c.req.header('x-hide') !== '1' })
    const shown = await request(app, '/')
    expect(shown.headers.get('x-debug-toolbar-request-id')).toBeTruthy()
    expect(shown.text).toContain('<script')
    const hidden = await request(app, '/', { headers: { 'x-hide': '1' } })
    expect(hidden.headers.get('x-debug-toolbar-request-id')).toBeNull()
    expect(hidden.text).not.toContain('<script')
    expect((await request(app, '/_debug_toolbar/healthz', { headers: { 'x-hide': '1' } })).status).toBe(404)
    expect((await request(app, '/_debug_toolbar/healthz')).status).toBe(200)
  })

  it('uses a custom prefix', async () => {
    const app = demoApp({ prefix: '/__dt/' })
    const { text } = await request(app, '/')
    expect(text).toContain('src="/__dt/static/toolbar?')
    expect((await request(app, '/__dt/healthz')).status).toBe(200)
    expect(() => debugToolbar({ prefix: 'no-slash' })).toThrow(/prefix/)
  })

  it('refuses options of the wrong kind when it is created, naming the option', async () => {
    const wrong: Array<[Record<string, unknown>, RegExp]> = [
      // A string is truthy: `enabled: process.env.DEBUG_TOOLBAR` would turn the toolbar on with "false".
      [{ enabled: 'false' }, /enabled must be true or false, got "false"/],
      [{ trustProxy: 'no' }, /trustProxy must be true or false, got "no"/],
      [{ showToolbar: true }, /showToolbar must be a function/],
      [{ nonce: 'abc' }, /nonce must be a function/],
      [{ clientAddress: '127.0.0.1' }, /clientAddress must be a function/],
      [{ upgradeWebSocket: {} }, /upgradeWebSocket must be a function/],
      // A string would be read character by character: "/" would exclude every path.
      [{ excludePaths: '/health' }, /excludePaths must be an array/],
      [{ excludePaths: ['health'] }, /excludePaths: "health" is not a path \(it starts with "\/"\) or a RegExp/],
      [{ excludePaths: [1] }, /excludePaths: 1 is not a path/],
      [{ allowedHostnames: 'devbox' }, /allowedHostnames must be an array/],
      [{ allowedHostnames: ['http://devbox:3000'] }, /allowedHostnames: "http:\/\/devbox:3000" is not a host name/],
      [{ allowedHostnames: [''] }, /allowedHostnames: "" is not a host name/],
      [{ panels: {} }, /panels must be an array of panels/],
      [{ extraPanels: [{}] }, /extraPanels must be an array of panels/],
      // A string would be read character by character: "127.0.0.1" gave `allowedHosts: "1" is not an address or CIDR`.
      [{ allowedHosts: '127.0.0.1' }, /allowedHosts must be an array, got "127.0.0.1"/],
      [{ prefix: 5 }, /prefix must be a path such as "\/_debug_toolbar", got 5/],
      [{ maxRequests: '50' }, /maxRequests must be a whole number of at least 1, got "50"/],
      // Taken before, these were used quietly (liveEvents, store) or failed each request with a 500 (app).
      [{ liveEvents: 'x' }, /liveEvents must be an object \{ replaySize, replayWindowMs, clientQueueSize, heartbeatMs \}, got "x"/],
      [{ store: {} }, /store must be a ToolbarStore \(with save, get and list\), got \{\}/],
      [{ app: 'x' }, /app must be your Hono app, got "x"/],
    ]
    for (const [options, message] of wrong) expect(() => debugToolbar(options as never), JSON.stringify(options)).toThrow(message)
    // Taken before, these answered each request with a 500 (showToolbar, nonce, excludePaths: [1]) or
    // recorded nothing ('/health' as a string); the right kinds still work as before.
    const app = new Hono()
    app.use(debugToolbar({ allowedHostnames: ['devbox', '.dev.internal'], excludePaths: ['/health', /^\/static\//] }))
    app.get('/health', (c) => c.html(page('Health')))
    app.get('/', (c) => c.html(page('Home')))
    expect((await request(app, '/health')).text).not.toContain('<script')
    expect((await request(app, '/')).text).toContain('<script')
  })

  it('rejects two panels with the same id', () => {
    class A extends Panel {
      readonly id = 'same'
      readonly title = 'A'
      generateStats() {
        return {}
      }
    }
    expect(() => debugToolbar({ panels: [new A(), new A()] })).toThrow(/two panels have the id "same"/)
  })

  it('lets an extra panel replace the default panel with its id, in place', async () => {
    class MyHeaders extends Panel<{ mine: true }> {
      readonly id = 'headers'
      readonly title = 'My headers'
      generateStats() {
        return { mine: true as const }
      }
    }
    const app = demoApp({ extraPanels: [new MyHeaders()] })
    const res = await request(app, '/')
    const detail = (await request(app, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    expect(detail.nav.map((n: { title: string }) => n.title).filter((t: string) => /headers/i.test(t))).toEqual(['My headers'])
    expect(detail.nav.findIndex((n: { id: string }) => n.id === 'headers')).toBe(4)
    expect(detail.panels.headers).toEqual({ mine: true })
  })

  it('keeps a failing panel from breaking the request', async () => {
    class Broken extends Panel {
      readonly id = 'broken'
      readonly title = 'Broken'
      generateStats(_record: RequestRecord): never {
        throw new Error('no stats today')
      }
    }
    const app = demoApp({ extraPanels: [new Broken()] })
    const res = await request(app, '/')
    expect(res.status).toBe(200)
    const detail = (await request(app, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    // The failure is reported beside the stats, not as stats of an `{ error }` shape.
    expect(detail.panels.broken).toBeUndefined()
    expect(detail.failures).toEqual({ broken: 'this panel failed: no stats today' })
    expect(detail.nav.find((n: { id: string }) => n.id === 'broken').subtitle).toBe('failed')
  })
})

describe('access', () => {
  it('is a no-op in production: no injection, no headers, toolbar routes 404', async () => {
    vi.stubEnv('NODE_ENV', 'production')
    const app = demoApp()
    const home = await request(app, '/')
    expect(home.text).toBe(page('Home'))
    expect(home.headers.get('x-debug-toolbar-request-id')).toBeNull()
    expect(home.headers.get('server-timing')).toBeNull()
    for (const path of ['/_debug_toolbar/healthz', '/_debug_toolbar/api/requests', '/_debug_toolbar/static/toolbar.js']) {
      expect((await request(app, path)).status, path).toBe(404)
    }
  })

  it('warns when forced on in production', () => {
    vi.stubEnv('NODE_ENV', 'production')
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    debugToolbar({ enabled: true })
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('NODE_ENV=production'))
  })

  it('hides everything from clients outside allowedHosts', async () => {
    const app = demoApp()
    const outside = await request(app, '/', {}, '203.0.113.9')
    expect(outside.text).toBe(page('Home'))
    expect(outside.headers.get('x-debug-toolbar-request-id')).toBeNull()
    expect((await request(app, '/_debug_toolbar/api/requests', {}, '203.0.113.9')).status).toBe(404)
    // Loopback in its IPv6 and IPv4-mapped forms is allowed.
    expect((await request(app, '/_debug_toolbar/healthz', {}, '::1')).status).toBe(200)
    expect((await request(app, '/_debug_toolbar/healthz', {}, '::ffff:127.0.0.1')).status).toBe(200)
  })

  it('accepts addresses and CIDRs, and ignores X-Forwarded-For unless trusted', async () => {
    const app = demoApp({ allowedHosts: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'] })
    expect((await request(app, '/_debug_toolbar/healthz', {}, '10.20.30.40')).status).toBe(200)
    expect((await request(app, '/_debug_toolbar/healthz', {}, '2001:db8::1')).status).toBe(200)
    expect((await request(app, '/_debug_toolbar/healthz', {}, '192.0.2.7')).status).toBe(200)
    expect((await request(app, '/_debug_toolbar/healthz', {}, '192.0.2.8')).status).toBe(404)
    expect((await request(app, '/_debug_toolbar/healthz', {}, '127.0.0.1')).status).toBe(404)
    const spoofed = { headers: { 'x-forwarded-for': '10.0.0.1' } }
    expect((await request(app, '/_debug_toolbar/healthz', spoofed, '198.51.100.1')).status).toBe(404)
    const proxied = demoApp({ allowedHosts: ['10.0.0.0/8'], trustProxy: true })
    expect((await request(proxied, '/_debug_toolbar/healthz', spoofed, '198.51.100.1')).status).toBe(200)
    // Behind the proxy, a client's own X-Forwarded-For comes first; the proxy adds the address it saw last.
    const forged = { headers: { 'x-forwarded-for': '10.0.0.1, 203.0.113.9' } }
    expect((await request(proxied, '/_debug_toolbar/healthz', forged, '198.51.100.1')).status).toBe(404)
    const through = { headers: { 'x-forwarded-for': '203.0.113.9, 10.0.0.1' } }
    expect((await request(proxied, '/_debug_toolbar/healthz', through, '198.51.100.1')).status).toBe(200)
    expect(() => debugToolbar({ allowedHosts: ['10.0.0.0/33'] })).toThrow(/prefix length/)
    expect(() => debugToolbar({ allowedHosts: ['localhost'] })).toThrow(/not an address/)
  })

  it('reads the standard Forwarded header as it reads X-Forwarded-For, when a proxy sends only that', async () => {
    const app = demoApp()
    const from = (forwarded: string) => ({ headers: { forwarded } })
    // Caddy, Envoy or a tunnel on this machine: the socket is 127.0.0.1, the visitor is named in Forwarded (RFC 7239).
    for (const header of ['for=203.0.113.9', 'for=127.0.0.1, for="203.0.113.9:4711";proto=https', 'For = 203.0.113.9', 'for="[2001:db8::17]:4711"', 'for=unknown', 'for=_hidden', 'proto=http;for=198.51.100.4;host=app.example']) {
      expect([header, (await request(app, '/_debug_toolbar/healthz', from(header), '127.0.0.1')).status]).toEqual([header, 404])
      expect([header, (await request(app, '/', from(header), '127.0.0.1')).headers.get('x-debug-toolbar-request-id')]).toEqual([header, null])
    }
    for (const header of ['for=127.0.0.1', 'for="[::1]:4711"', 'for=203.0.113.9, for=127.0.0.1', 'proto=https;host=localhost']) {
      expect([header, (await request(app, '/_debug_toolbar/healthz', from(header), '127.0.0.1')).status]).toEqual([header, 200])
    }
    // X-Forwarded-For, when both come, is the one read.
    const both = { headers: { forwarded: 'for=127.0.0.1', 'x-forwarded-for': '203.0.113.9' } }
    expect((await request(app, '/_debug_toolbar/healthz', both, '127.0.0.1')).status).toBe(404)
    // With trustProxy, the last for= is the client: the one the proxy you run added.
    const proxied = demoApp({ allowedHosts: ['10.0.0.0/8'], trustProxy: true })
    expect((await request(proxied, '/_debug_toolbar/healthz', from('for=10.0.0.1'), '198.51.100.1')).status).toBe(200)
    expect((await request(proxied, '/_debug_toolbar/healthz', from('for=203.0.113.9, for="10.0.0.1:80"'), '198.51.100.1')).status).toBe(200)
    expect((await request(proxied, '/_debug_toolbar/healthz', from('for=10.0.0.1, for=203.0.113.9'), '198.51.100.1')).status).toBe(404)
  })

  it('takes a request a proxy on this machine forwarded for another address as that address\'s, without trustProxy', async () => {
    // nginx on the same host with a plain proxy_pass: every visitor reaches the app from 127.0.0.1, at 127.0.0.1:3000.
    const server = await startLoopbackService(demoApp())
    try {
      const visitor = await fetch(`${server.base}/_debug_toolbar/api/requests`, { headers: { 'x-forwarded-for': '203.0.113.9' } })
      expect(visitor.status).toBe(404)
      const home = await fetch(`${server.base}/`, { headers: { 'x-forwarded-for': '198.51.100.4, 203.0.113.9' } })
      expect(await home.text()).toBe(page('Home'))
      expect(home.headers.get('x-debug-toolbar-request-id')).toBeNull()
      const standard = await fetch(`${server.base}/`, { headers: { forwarded: 'for=203.0.113.9;proto=https' } })
      expect(await standard.text()).toBe(page('Home'))
      expect(standard.headers.get('x-debug-toolbar-request-id')).toBeNull()
      // A local proxy passing the developer's own loopback requests on still shows the toolbar.
      const developer = await fetch(`${server.base}/_debug_toolbar/healthz`, { headers: { 'x-forwarded-for': '127.0.0.1' } })
      expect(developer.status).toBe(200)
      expect((await fetch(`${server.base}/_debug_toolbar/healthz`)).status).toBe(200)
    } finally {
      await server.close()
    }
  })

  it('refuses a visitor whom a proxy named in Forwarded, though the visitor sent its own X-Forwarded-For: 127.0.0.1', async () => {
    // HAProxy's `option forwarded` on this machine: it adds Forwarded and passes the client's
    // own X-Forwarded-For on as it came.
    const server = await startLoopbackService(demoApp())
    const proxied = await startLoopbackService(demoApp({ allowedHosts: ['10.0.0.0/8'], trustProxy: true }))
    try {
      const forged = { 'x-forwarded-for': '127.0.0.1', forwarded: 'for=203.0.113.9;proto=http' }
      const api = await fetch(`${server.base}/_debug_toolbar/api/requests`, { headers: forged })
      expect([api.status, await api.text()]).toEqual([404, '404 Not Found'])
      const home = await fetch(`${server.base}/`, { headers: forged })
      expect(await home.text()).toBe(page('Home'))
      expect(home.headers.get('x-debug-toolbar-request-id')).toBeNull()
      // With trustProxy, an address the client wrote is not the client's either.
      const trusted = await fetch(`${proxied.base}/_debug_toolbar/healthz`, { headers: { 'x-forwarded-for': '10.0.0.1', forwarded: 'for=203.0.113.9' } })
      expect(trusted.status).toBe(404)
      // Both headers naming an allowed address, as a proxy that sends both does for the developer.
      expect((await fetch(`${server.base}/_debug_toolbar/healthz`, { headers: { 'x-forwarded-for': '127.0.0.1', forwarded: 'for=127.0.0.1' } })).status).toBe(200)
      expect((await fetch(`${proxied.base}/_debug_toolbar/healthz`, { headers: { 'x-forwarded-for': '10.0.0.1', forwarded: 'for=10.0.0.1' } })).status).toBe(200)
    } finally {
      await server.close()
      await proxied.close()
    }
  })

  it('refuses a visitor whom nginx named only in X-Real-IP, and a visitor a CDN named in its own header', async () => {
    // nginx on this machine with only `proxy_set_header X-Real-IP $remote_addr;`: the socket is 127.0.0.1.
    const server = await startLoopbackService(demoApp())
    try {
      const visitor = { 'x-real-ip': '203.0.113.9' }
      const api = await fetch(`${server.base}/_debug_toolbar/api/requests`, { headers: visitor })
      expect([api.status, await api.text()]).toEqual([404, '404 Not Found'])
      const home = await fetch(`${server.base}/`, { headers: visitor })
      expect(await home.text()).toBe(page('Home'))
      expect(home.headers.get('x-debug-toolbar-request-id')).toBeNull()
      for (const [name, value] of [['true-client-ip', '203.0.113.9'], ['cf-connecting-ip', '2001:db8::17'], ['fly-client-ip', '198.51.100.4'], ['X-Real-IP', 'unknown'], ['x-real-ip', 'garbage, 127.0.0.1'], ['x-real-ip', '']]) {
        const res = await fetch(`${server.base}/_debug_toolbar/healthz`, { headers: { [name!]: value! } })
        expect([name, value, res.status]).toEqual([name, value, 404])
      }
      // Any one of them naming a visitor is enough to refuse, whatever the others say.
      const mixed = await fetch(`${server.base}/_debug_toolbar/healthz`, { headers: { 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '203.0.113.9' } })
      expect(mixed.status).toBe(404)
      // The developer's own requests through the same proxy still get the toolbar, IPv6 loopback too.
      for (const address of ['127.0.0.1', '::1', ' 127.0.0.1 ']) {
        const developer = await fetch(`${server.base}/_debug_toolbar/healthz`, { headers: { 'x-real-ip': address } })
        expect([address, developer.status]).toEqual([address, 200])
      }
      const shown = await fetch(`${server.base}/`, { headers: { 'x-real-ip': '::1', 'cf-connecting-ip': '127.0.0.1' } })
      expect(await shown.text()).toContain('<script src="/_debug_toolbar/static/toolbar?')
    } finally {
      await server.close()
    }
  })

  it('with trustProxy, reads X-Real-IP and the CDN headers beside X-Forwarded-For and Forwarded, and every address they name must be allowed', async () => {
    const proxied = await startLoopbackService(demoApp({ allowedHosts: ['10.0.0.0/8'], trustProxy: true }))
    try {
      const status = async (headers: Record<string, string>) => (await fetch(`${proxied.base}/_debug_toolbar/healthz`, { headers })).status
      expect(await status({ 'x-real-ip': '10.1.2.3' })).toBe(200)
      expect(await status({ 'fly-client-ip': '10.1.2.3', 'true-client-ip': '10.4.5.6' })).toBe(200)
      expect(await status({ 'x-real-ip': '203.0.113.9' })).toBe(404)
      expect(await status({ 'x-real-ip': '10.1.2.3', 'cf-connecting-ip': '203.0.113.9' })).toBe(404)
      expect(await status({ 'x-real-ip': 'unknown' })).toBe(404)
      // The socket (127.0.0.1) is not in allowedHosts: the header replaces it.
      expect(await status({})).toBe(404)
      // Behind a proxy that sets only X-Real-IP, a visitor's own X-Forwarded-For comes as they wrote it.
      expect(await status({ 'x-forwarded-for': '10.0.0.1', 'x-real-ip': '203.0.113.9' })).toBe(404)
      expect(await status({ forwarded: 'for=10.0.0.1', 'x-real-ip': '203.0.113.9' })).toBe(404)
      expect(await status({ 'x-forwarded-for': '203.0.113.9', 'x-real-ip': '10.0.0.1' })).toBe(404)
      expect(await status({ 'x-forwarded-for': '10.0.0.1', 'x-real-ip': '10.0.0.1' })).toBe(200)
      // A Forwarded that names nobody does not turn X-Real-IP off.
      expect(await status({ forwarded: 'proto=https', 'x-real-ip': '203.0.113.9' })).toBe(404)
    } finally {
      await proxied.close()
    }
  })

  it('reads X-Real-IP the same where the runtime gives no raw header list', async () => {
    const app = demoApp()
    expect((await request(app, '/_debug_toolbar/healthz', { headers: { 'x-real-ip': '203.0.113.9' } }, '127.0.0.1')).status).toBe(404)
    expect((await request(app, '/', { headers: { 'cf-connecting-ip': 'unknown' } }, '127.0.0.1')).headers.get('x-debug-toolbar-request-id')).toBeNull()
    expect((await request(app, '/_debug_toolbar/healthz', { headers: { 'x-real-ip': '::1' } }, '127.0.0.1')).status).toBe(200)
    const proxied = demoApp({ allowedHosts: ['10.0.0.0/8'], trustProxy: true })
    expect((await request(proxied, '/_debug_toolbar/healthz', { headers: { 'true-client-ip': '10.1.2.3' } }, '127.0.0.1')).status).toBe(200)
    expect((await request(proxied, '/_debug_toolbar/healthz', { headers: { 'x-forwarded-for': '10.0.0.1', 'x-real-ip': '203.0.113.9' } }, '127.0.0.1')).status).toBe(404)
  })

  it('answers its own routes only at a loopback name or an address: a page of another site rebound to 127.0.0.1 gets a 404', async () => {
    const app = demoApp()
    // DNS rebinding: the browser on this machine asks evil.example, whose name now points here.
    for (const host of ['evil.example:3000', 'evil.example', 'localhost.evil.example', 'evil.example.']) {
      const res = await request(app, `http://${host}/_debug_toolbar/api/requests`)
      expect([host, res.status]).toEqual([host, 404])
    }
    expect((await request(app, 'http://evil.example:3000/')).text).toContain('Home')
    for (const host of ['localhost:3000', 'localhost.', 'app.localhost', '127.0.0.1:3000', '[::1]:3000', '10.1.2.3']) {
      const res = await request(app, `http://${host}/_debug_toolbar/healthz`)
      expect([host, res.status]).toEqual([host, 200])
    }
    // A name the user reaches the app by on a LAN is allowed by saying so.
    const lan = demoApp({ allowedHosts: ['10.0.0.0/8'], allowedHostnames: ['devbox', '.dev.internal'] })
    expect((await request(lan, 'http://devbox:3000/_debug_toolbar/healthz', {}, '10.1.2.3')).status).toBe(200)
    expect((await request(lan, 'http://api.dev.internal/_debug_toolbar/healthz', {}, '10.1.2.3')).status).toBe(200)
    expect((await request(lan, 'http://evil.example/_debug_toolbar/healthz', {}, '10.1.2.3')).status).toBe(404)
  })

  it('answers a page of another site at 127.0.0.1 with the app\'s own 404, even when the app\'s CORS allows every origin, and tells the developer once per origin', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const app = new Hono()
    app.use(cors())
    app.use(debugToolbar())
    app.get('/api/orders', (c) => c.json({ orders: 1 }))
    app.notFound((c) => c.text('No such page', 404))
    await request(app, '/api/orders')
    const unknown = await request(app, 'http://127.0.0.1:3000/no/such/path', { headers: { origin: 'http://evil.example' } })
    const foreign = await request(app, 'http://127.0.0.1:3000/_debug_toolbar/api/requests', { headers: { origin: 'http://evil.example' } })
    // The page learns nothing: the same status and body as any path the app does not have.
    expect([foreign.status, foreign.text]).toEqual([404, 'No such page'])
    expect([unknown.status, unknown.text]).toEqual([404, 'No such page'])
    const toolbarLines = () => warn.mock.calls.map((call) => String(call[0])).filter((line) => line.startsWith('[hono-debug-toolbar]'))
    expect(toolbarLines()).toEqual([
      "[hono-debug-toolbar] a page of http://evil.example asked the toolbar, which does not answer pages of other sites: it got the app's 404, so that a site open in your browser cannot read what your app did. Only if evil.example is a site of yours (your app reached at another name, your own front-end dev server) add its name: debugToolbar({ allowedHostnames: ['evil.example'] }); a site you do not know is better left out.",
    ])
    // The same origin again, in another case, and on another route: no second line.
    await request(app, 'http://127.0.0.1:3000/_debug_toolbar/healthz', { headers: { origin: 'HTTP://EVIL.EXAMPLE' } })
    expect(toolbarLines()).toHaveLength(1)
    // The toolbar's own page, other loopback pages and requests from no page are answered.
    for (const origin of ['http://127.0.0.1:3000', 'http://localhost:5173', 'http://app.localhost', undefined]) {
      const res = await request(app, 'http://127.0.0.1:3000/_debug_toolbar/api/requests', { headers: origin ? { origin } : {} })
      expect([origin, res.status]).toEqual([origin, 200])
    }
    for (const origin of ['null', 'http://10.1.2.3:3000', 'http://127.0.0.1.evil.example']) {
      const res = await request(app, 'http://127.0.0.1:3000/_debug_toolbar/healthz', { headers: { origin } })
      expect([origin, res.status, res.text]).toEqual([origin, 404, 'No such page'])
    }
    expect(toolbarLines()).toHaveLength(4)
    expect(toolbarLines()[1]).toBe(
      "[hono-debug-toolbar] a page of null asked the toolbar, which does not answer pages of other sites: it got the app's 404, so that a site open in your browser cannot read what your app did. A page without a site of its own (a sandboxed frame, a file) is never answered.",
    )
  })

  it('denies requests whose address is unknown', async () => {
    const app = demoApp()
    const res = await app.request('/_debug_toolbar/healthz')
    expect(res.status).toBe(404)
  })
})
