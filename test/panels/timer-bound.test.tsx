/** @jsxImportSource preact */
import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { renderToString } from 'preact-render-to-string'
import { endTime, setMetric, startTime, timing } from 'hono/timing'
import { debugToolbar, type TimerStats } from '../../src/index.js'
import { MAX_TIMER_METRICS } from '../../src/panels/timer.js'
import { panelViews } from '../../templates/client/panels/index.js'
import type { RequestDetail } from '../../templates/client/types.js'
import { request } from '../support/local.js'

describe('TimerPanel bound', () => {
  it('keeps the first 256 hono/timing metrics of a request and shows how many more it did not keep', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.use(timing())
    app.get('/', (c) => {
      // An app that times every item of a loop, and sets as many values.
      for (let i = 0; i < 200; i++) {
        startTime(c, `item-${i}`)
        endTime(c, `item-${i}`)
      }
      for (let i = 0; i < 100; i++) setMetric(c, `value-${i}`, i)
      return c.text('ok')
    })
    const res = await request(app, '/')
    const detail: RequestDetail = await (await request(app, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    const stats = detail.panels.timer as TimerStats
    expect(stats.metrics).toHaveLength(MAX_TIMER_METRICS)
    expect(stats.dropped).toBe(300 - MAX_TIMER_METRICS)
    expect(stats.metrics[0]!.name).toBe('item-0')
    const { component: View } = panelViews.timer!
    const html = renderToString(<View stats={stats} request={detail} prefix="/_debug_toolbar" openRequest={() => {}} />)
    expect(html).toContain(`${300 - MAX_TIMER_METRICS} more not kept`)
  })
})
