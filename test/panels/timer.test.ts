import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { endTime, setMetric, startTime, timing } from 'hono/timing'
import { debugToolbar, type TimerStats } from '../../src/index.js'
import { request } from '../support/local.js'

describe('TimerPanel', () => {
  it("shows hono/timing's values and descriptions as the app wrote them, semicolons, commas and quotes included", async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.use(timing())
    app.get('/', (c) => {
      setMetric(c, 'region', 'eu-west; zone b')
      setMetric(c, 'cache', 2.5, 'hit, "warm"; L2')
      startTime(c, 'db', 'Database; primary')
      endTime(c, 'db')
      return c.text('ok')
    })
    const res = await request(app, '/')
    const detail = (await request(app, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    const metrics = (detail.panels.timer as TimerStats).metrics
    expect(metrics.map((m) => [m.name, m.description, m.value])).toEqual([
      ['db', 'Database; primary', undefined],
      ['region', 'eu-west; zone b', 'eu-west; zone b'],
      ['cache', 'hit, "warm"; L2', undefined],
    ])
    expect(metrics.find((m) => m.name === 'cache')!.durationMs).toBe(2.5)
  })

  it("keeps a timer's duration as endTime() measured it, not the time it then took to write the header entry", async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.use(timing())
    // Quoting a long description with quotes in it takes endTime() a while after it has read the clock.
    const description = '"'.repeat(200_000)
    app.get('/', (c) => {
      startTime(c, 'wait', description)
      endTime(c, 'wait')
      return c.text('ok')
    })
    const res = await request(app, '/')
    const written = /(?:^|,\s*)wait;dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1]
    expect(written).toBeDefined()
    const detail = (await request(app, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    const wait = (detail.panels.timer as TimerStats).metrics.find((m) => m.name === 'wait')!
    expect(wait.durationMs).toBe(Number(written))
  })
})
