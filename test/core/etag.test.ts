import { build } from 'esbuild'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { Hono, type MiddlewareHandler } from 'hono'
import { etag, RETAINED_304_HEADERS } from 'hono/etag'
import { jsx } from 'hono/jsx'
import { debugToolbar } from '../../src/index.js'
import type { Toolbar } from '../../src/core/toolbar.js'
import { request } from '../support/local.js'
import { loopbackServers } from '../support/loopback-service.js'

// A browser sends back the ETag of the page it kept (If-None-Match) and shows that page on a
// 304. With the toolbar on, the app's pages must keep the ETag and the 304 they have without it.

const start = loopbackServers()

const PAGE = '<!doctype html><html><body><h1>Cached</h1></body></html>'

type Order = 'toolbar first' | 'etag first'

function app(order: Order | 'no toolbar', passApp = false, etagMiddleware: typeof etag = etag) {
  const app = new Hono()
  const toolbar = debugToolbar(passApp ? { app } : {})
  if (order === 'toolbar first') app.use(toolbar)
  app.use(etagMiddleware())
  if (order === 'etag first') app.use(toolbar)
  app.get('/page', (c) => c.html(PAGE))
  app.get('/jsx', (c) => c.html(jsx('html', {}, jsx('body', {}, jsx('h1', {}, 'Cached')))))
  return { app, toolbar: (toolbar as MiddlewareHandler & { toolbar: Toolbar }).toolbar }
}

interface Answer {
  status: number
  text: string
  headers: Headers
}

/** The same request over a real socket (@hono/node-server) or with app.request(). */
const transports = {
  socket: async (on: Hono) => {
    const base = await start(on)
    return async (path: string, headers: Record<string, string> = {}): Promise<Answer> => {
      const res = await fetch(`${base}${path}`, { headers })
      return { status: res.status, text: await res.text(), headers: res.headers }
    }
  },
  'app.request': async (on: Hono) => async (path: string, headers: Record<string, string> = {}): Promise<Answer> => {
    const { status, text, headers: h } = await request(on, path, { headers })
    return { status, text, headers: h }
  },
}

describe('hono/etag with the toolbar', () => {
  for (const [transport, connect] of Object.entries(transports)) {
    for (const [order, passApp] of [['toolbar first', false], ['etag first', false], ['etag first', true]] as const) {
      for (const path of ['/page', '/jsx']) {
        it(`answers 304 to the page's own ETag (${transport}, ${order}${passApp ? ', with app' : ''}, ${path})`, async () => {
          const plain = await (await connect(app('no toolbar').app))(path)
          const appTag = plain.headers.get('etag')
          expect(appTag).toMatch(/^"[0-9a-f]{40}"$/)

          const { app: withToolbar, toolbar } = app(order, passApp)
          const get = await connect(withToolbar)
          const first = await get(path)
          expect(first.status).toBe(200)
          expect(first.text).toMatch(/<script src="\/_debug_toolbar\/static\/toolbar\?[^>]*><\/script><\/body><\/html>$/)
          // The ETag describes the app's page, not the page with the toolbar's tag (which names the request).
          expect(first.headers.get('etag')).toBe(appTag)

          const again = await get(path, { 'if-none-match': appTag! })
          expect(again.status).toBe(304)
          expect(again.text).toBe('')
          expect(again.headers.get('etag')).toBe(appTag)
          expect(again.headers.get('content-length')).toBeNull()
          // On Node, or with hono/etag after it, the toolbar adds its headers to the 304 hono/etag
          // made; elsewhere hono/etag sends only the headers a 304 keeps (see the test below).
          // The history has the 304 either way.
          if (transport === 'socket' || order === 'toolbar first') expect(again.headers.get('x-debug-toolbar-request-id')).toMatch(/^[0-9a-f]{16}$/)
          await vi.waitFor(async () => {
            const [newest] = (await toolbar.store.list({ limit: 1, offset: 0 })).requests
            expect(newest).toMatchObject({ path, status: 304 })
          })

          // A changed page is not taken for the kept one.
          const stale = await get(path, { 'if-none-match': '"0000000000000000000000000000000000000000"' })
          expect(stale.status).toBe(200)
          expect(stale.text).toContain('data-hdt-request-id=')
        })
      }
    }
  }

  describe('bundled and minified, its function renamed', () => {
    // What a bundler makes of hono/etag: `async function etag(c, next)` becomes an anonymous `async function(a,l)`.
    let minified: typeof etag
    beforeAll(async () => {
      const out = await build({ stdin: { contents: "export { etag } from 'hono/etag'", resolveDir: process.cwd() }, bundle: true, minify: true, format: 'esm', write: false, platform: 'neutral' })
      minified = ((await import(`data:text/javascript,${encodeURIComponent(out.outputFiles[0]!.text)}`)) as { etag: typeof etag }).etag
      expect(minified().name).not.toBe('etag')
    })

    for (const [order, passApp] of [['toolbar first', false], ['etag first', false], ['etag first', true]] as const) {
      it(`answers 304 to the page's own ETag (${order}${passApp ? ', with app' : ''})`, async () => {
        const appTag = (await request(app('no toolbar', false, minified).app, '/page')).headers.get('etag')
        expect(appTag).toMatch(/^"[0-9a-f]{40}"$/)
        const get = await transports.socket(app(order, passApp, minified).app)
        const first = await get('/page')
        expect(first.text).toContain('data-hdt-request-id=')
        expect(first.headers.get('etag')).toBe(appTag)
        expect((await get('/page', { 'if-none-match': appTag! })).status).toBe(304)
      })
    }
  })

  it('keeps the request id on a 304 off Node when hono/etag before the toolbar is told to retain it (README)', async () => {
    const app = new Hono()
    const toolbar = debugToolbar()
    app.use(etag({ retainedHeaders: [...RETAINED_304_HEADERS, 'X-Debug-Toolbar-Request-Id'] }))
    app.use(toolbar)
    app.get('/page', (c) => c.html(PAGE))
    const first = await request(app, '/page')
    const again = await request(app, '/page', { headers: { 'if-none-match': first.headers.get('etag')! } })
    expect(again.status).toBe(304)
    const id = again.headers.get('x-debug-toolbar-request-id')
    expect(id).toMatch(/^[0-9a-f]{16}$/)
    // The id names the 304 in the history, as on Node.
    const { store } = (toolbar as MiddlewareHandler & { toolbar: Toolbar }).toolbar
    await vi.waitFor(async () => expect((await store.get(id!))?.status).toBe(304))
  })

  it('leaves a c.html() page on the fast path when the app passed as app has no hono/etag', async () => {
    const app = new Hono()
    app.use(async function logger(_c, next) {
      await next()
    })
    app.use(debugToolbar({ app }))
    app.get('/', (c) => c.html(PAGE))
    const res = await fetch(`${await start(app)}/`)
    const { headers } = res
    const text = await res.text()
    // The tag went into the string: the page is not re-wrapped as a stream (its length is known).
    expect(text).toContain('data-hdt-request-id=')
    expect(headers.get('etag')).toBeNull()
    expect(Number(headers.get('content-length'))).toBe(Buffer.byteLength(text))
  })
})
