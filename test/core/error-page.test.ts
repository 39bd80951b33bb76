import { describe, expect, it, vi } from 'vitest'
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { NONCE, secureHeaders } from 'hono/secure-headers'
import { debugToolbar } from '../../src/index.js'
import { loopbackServers } from '../support/loopback-service.js'
import { get, getAt, PAGE_LOAD, textOf } from '../support/page-load.js'

// The debug error page, as a browser and other clients get it over a real socket: a page
// load that ends with Hono's default "Internal Server Error" gets the page; everything else
// gets what the app answered.

const start = loopbackServers()

/** An app whose `/orders/:id` fails with a cause chain, the toolbar before it. */
function failingApp(options: Parameters<typeof debugToolbar>[0] = {}): Hono {
  const app = new Hono()
  app.use(debugToolbar(options))
  app.get('/orders/:id', function loadOrder() {
    const dbError = new TypeError('connection refused', { cause: new Error('ECONNREFUSED 127.0.0.1:5432') })
    throw new Error('could not load order', { cause: dbError })
  })
  return app
}

describe('the debug error page', () => {
  it('answers a failed page load with the error, its causes, its stack, the request and the toolbar, status 500', async () => {
    const base = await start(failingApp())
    const page = await get(base, '/orders/42')
    expect(page.status).toBe(500)
    expect(page.type).toBe('text/html; charset=UTF-8')
    const text = textOf(page.text)
    expect(text).toContain('Error could not load order')
    expect(text).toContain('GET /orders/42 route /orders/:id')
    // The cause chain, nearest first.
    expect(text).toMatch(/Caused by TypeError connection refused .*Caused by Error ECONNREFUSED 127\.0\.0\.1:5432/)
    // The app's own frame (this file) stands apart from Hono's and the toolbar's.
    const own = [...page.text.matchAll(/<li class="hdt-err-own"><code>([^<]*)<\/code>/g)].map((m) => m[1])
    const library = [...page.text.matchAll(/<li class="hdt-err-lib"><code>([^<]*)<\/code>/g)].map((m) => m[1])
    expect(own[0]).toMatch(/^at loadOrder \(.*test\/core\/error-page\.test\.ts:\d+:\d+\)$/)
    expect(own.every((frame) => !/node_modules|node:|src\/core\//.test(frame!))).toBe(true)
    expect(library.some((frame) => frame!.includes('node_modules/hono/'))).toBe(true)
    expect(library.some((frame) => frame!.includes('src/core/toolbar.ts'))).toBe(true)
    // The toolbar, on the request that failed, which the API has with its error.
    const id = page.headers.get('x-debug-toolbar-request-id')!
    expect(page.text).toContain(`data-hdt-request-id="${id}" async></script></body></html>`)
    expect(page.text).toContain(`href="/_debug_toolbar/requests/${id}"`)
    const detail = await (await fetch(`${base}/_debug_toolbar/api/requests/${id}`)).json()
    expect(detail).toMatchObject({ status: 500, route: '/orders/:id' })
    expect(detail.panels.request.error).toBe('Error: could not load order')
    // The page's bytes, without the tag, and its type.
    expect(detail.panels.request.responseContentType).toBe('text/html; charset=UTF-8')
    expect(detail.panels.timer.responseBytes).toBe(Buffer.byteLength(page.text.replace(/<script[^>]*><\/script>/, '')))
    // Its stylesheet is served by the toolbar.
    const css = await fetch(`${base}/_debug_toolbar/static/error-page.css`)
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8')
    expect(await css.text()).toContain('.hdt-err-own')
  })

  it('is made on runtimes other than Node too, with the tag put in once', async () => {
    // app.request(): no Node response, the body goes through the toolbar's stream path.
    const res = await failingApp({ clientAddress: () => '127.0.0.1' }).request('/orders/42', { headers: PAGE_LOAD })
    expect(res.status).toBe(500)
    expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8')
    const text = await res.text()
    expect(textOf(text)).toContain('Error could not load order')
    expect(text.match(/<script src="\/_debug_toolbar\/static\/toolbar\?/g)).toHaveLength(1)
    expect(text).toContain(`data-hdt-request-id="${res.headers.get('x-debug-toolbar-request-id')}"`)
  })

  it("lists an AggregateError's errors, each with its message and stack", async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/price', async () => {
      // What Promise.any throws when every mirror fails: its message says nothing of why.
      await Promise.any([
        Promise.reject(new RangeError('eu mirror: quota exceeded')),
        Promise.reject(new Error('us mirror: token=t-789 expired')),
      ])
    })
    const base = await start(app)
    const page = await get(base, '/price')
    expect(page.status).toBe(500)
    const text = textOf(page.text)
    expect(text).toContain('AggregateError All promises were rejected')
    expect(text).toMatch(/Error 1 of 2 RangeError eu mirror: quota exceeded .*Error 2 of 2 Error us mirror: token=\*{8} expired/)
    expect(page.text).not.toContain('t-789')
  })

  it('escapes the error and redacts the secrets in its message', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/x', () => {
      throw new Error('bad <script>alert(1)</script> & <img src=x onerror=alert(2)> password=hunter2', {
        cause: new Error('retry with api_key=k-123 failed </pre><b>'),
      })
    })
    const base = await start(app)
    const page = await get(base, '/x')
    expect(page.status).toBe(500)
    expect(page.text).not.toContain('<script>alert')
    expect(page.text).not.toContain('<img')
    expect(page.text).not.toContain('</pre><b>')
    expect(page.text).toContain('bad &lt;script>alert(1)&lt;/script> &amp; &lt;img src=x onerror=alert(2)>')
    expect(page.text).not.toContain('hunter2')
    expect(page.text).not.toContain('k-123')
    expect(textOf(page.text)).toContain('password=******** ')
    expect(textOf(page.text)).toContain('retry with api_key=******** failed')
  })

  it('shows the lines of a message that start with "at" in the message, redacted, not among the frames', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/settings', function loadSettings() {
      // A parser's message, one problem a line, each saying where it is.
      throw new Error('settings.ini is invalid:\nat line 3: password=hunter2 is not quoted\nat line 9: unknown key')
    })
    const page = await get(await start(app), '/settings')
    expect(page.status).toBe(500)
    expect(page.text).not.toContain('hunter2')
    const messages = [...page.text.matchAll(/<pre class="hdt-err-message">([^<]*)<\/pre>/g)].map((m) => m[1])
    expect(messages[0]).toBe('settings.ini is invalid:\nat line 3: password=******** is not quoted\nat line 9: unknown key')
    const frames = [...page.text.matchAll(/<li class="hdt-err-(?:own|lib)"><code>([^<]*)<\/code>/g)].map((m) => m[1]!)
    expect(frames[0]).toMatch(/^at loadSettings \(.*test\/core\/error-page\.test\.ts:\d+:\d+\)$/)
    expect(frames.filter((frame) => frame.startsWith('at line '))).toEqual([])
  })

  it('leaves requests that do not load a page to Hono: fetch, JSON, curl', async () => {
    const base = await start(failingApp())
    for (const headers of [{ accept: 'application/json' }, { accept: '*/*' }, {} as Record<string, string>]) {
      const res = await get(base, '/orders/42', headers)
      expect(res, JSON.stringify(headers)).toMatchObject({ status: 500, type: 'text/plain; charset=UTF-8', text: 'Internal Server Error' })
      // Still recorded.
      expect(res.headers.get('x-debug-toolbar-request-id')).toBeTruthy()
    }
  })

  it("never replaces the app's own onError, nor the response of an HTTPException", async () => {
    const own = failingApp()
    own.onError((error, c) => c.text(`Sorry: ${error.message}`, 500))
    expect(await get(await start(own), '/orders/42')).toMatchObject({ status: 500, type: 'text/plain; charset=UTF-8', text: 'Sorry: could not load order' })

    // An onError that answers exactly as Hono's default would, on an app passed as `app`.
    const same = new Hono()
    same.use(debugToolbar({ app: same }))
    same.get('/', () => {
      throw new Error('boom')
    })
    same.onError((_error, c) => c.text('Internal Server Error', 500))
    expect(await get(await start(same), '/')).toMatchObject({ status: 500, type: 'text/plain; charset=UTF-8', text: 'Internal Server Error' })

    // A sub-app's onError.
    const api = new Hono()
    api.get('/fail', () => {
      throw new Error('boom')
    })
    api.onError((_error, c) => c.html('<html><body><p>our own error page</p></body></html>', 500))
    const parent = new Hono()
    parent.use(debugToolbar())
    parent.route('/api', api)
    const sub = await get(await start(parent), '/api/fail')
    expect(sub.status).toBe(500)
    expect(sub.text).toMatch(/^<html><body><p>our own error page<\/p><script src="\/_debug_toolbar\/static\/toolbar\?[^>]*><\/script><\/body><\/html>$/)

    const thrown = new Hono()
    thrown.use(debugToolbar())
    thrown.get('/plain', () => {
      throw new HTTPException(500, { message: 'Internal Server Error' })
    })
    thrown.get('/chosen', () => {
      throw new HTTPException(500, { res: new Response('Internal Server Error', { status: 500, headers: { 'content-type': 'text/plain; charset=UTF-8' } }) })
    })
    const base = await start(thrown)
    expect(await get(base, '/plain')).toMatchObject({ status: 500, text: 'Internal Server Error' })
    expect(await get(base, '/chosen')).toMatchObject({ status: 500, type: 'text/plain; charset=UTF-8', text: 'Internal Server Error' })
  })

  it("leaves Hono's answer, and records the request, when the error cannot be read", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/', () => {
      const error = new Error('unreadable')
      Object.defineProperty(error, 'cause', {
        get() {
          throw new Error('no cause for you')
        },
      })
      throw error
    })
    const base = await start(app)
    const res = await get(base, '/')
    expect(res).toMatchObject({ status: 500, type: 'text/plain; charset=UTF-8', text: 'Internal Server Error' })
    const detail = await (await fetch(`${base}/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    expect(detail.status).toBe(500)
    expect(warn.mock.calls.map((call) => String(call[0]))).toContain('[hono-debug-toolbar] the debug error page could not be made:')
    warn.mockRestore()
  })

  it('is off with errorPage: false, and refuses an option that is not a boolean', async () => {
    const base = await start(failingApp({ errorPage: false }))
    expect(await get(base, '/orders/42')).toMatchObject({ status: 500, type: 'text/plain; charset=UTF-8', text: 'Internal Server Error' })
    expect(() => debugToolbar({ errorPage: 'false' } as never)).toThrow(/errorPage must be true or false, got "false"/)
    expect(() => debugToolbar({ errorPage: 0 } as never)).toThrow(/errorPage must be true or false, got 0/)
  })

  it("gives a client the toolbar is not shown to Hono's plain 500, with nothing of the error", async () => {
    const hidden = await start(failingApp({ allowedHosts: ['10.0.0.0/8'] }))
    const res = await get(hidden, '/orders/42')
    expect(res).toMatchObject({ status: 500, type: 'text/plain; charset=UTF-8', text: 'Internal Server Error' })
    expect(res.headers.get('x-debug-toolbar-request-id')).toBeNull()

    const refused = await start(failingApp({ showToolbar: () => false }))
    expect(await get(refused, '/orders/42')).toMatchObject({ status: 500, text: 'Internal Server Error' })
    const excluded = await start(failingApp({ excludePaths: ['/orders'] }))
    expect(await get(excluded, '/orders/42')).toMatchObject({ status: 500, text: 'Internal Server Error' })
  })

  it("gives a page of another site whose name was re-pointed at 127.0.0.1 Hono's plain 500, with nothing of the error", async () => {
    // DNS rebinding: a page at evil.example, in the developer's own browser (a loopback
    // client), asks for a page that fails and reads the answer; the request says evil.example.
    const base = await start(failingApp())
    const rebound = await getAt(base, '/orders/42', 'evil.example:3000')
    expect(rebound).toMatchObject({ status: 500, type: 'text/plain; charset=UTF-8', text: 'Internal Server Error' })
    // At the names the toolbar answers at, the page is shown.
    expect(textOf((await getAt(base, '/orders/42', 'localhost:3000')).text)).toContain('Error could not load order')
    const named = await start(failingApp({ allowedHostnames: ['devbox'] }))
    expect(textOf((await getAt(named, '/orders/42', 'devbox:3000')).text)).toContain('Error could not load order')
  })

  it("gives a fetch() or form of a page of another site at 127.0.0.1 Hono's plain 500, with nothing of the error; the app's own pages get the page", async () => {
    // The app's CORS may let that page read the answer: the page would show it the app's stack and source.
    const base = await start(failingApp())
    const foreign = await get(base, '/orders/42', { ...PAGE_LOAD, origin: 'https://evil.example' })
    expect(foreign).toMatchObject({ status: 500, type: 'text/plain; charset=UTF-8', text: 'Internal Server Error' })
    expect(textOf((await get(base, '/orders/42', { ...PAGE_LOAD, origin: base })).text)).toContain('Error could not load order')
  })

  it("keeps the app's headers and puts the CSP nonce on the loader and on the stylesheet", async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.use(secureHeaders({ contentSecurityPolicy: { defaultSrc: ["'self'"], scriptSrc: [NONCE], styleSrc: ["'self'", NONCE] } }))
    app.get('/', (c) => {
      c.header('x-app', 'kept')
      throw new Error('boom')
    })
    const base = await start(app)
    const page = await get(base, '/')
    expect(page.status).toBe(500)
    const nonce = /'nonce-([^']+)'/.exec(page.headers.get('content-security-policy') ?? '')?.[1]
    expect(nonce).toBeTruthy()
    expect(page.headers.get('x-app')).toBe('kept')
    expect(page.text).toContain(`<link rel="stylesheet" href="/_debug_toolbar/static/error-page-style" nonce="${nonce}"/>`)
    expect(page.text).toContain(`nonce="${nonce}" async></script></body></html>`)
  })
})
