import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar, defaultPanels, LoggingPanel, recordLog, renderTemplate, TemplatesPanel, type LoggingStats, type TemplatesStats } from '../../src/index.js'
import { request } from '../support/local.js'
import { consoleSink } from '../support/console-sink.js'

// The app's console output goes to a real Console writing into a string, kept out of the test report.
const terminal = consoleSink()

async function detailOf(app: Hono, path: string) {
  const res = await request(app, path)
  const id = res.headers.get('x-debug-toolbar-request-id')
  return { res, detail: (await request(app, `/_debug_toolbar/api/requests/${id}`)).json() }
}

describe('LoggingPanel', () => {
  it("says 'No messages' in the panel list for a request that logged nothing, as the SQL panel says 'No queries'", async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/', (c) => c.text('ok'))
    const { detail } = await detailOf(app, '/')
    expect(detail.nav.find((n: { id: string }) => n.id === 'logging')).toEqual({ id: 'logging', title: 'Logging', subtitle: 'No messages' })
  })

  it('is among the default panels and sums the lines up in the panel list', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/', (c) => {
      for (let i = 0; i < 10; i++) console.log(`step ${i}`)
      console.warn('slow')
      console.error('failed')
      return c.text('ok')
    })
    const { detail } = await detailOf(app, '/')
    const nav = detail.nav.find((n: { id: string }) => n.id === 'logging')
    expect(nav).toEqual({ id: 'logging', title: 'Logging', subtitle: '12 messages, 1 error' })
    const stats = detail.panels.logging as LoggingStats
    expect(stats.counts).toEqual({ trace: 0, debug: 0, info: 10, warn: 1, error: 1, fatal: 0 })
    expect(stats.dropped).toBe(0)
    expect(defaultPanels().map((p) => p.id)).toEqual(expect.arrayContaining(['logging', 'templates', 'profiling']))
  })

  it('says "1 message" and leaves out errors when there are none', async () => {
    const app = new Hono()
    app.use(debugToolbar({ panels: [new LoggingPanel()] }))
    app.get('/', (c) => (recordLog('info', 'one'), c.text('ok')))
    const { detail } = await detailOf(app, '/')
    expect(detail.nav[0].subtitle).toBe('1 message')
  })

  it('keeps 50 concurrent requests apart: each record holds exactly its own lines and renders, in order, inside the request', async () => {
    const app = new Hono()
    app.use(debugToolbar({ maxRequests: 50, panels: [new LoggingPanel(), new TemplatesPanel()] }))
    app.get('/r/:n', async (c) => {
      const n = Number(c.req.param('n'))
      console.log(`request ${n} begins`)
      const page = await renderTemplate(`page ${n}`, async () => {
        recordLog('info', `request ${n} in page`, { n })
        await sleep(n % 7)
        return renderTemplate(`partial ${n}`, () => {
          console.warn(`request ${n} in partial`)
          return `<p>${n}</p>`
        })
      })
      await sleep(n % 3)
      recordLog('debug', `request ${n} ends`)
      return c.html(page)
    })
    const results = await Promise.all(Array.from({ length: 50 }, (_, n) => detailOf(app, `/r/${n}`)))
    results.forEach(({ res, detail }, n) => {
      expect(res.text).toContain(`<p>${n}</p>`)
      const logs = (detail.panels.logging as LoggingStats).logs
      const renders = (detail.panels.templates as TemplatesStats).renders
      expect(logs.map((l) => l.message)).toEqual([`request ${n} begins`, `request ${n} in page`, `request ${n} in partial`, `request ${n} ends`])
      expect(renders.map((r) => [r.name, r.depth])).toEqual([
        [`page ${n}`, 0],
        [`partial ${n}`, 1],
      ])
      expect(logs.map((l) => l.renderId ?? null)).toEqual([null, renders[0]!.id, renders[1]!.id, null])
      const items = [...logs.map((l) => l.startMs), ...renders.flatMap((r) => [r.startMs, r.startMs + r.durationMs!])]
      for (const at of items) {
        expect(at).toBeGreaterThanOrEqual(0)
        expect(at).toBeLessThanOrEqual(detail.durationMs)
      }
      const starts = logs.map((l) => l.startMs)
      expect(starts).toEqual([...starts].sort((a, b) => a - b))
    })
    expect(terminal.printed()).toContain('request 49 in partial')
  })
})

describe('work a request leaves running', () => {
  it('shows the lines it logs after the response, however early the panel was first read', async () => {
    const app = new Hono()
    app.use(debugToolbar({ panels: [new LoggingPanel()] }))
    let smtpAnswers!: () => void
    const smtp = new Promise<void>((resolve) => (smtpAnswers = resolve))
    let emailSent!: Promise<void>
    app.post('/signup', (c) => {
      recordLog('info', 'account created')
      // Sent after the answer, as apps do with mail and webhooks.
      emailSent = smtp.then(() => console.error('welcome email failed: SMTP 421'))
      return c.text('ok')
    })
    const res = await request(app, '/signup', { method: 'POST' })
    const detailPath = `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`
    // The toolbar in the page reads the request as soon as it has loaded.
    const early = (await request(app, detailPath)).json()
    expect((early.panels.logging as LoggingStats).logs.map((l) => l.message)).toEqual(['account created'])
    smtpAnswers()
    await emailSent
    const later = (await request(app, detailPath)).json()
    const logging = later.panels.logging as LoggingStats
    expect(logging.logs.map((l) => [l.level, l.message])).toEqual([
      ['info', 'account created'],
      ['error', 'welcome email failed: SMTP 421'],
    ])
    expect(logging.logs[1]!.startMs).toBeGreaterThanOrEqual(later.durationMs)
    expect(later.nav.find((n: { id: string }) => n.id === 'logging').subtitle).toBe('2 messages, 1 error')
  })
})
