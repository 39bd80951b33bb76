import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { timing, startTime, endTime } from 'hono/timing'
import { stream } from 'hono/streaming'
import { jsx } from 'hono/jsx'
import { Suspense } from 'hono/jsx/streaming'
import { jsxRenderer } from 'hono/jsx-renderer'
import { request as httpRequest } from 'node:http'
import { debugToolbar, Panel, type RequestRecord } from '../../src/index.js'
import type { Toolbar } from '../../src/core/toolbar.js'
import { loopbackServers } from '../support/loopback-service.js'

// On Node the toolbar leaves the app's Response alone: the tag goes into the HTML string,
// the headers onto the Node response, and the end of the request comes from the Node
// response. These tests look at what a client receives over a real socket.

const start = loopbackServers()

function toolbarOf(middleware: unknown): Toolbar {
  return (middleware as { toolbar: Toolbar }).toolbar
}

const PAGE = '<!doctype html><html><body><h1>Héllo</h1></BODY></html>'

describe('the toolbar on @hono/node-server', () => {
  it('puts the tag into a c.html() page, with a correct content-length and its own headers', async () => {
    const app = new Hono()
    const toolbar = debugToolbar()
    app.use(toolbar)
    app.get('/', (c) => c.html(PAGE))
    const base = await start(app)
    const res = await fetch(`${base}/`)
    const text = await res.text()
    const id = res.headers.get('x-debug-toolbar-request-id')!
    expect(text.startsWith('<!doctype html><html><body><h1>Héllo</h1><script src="/_debug_toolbar/static/toolbar?')).toBe(true)
    expect(text.endsWith('</script></BODY></html>')).toBe(true)
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(text))
    expect(res.headers.get('server-timing')).toMatch(/total;dur=[\d.]+/)
    const detail = await toolbarOf(toolbar).detail(id)
    // The figures are the app's own bytes, without the tag.
    expect(detail?.panels.timer).toMatchObject({ responseBytes: Buffer.byteLength(PAGE), streamed: false, aborted: false })
    expect(detail?.status).toBe(200)
  })

  it('counts no body bytes for a HEAD request of a c.html() page, or of a JSX page (Node sends none)', async () => {
    const app = new Hono()
    const toolbar = debugToolbar()
    app.use(toolbar)
    app.get('/', (c) => c.html(PAGE))
    app.get('/jsx', (c) => c.html(jsx('html', {}, jsx('body', {}, jsx('p', {}, 'JSX page')))))
    const base = await start(app)
    for (const path of ['/', '/jsx']) {
      const res = await fetch(`${base}${path}`, { method: 'HEAD' })
      expect(res.status).toBe(200)
      expect(await res.text()).toBe('')
      const detail = await toolbarOf(toolbar).detail(res.headers.get('x-debug-toolbar-request-id')!)
      expect(detail?.method).toBe('HEAD')
      expect(detail?.panels.timer, path).toMatchObject({ responseBytes: 0, streamed: false })
    }
  })

  it('puts the tag into a page from html() taken off the context, with one wrapper for every request', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    const wrappers = new Set<unknown>()
    let detached: ((page: string) => unknown) | undefined
    app.get('/', (c) => {
      wrappers.add(c.html)
      const { html } = c
      detached = html
      return html(PAGE)
    })
    const base = await start(app)
    for (let i = 0; i < 3; i++) {
      const text = await (await fetch(`${base}/`)).text()
      expect(text).toMatch(/<h1>Héllo<\/h1><script src="\/_debug_toolbar\/static\/toolbar\?[^"]*"[^>]*><\/script><\/BODY><\/html>$/)
    }
    // A closure per request on the context made V8 allocate some processes' request objects
    // in the old generation (specs/performance.md, item 14).
    expect(wrappers.size).toBe(1)
    // Taken off its context and called after its request: there is no page to answer.
    expect(() => detached!('<p>late</p>')).toThrow(/c\.html\(\) was called outside the request of its context/)
  })

  it("appends its Server-Timing entries to hono/timing's, keeping the app's metrics", async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.use(timing())
    app.get('/', async (c) => {
      startTime(c, 'db')
      await new Promise((resolve) => setTimeout(resolve, 5))
      endTime(c, 'db')
      return c.json({ ok: true })
    })
    const base = await start(app)
    const res = await fetch(`${base}/`)
    await res.text()
    const value = res.headers.get('server-timing')!
    expect(value).toMatch(/db;dur=[\d.]+/)
    expect(value).toMatch(/total;dur=[\d.]+;desc="hono-debug-toolbar"/)
    expect(res.headers.get('x-debug-toolbar-request-id')).toMatch(/^[0-9a-f]{16}$/)
  })

  it("adds its headers when another middleware replaced this response's writeHead, and leaves unrecorded responses alone", async () => {
    const app = new Hono()
    // What response-time style helpers do (the `on-headers` pattern): writeHead replaced on
    // the response itself, before the toolbar runs.
    app.use(async (c, next) => {
      const outgoing = (c.env as { outgoing: { writeHead: (...args: unknown[]) => unknown; setHeader: (n: string, v: string) => void } }).outgoing
      const writeHead = outgoing.writeHead
      outgoing.writeHead = function (this: unknown, ...args: unknown[]) {
        outgoing.setHeader('x-response-time', '1ms')
        return writeHead.apply(this, args)
      }
      await next()
    })
    app.use(debugToolbar({ excludePaths: ['/plain'] }))
    app.get('/', (c) => c.html(PAGE))
    app.get('/plain', (c) => c.text('plain'))
    const base = await start(app)
    const res = await fetch(`${base}/`)
    expect(await res.text()).toContain('/_debug_toolbar/static/toolbar?')
    expect(res.headers.get('x-response-time')).toBe('1ms')
    expect(res.headers.get('x-debug-toolbar-request-id')).toMatch(/^[0-9a-f]{16}$/)
    expect(res.headers.get('server-timing')).toMatch(/hdt-total;dur=/)
    const plain = await fetch(`${base}/plain`)
    expect(await plain.text()).toBe('plain')
    expect(plain.headers.get('x-response-time')).toBe('1ms')
    expect(plain.headers.get('x-debug-toolbar-request-id')).toBeNull()
    expect(plain.headers.get('server-timing')).toBeNull()
  })

  it('counts a streamed HTML body chunk by chunk, injects the tag once, and finishes when the last byte is sent', async () => {
    const app = new Hono()
    const toolbar = debugToolbar()
    app.use(toolbar)
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    app.get('/stream', (c) => {
      c.header('content-type', 'text/html; charset=utf-8')
      return stream(c, async (s) => {
        await s.write('<html><body><p>first</p>')
        await gate
        await s.write('<p>second</p></body></html>')
      })
    })
    const base = await start(app)
    const res = await fetch(`${base}/stream`)
    const reader = res.body!.getReader()
    const first = new TextDecoder().decode((await reader.read()).value)
    expect(first).toContain('first')
    const id = res.headers.get('x-debug-toolbar-request-id')!
    // Still sending: the API answers a snapshot marked in flight.
    expect((await toolbarOf(toolbar).detail(id))?.inFlight).toBe(true)
    release()
    let rest = ''
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value)
    expect((first + rest).match(/static\/toolbar\?/g)).toHaveLength(1)
    const detail = await toolbarOf(toolbar).detail(id)
    expect(detail?.inFlight).toBeUndefined()
    expect(detail?.panels.timer).toMatchObject({ streamed: true, responseBytes: Buffer.byteLength('<html><body><p>first</p><p>second</p></body></html>') })
  })

  it('finishes and stores once a page whose tag goes in as its bytes pass (a promised page, a stream, a Response the app built)', async () => {
    const finished: string[] = []
    class Finishes extends Panel<Record<string, never>> {
      readonly id = 'finishes'
      readonly title = 'Finishes'
      onFinish(record: RequestRecord) {
        finished.push(record.path)
      }
      generateStats() {
        return {}
      }
    }
    const app = new Hono()
    const toolbar = debugToolbar({ extraPanels: [new Finishes()] })
    app.use(toolbar)
    app.get('/promised', (c) => c.html(Promise.resolve('<html><body>p</body></html>')))
    app.get('/stream', (c) => {
      c.header('content-type', 'text/html')
      return stream(c, async (s) => {
        await s.write('<html><body>a')
        await s.write('</body></html>')
      })
    })
    app.get('/built', () => new Response('<html><body>r</body></html>', { headers: { 'content-type': 'text/html' } }))
    const base = await start(app)
    for (const path of ['/promised', '/stream', '/built']) {
      const text = await (await fetch(`${base}${path}`)).text()
      expect(text.match(/static\/toolbar\?/g), path).toHaveLength(1)
    }
    await toolbarOf(toolbar).settled()
    const list = await (await fetch(`${base}/_debug_toolbar/api/requests?limit=50`)).json()
    expect(list.requests.map((r: { path: string }) => r.path)).toEqual(['/built', '/stream', '/promised'])
    expect(list.total).toBe(3)
    expect(finished).toEqual(['/promised', '/stream', '/built'])
  })

  it("streams a Suspense page of jsxRenderer part by part, with the tag after the page's </body>", async () => {
    const app = new Hono()
    app.use(debugToolbar())
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const Later = async () => {
      await gate
      return jsx('p', {}, 'later')
    }
    app.use(jsxRenderer(({ children }) => jsx('html', {}, jsx('body', {}, children)), { stream: true }))
    app.get('/suspense', (c) => c.render(jsx(Suspense, { fallback: jsx('i', {}, 'loading') }, jsx(Later, {}))))
    const base = await start(app)
    const res = await fetch(`${base}/suspense`)
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let first = ''
    // The page up to its </body> (the fallback) arrives while the part it waits for is pending.
    while (!first.includes('<i>loading</i>')) first += decoder.decode((await reader.read()).value)
    expect(first).not.toContain('later')
    release()
    let rest = ''
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += decoder.decode(chunk.value)
    expect(rest).toContain('<p>later</p>')
    expect((first + rest).match(/static\/toolbar\?/g)).toHaveLength(1)
  })

  it('leaves a JSON body as it is and still records it', async () => {
    const app = new Hono()
    const toolbar = debugToolbar()
    app.use(toolbar)
    app.get('/api', (c) => c.json({ items: [1, 2, 3] }))
    const base = await start(app)
    const res = await fetch(`${base}/api`)
    expect(await res.text()).toBe('{"items":[1,2,3]}')
    const detail = await toolbarOf(toolbar).detail(res.headers.get('x-debug-toolbar-request-id')!)
    expect(detail?.panels.timer).toMatchObject({ responseBytes: 17, streamed: false })
  })

  it('marks a request whose client went away before the end as aborted', async () => {
    const app = new Hono()
    const toolbar = debugToolbar()
    app.use(toolbar)
    app.get('/forever', (c) =>
      stream(c, async (s) => {
        for (let i = 0; i < 200 && !s.aborted; i++) {
          await s.write('x'.repeat(1024))
          await new Promise((resolve) => setTimeout(resolve, 5))
        }
      }),
    )
    const base = await start(app)
    const id = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${base}/forever`, (res) => {
        res.once('data', () => {
          resolve(String(res.headers['x-debug-toolbar-request-id']))
          req.destroy()
        })
      })
      req.on('error', () => undefined)
      req.once('error', reject)
      req.end()
    })
    await expect.poll(async () => (await toolbarOf(toolbar).detail(id))?.panels.timer, { timeout: 5000 }).toMatchObject({ aborted: true })
  })
})

describe('panel stats on demand', () => {
  it('never computes the stats of a request nobody opens, and computes an opened one once', async () => {
    let computed = 0
    class Counting extends Panel<{ n: number }> {
      readonly id = 'counting'
      readonly title = 'Counting'
      generateStats(_record: RequestRecord) {
        return { n: ++computed }
      }
    }
    const app = new Hono()
    const toolbar = debugToolbar({ extraPanels: [new Counting()] })
    app.use(toolbar)
    app.get('/', (c) => c.html(PAGE))
    const base = await start(app)
    const ids: string[] = []
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${base}/`)
      await res.text()
      ids.push(res.headers.get('x-debug-toolbar-request-id')!)
    }
    await toolbarOf(toolbar).settled()
    const list = await (await fetch(`${base}/_debug_toolbar/api/requests?limit=50`)).json()
    expect(list.total).toBe(20)
    expect(computed).toBe(0)
    const first = await (await fetch(`${base}/_debug_toolbar/api/requests/${ids[3]}`)).json()
    const again = await (await fetch(`${base}/_debug_toolbar/api/requests/${ids[3]}`)).json()
    expect(first.panels.counting).toEqual({ n: 1 })
    expect(again.panels.counting).toEqual({ n: 1 })
    expect(computed).toBe(1)
  })
})
