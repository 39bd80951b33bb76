/** @jsxImportSource hono/jsx */
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { jsxRenderer, useRequestContext } from 'hono/jsx-renderer'
import { Suspense } from 'hono/jsx/streaming'
import { debugToolbar, recordLog, TemplatesPanel, LoggingPanel, timedComponent, uninstallConsoleCapture, type TemplatesStats, type TemplateRender, type LoggingStats } from '../../src/index.js'
import { request } from '../support/local.js'

async function detailOf(app: Hono, path: string) {
  const res = await request(app, path)
  const id = res.headers.get('x-debug-toolbar-request-id')
  return { res, detail: (await request(app, `/_debug_toolbar/api/requests/${id}`)).json() }
}

const Row = timedComponent('Row', ({ name }: { name: string }) => {
  recordLog('debug', `row ${name}`)
  return <li>{name}</li>
})
const UserList = timedComponent('UserList', ({ names }: { names: string[] }) => (
  <ul>
    {names.map((name) => (
      <Row name={name} />
    ))}
  </ul>
))
const Badge = timedComponent('Badge', () => <b>{useRequestContext().req.path}</b>)
const Slow = timedComponent('Slow', async () => {
  await sleep(3)
  return <p>slow</p>
})

describe('TemplatesPanel with Hono JSX', () => {
  it('times c.render with jsxRenderer and timed components as one tree, escaping as JSX would', async () => {
    const app = new Hono()
    app.use(debugToolbar({ panels: [new TemplatesPanel(), new LoggingPanel()] }))
    app.use(
      jsxRenderer(({ children }) => (
        <html>
          <body>{children}</body>
        </html>
      )),
    )
    app.get('/users', (c) => c.render(<UserList names={['ann', '<script>']} />))
    const { res, detail } = await detailOf(app, '/users')
    uninstallConsoleCapture()
    expect(res.text).toContain('<ul><li>ann</li><li>&lt;script&gt;</li></ul>')
    const stats = detail.panels.templates as TemplatesStats
    expect(stats.renders.map((r) => `${'  '.repeat(r.depth)}${r.name}`)).toEqual(['c.render /users', '  UserList', '    Row', '    Row'])
    const [page, list] = stats.renders
    expect(page!.durationMs!).toBeGreaterThanOrEqual(list!.durationMs!)
    expect(stats.totalMs).toBeCloseTo(page!.durationMs!, 6)
    expect(detail.nav.find((n: { id: string }) => n.id === 'templates').subtitle).toBe('4 renders')
    expect(res.headers.get('server-timing')).toMatch(/hdt-templates;dur=[\d.]+;desc="4 renders"/)
    // Log lines written while a component rendered point at that render.
    const logs = (detail.panels.logging as LoggingStats).logs
    expect(logs.map((l) => [l.message, l.renderId])).toEqual([
      ['row ann', stats.renders[2]!.id],
      ['row <script>', stats.renders[3]!.id],
    ])
  })

  it('keeps the JSX context inside timed components, and waits for async ones', async () => {
    const app = new Hono()
    app.use(debugToolbar({ panels: [new TemplatesPanel()] }))
    app.use(jsxRenderer())
    app.get('/here', (c) =>
      c.render(
        <div>
          <Badge />
          <Slow />
        </div>,
      ),
    )
    const { res, detail } = await detailOf(app, '/here')
    expect(res.text).toBe('<!DOCTYPE html><div><b>/here</b><p>slow</p></div>')
    const stats = detail.panels.templates as TemplatesStats
    expect(stats.renders.map((r) => [r.name, r.depth])).toEqual([
      ['c.render /here', 0],
      ['Badge', 1],
      ['Slow', 1],
    ])
    const slow = stats.renders[2]!
    expect(slow.durationMs!).toBeGreaterThanOrEqual(2)
    // The page's render waited for the async component.
    expect(stats.renders[0]!.startMs + stats.renders[0]!.durationMs!).toBeGreaterThanOrEqual(slow.startMs + slow.durationMs!)
  })

  it('times a streamed jsxRenderer page and puts the tag into its stream', async () => {
    const app = new Hono()
    app.use(debugToolbar({ panels: [new TemplatesPanel()] }))
    app.use(
      jsxRenderer(
        ({ children }) => (
          <html>
            <body>{children}</body>
          </html>
        ),
        { stream: true },
      ),
    )
    app.get('/later', (c) =>
      c.render(
        <Suspense fallback={<i>loading</i>}>
          <Slow />
        </Suspense>,
      ),
    )
    const { res, detail } = await detailOf(app, '/later')
    expect(res.headers.get('transfer-encoding')).toBe('chunked')
    expect(res.text).toContain('<i>loading</i>')
    expect(res.text).toContain('<p>slow</p>')
    expect(res.text).toMatch(/<script src="\/_debug_toolbar\/static\/toolbar\?[^>]*><\/script><\/body>/)
    const [page, slow] = (detail.panels.templates as TemplatesStats).renders as [TemplateRender, TemplateRender]
    expect([page.name, slow.name]).toEqual(['c.render /later', 'Slow'])
    // The page renders while it is sent: its render lasts until the last byte, around the
    // suspended component that rendered meanwhile, not just the setup before the first byte.
    expect(slow.parentId).toBe(page.id)
    expect(page.durationMs).toBeDefined()
    expect(page.startMs + page.durationMs!).toBeGreaterThanOrEqual(slow.startMs + slow.durationMs!)
    expect(page.startMs + page.durationMs!).toBeCloseTo(detail.durationMs, 6)
    expect(page.streamed).toBe(true)
  })

  it('times render() taken off the context, for each request with its own renderer', async () => {
    const app = new Hono()
    app.use(debugToolbar({ panels: [new TemplatesPanel()] }))
    app.use(jsxRenderer(({ children }) => <main>{children}</main>))
    app.get('/users/:name', ({ render, req }) => render(<UserList names={[req.param('name')]} />))
    const [ann, bob] = await Promise.all([detailOf(app, '/users/ann'), detailOf(app, '/users/bob')])
    uninstallConsoleCapture()
    expect(ann.res.text).toContain('<main><ul><li>ann</li></ul></main>')
    expect(bob.res.text).toContain('<main><ul><li>bob</li></ul></main>')
    for (const { detail } of [ann, bob]) {
      expect((detail.panels.templates as TemplatesStats).renders.map((r) => r.name)).toEqual(['c.render /users/:name', 'UserList', 'Row'])
    }
  })

  it('times c.render without any renderer set (Hono answers with c.html)', async () => {
    const app = new Hono()
    app.use(debugToolbar({ panels: [new TemplatesPanel()] }))
    app.get('/', (c) => c.render('<p>plain</p>'))
    const { res, detail } = await detailOf(app, '/')
    expect(res.text).toContain('<p>plain</p>')
    expect((detail.panels.templates as TemplatesStats).renders.map((r) => r.name)).toEqual(['c.render /'])
  })

  it('shows no renders for a request that rendered nothing, and leaves the Server-Timing alone', async () => {
    const app = new Hono()
    app.use(debugToolbar({ panels: [new TemplatesPanel()] }))
    app.get('/', (c) => c.text('ok'))
    const { res, detail } = await detailOf(app, '/')
    expect(detail.panels.templates).toEqual({ renders: [], dropped: 0, totalMs: 0 })
    expect(detail.nav[0].subtitle).toBe('No renders')
    expect(res.headers.get('server-timing') ?? '').not.toMatch(/templates/)
  })
})
