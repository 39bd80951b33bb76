import { describe, expect, it } from 'vitest'
import { Hono, type Context } from 'hono'
import { timing, startTime, endTime, setMetric } from 'hono/timing'
import { setTimeout as sleep } from 'node:timers/promises'
import { currentRecord, debugToolbar, Panel, type RequestRecord } from '../../src/index.js'
import { request } from '../support/local.js'

/** A custom panel, as a user would write one: marks written by the handler into the record. */
class MarksPanel extends Panel<{ marks: string[] }> {
  readonly id = 'marks'
  readonly title = 'Marks'
  generateStats(record: RequestRecord) {
    return { marks: record.peek<string[]>('marks') ?? [] }
  }
  navSubtitle(stats: { marks: string[] }) {
    return `${stats.marks.length} marks`
  }
}

const mark = (text: string) => currentRecord()?.slot<string[]>('marks', () => []).push(text)

describe('per-request isolation', () => {
  it('keeps 200 concurrent requests to different routes apart', async () => {
    const app = new Hono()
    app.use(debugToolbar({ app, maxRequests: 200, extraPanels: [new MarksPanel()] }))
    app.get('/a/:n', async (c) => {
      const n = c.req.param('n')
      mark(`a${n}-start`)
      await sleep(Number(n) % 7)
      mark(`a${n}-end`)
      return c.html(`<html><body>a ${n}</body></html>`)
    })
    app.get('/b/:n', async (c) => {
      const n = c.req.param('n')
      mark(`b${n}-start`)
      await sleep(Number(n) % 5)
      mark(`b${n}-end`)
      return c.json({ n })
    })
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => request(app, `/${i % 2 ? 'b' : 'a'}/${i}?q=${i}`)),
    )
    const details = await Promise.all(
      responses.map((r) => request(app, `/_debug_toolbar/api/requests/${r.headers.get('x-debug-toolbar-request-id')}`).then((d) => d.json())),
    )
    details.forEach((detail, i) => {
      const kind = i % 2 ? 'b' : 'a'
      expect(detail.path).toBe(`/${kind}/${i}`)
      expect(detail.route).toBe(`/${kind}/:n`)
      expect(detail.panels.marks.marks).toEqual([`${kind}${i}-start`, `${kind}${i}-end`])
      expect(detail.panels.request.params).toEqual({ n: String(i) })
      expect(detail.panels.request.query).toEqual({ q: [String(i)] })
      expect(detail.nav.find((n: { id: string }) => n.id === 'marks').subtitle).toBe('2 marks')
    })
    expect(new Set(details.map((d) => d.id)).size).toBe(200)
  })
})

describe('Timer panel', () => {
  it('shows hono/timing metrics with their real start offsets', async () => {
    const app = new Hono()
    app.use(timing())
    app.use(debugToolbar())
    app.get('/', async (c) => {
      await sleep(20)
      startTime(c, 'db', 'Database')
      await sleep(15)
      endTime(c, 'db')
      setMetric(c, 'region', 'eu-west')
      setMetric(c, 'cache', 2.5, 'Cache read')
      return c.text('ok')
    })
    const res = await request(app, '/')
    expect(res.headers.get('server-timing')).toMatch(/db;dur=/)
    const { panels } = (await request(app, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    const db = panels.timer.metrics.find((m: { name: string }) => m.name === 'db')
    expect(db.description).toBe('Database')
    expect(db.startMs).toBeGreaterThanOrEqual(19)
    expect(db.durationMs).toBeGreaterThanOrEqual(14)
    expect(db.startMs + db.durationMs).toBeLessThanOrEqual(panels.timer.totalMs)
    expect(panels.timer.metrics).toContainEqual({ name: 'region', description: 'eu-west', value: 'eu-west', durationMs: undefined, startMs: undefined })
    expect(panels.timer.metrics).toContainEqual({ name: 'cache', description: 'Cache read', durationMs: 2.5, startMs: undefined })
    expect(panels.timer.metrics.map((m: { name: string }) => m.name)).not.toContain('total')
  })

  it('also watches timers when the toolbar runs before hono/timing', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.use(timing())
    app.get('/', async (c) => {
      startTime(c, 'work')
      await sleep(5)
      endTime(c, 'work')
      return c.text('ok')
    })
    const res = await request(app, '/')
    const { panels } = (await request(app, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    const work = panels.timer.metrics.find((m: { name: string }) => m.name === 'work')
    expect(work.startMs).toBeGreaterThan(0)
    expect(work.durationMs).toBeGreaterThanOrEqual(4)
  })

  // With `app`, the panel wraps c.set only when the route table holds hono/timing's middleware.
  async function workMetric(app: Hono) {
    const res = await request(app, '/')
    const { panels } = (await request(app, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    return panels.timer.metrics.find((m: { name: string }) => m.name === 'work') as { startMs?: number; durationMs?: number }
  }
  const timedRoute = async (c: Context) => {
    await sleep(3)
    startTime(c, 'work')
    await sleep(5)
    endTime(c, 'work')
    return c.text('ok')
  }

  it('finds hono/timing after the toolbar in the app it was given', async () => {
    const app = new Hono()
    app.use(debugToolbar({ app }))
    app.use(timing())
    app.get('/', timedRoute)
    const work = await workMetric(app)
    expect(work.startMs).toBeGreaterThanOrEqual(2)
    expect(work.durationMs).toBeGreaterThanOrEqual(4)
  })

  it('learns from a request whose timing middleware it did not recognise', async () => {
    const app = new Hono()
    app.use(debugToolbar({ app }))
    const measured = timing()
    // The same middleware under another name: the route table does not show it.
    app.use(async function measuredTiming(c, next) {
      await measured(c, next)
    })
    app.get('/', timedRoute)
    // The first request keeps hono/timing's durations (its header), the next their starts too.
    const first = await workMetric(app)
    expect(first.durationMs).toBeGreaterThanOrEqual(4)
    expect(first.startMs).toBeUndefined()
    const second = await workMetric(app)
    expect(second.startMs).toBeGreaterThanOrEqual(2)
    expect(second.durationMs).toBeGreaterThanOrEqual(4)
  })
})
