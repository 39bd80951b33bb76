import { afterEach, describe, expect, it, vi } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { unansweredNameWarning, unansweredOriginWarning } from '../../src/core/hostname-hint.js'
import { request } from '../support/local.js'
import { loopbackServers } from '../support/loopback-service.js'
import { getAt } from '../support/page-load.js'

// A developer who opens the app at a name of their own (/etc/hosts) sees the app but no
// toolbar: the console says why, and what to add.

const start = loopbackServers()

afterEach(() => {
  vi.restoreAllMocks()
})

function shop(options: Parameters<typeof debugToolbar>[0] = {}) {
  const app = new Hono()
  app.use(debugToolbar(options))
  app.get('/', (c) => c.html('<!doctype html><html><body><h1>Shop</h1></body></html>'))
  return app
}

/** The toolbar's lines among what was warned. */
const toolbarLines = (warn: { mock: { calls: unknown[][] } }) => warn.mock.calls.map((call) => String(call[0])).filter((line) => line.startsWith('[hono-debug-toolbar]'))

describe('the hint at a name the toolbar does not answer at', () => {
  it('warns once for a request to the toolbar at myapp.test, saying where it answers and what to add', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const base = await start(shop())
    // The page itself is the app's: it answers at any name, and warns of nothing.
    expect((await getAt(base, '/', 'myapp.test:3000')).text).toContain('<h1>Shop</h1>')
    expect(toolbarLines(warn)).toEqual([])
    const script = await getAt(base, '/_debug_toolbar/static/toolbar', 'myapp.test:3000')
    expect(script.status).toBe(404)
    expect(toolbarLines(warn)).toEqual([
      "[hono-debug-toolbar] a request for the toolbar came to the name myapp.test, where it does not answer: the toolbar answers only at localhost, names under .localhost, IP addresses and the names in allowedHostnames (so that a page of another site whose name was re-pointed at this server cannot read it). If myapp.test is a name of yours, add it: debugToolbar({ allowedHostnames: ['myapp.test'] })",
    ])
    // A second request at the same name, in another case or with another port: no second line.
    await getAt(base, '/_debug_toolbar/api/requests', 'MyApp.test:4000')
    await getAt(base, '/_debug_toolbar/', 'myapp.test')
    expect(toolbarLines(warn)).toHaveLength(1)
    // Another name gets its own line.
    await getAt(base, '/_debug_toolbar/', 'shop.test')
    expect(toolbarLines(warn)).toHaveLength(2)
    expect(toolbarLines(warn)[1]).toContain("allowedHostnames: ['shop.test']")
  })

  it('never warns at localhost, a name under .localhost, an address or a name in allowedHostnames', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const base = await start(shop({ allowedHostnames: ['myapp.test'] }))
    for (const host of ['localhost:3000', 'shop.localhost', '127.0.0.1', '[::1]:3000', 'myapp.test:3000']) {
      const res = await getAt(base, '/_debug_toolbar/healthz', host)
      expect([host, res.status]).toEqual([host, 200])
    }
    expect(toolbarLines(warn)).toEqual([])
  })

  it('remembers 20 names, then stops warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const app = shop()
    for (let i = 0; i < 25; i++) expect((await request(app, `http://name${i}.test/_debug_toolbar/healthz`)).status).toBe(404)
    expect(toolbarLines(warn)).toHaveLength(20)
    expect(toolbarLines(warn)[19]).toContain('name19.test')
    await request(app, 'http://name0.test/_debug_toolbar/healthz')
    expect(toolbarLines(warn)).toHaveLength(20)
  })

  it('prints a long name cut at 100 characters and a name without its control characters', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const long = `${'a'.repeat(60)}.${'b'.repeat(60)}.test`
    await request(shop(), `http://${long}/_debug_toolbar/healthz`)
    const [line] = toolbarLines(warn)
    expect(line).toContain(`came to the name ${long.slice(0, 100)}, where`)
    expect(line).not.toContain(long.slice(0, 101))
    expect(unansweredNameWarning('my\u001b[31mapp\u0007.test\u009b')).toContain("allowedHostnames: ['my[31mapp.test']")
  })
})

describe('the hint at a page of another site', () => {
  it('warns once per origin for the first 20 origins, never for the toolbar\'s own or a loopback page', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const app = shop()
    for (const origin of ['http://127.0.0.1:3000', 'http://localhost:5173', 'http://shop.localhost']) {
      expect((await request(app, 'http://127.0.0.1:3000/_debug_toolbar/healthz', { headers: { origin } })).status).toBe(200)
    }
    expect(toolbarLines(warn)).toEqual([])
    for (let i = 0; i < 25; i++) {
      const res = await request(app, 'http://127.0.0.1:3000/_debug_toolbar/healthz', { headers: { origin: `https://site${i}.example` } })
      expect(res.status).toBe(404)
    }
    expect(toolbarLines(warn)).toHaveLength(20)
    expect(toolbarLines(warn)[19]).toContain("a page of https://site19.example asked the toolbar")
    await request(app, 'http://127.0.0.1:3000/_debug_toolbar/healthz', { headers: { origin: 'https://site0.example' } })
    expect(toolbarLines(warn)).toHaveLength(20)
  })

  it('prints the origin without its control characters, cut at 100 characters', () => {
    expect(unansweredOriginWarning('http://sh\u001b[31mop.test\u0007')).toContain("a page of http://sh[31mop.test asked")
    const long = `http://${'a'.repeat(120)}.test`
    const line = unansweredOriginWarning(long)
    expect(line).toContain(`a page of ${long.slice(0, 100)} asked`)
    expect(line).not.toContain(long.slice(0, 101))
  })
})
