/** @jsxImportSource preact */
import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { renderToString } from 'preact-render-to-string'
import { endTime, setMetric, startTime, timing } from 'hono/timing'
import { debugToolbar, type TimerStats } from '../../src/index.js'
import { MAX_TIMER_METRICS, MAX_TIMER_TEXT_CHARS } from '../../src/panels/timer.js'
import { OpenTelemetryPanel, type OpenTelemetryStats } from '../../src/opentelemetry/index.js'
import { withSpans } from '../support/trace-spans.js'
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

  it('counts each metric past the bound once, timers included, and keeps a value set under a timer\'s name', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.use(timing())
    app.get('/', (c) => {
      for (let i = 0; i < 300; i++) {
        startTime(c, `item-${i}`)
        endTime(c, `item-${i}`)
      }
      return c.text('ok')
    })
    app.get('/again', (c) => {
      startTime(c, 'db')
      endTime(c, 'db')
      setMetric(c, 'db', 5, 'cached copy')
      return c.text('ok')
    })
    const stats = await timerOf(app, '/')
    expect(stats.metrics).toHaveLength(MAX_TIMER_METRICS)
    expect(stats.dropped).toBe(300 - MAX_TIMER_METRICS)
    const again = await timerOf(app, '/again')
    expect(again.metrics.map((m) => [m.name, m.description])).toEqual([['db', undefined], ['db', 'cached copy']])
    expect(again.dropped).toBe(0)
  })

  it('cuts a metric name and description made from data, in the panel and in the metric\'s span', async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none' })] }))
    app.use(timing())
    const big = 'n'.repeat(1_000_000)
    app.get('/', (c) => {
      startTime(c, `fetch ${big}`, `d${big}`)
      endTime(c, `fetch ${big}`)
      setMetric(c, `value ${big}`, `v${big}`)
      setMetric(c, 'cache', 1, `c${big}`)
      return c.text('ok')
    })
    const res = await request(app, '/')
    const detail: RequestDetail = await (await request(app, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    const stats = detail.panels.timer as TimerStats
    const cut = (head: string, whole: number) => `${head}${'n'.repeat(MAX_TIMER_TEXT_CHARS - head.length)}… (${whole - MAX_TIMER_TEXT_CHARS} more characters)`
    expect(stats.metrics.map((m) => [m.name, m.description, m.value])).toEqual([
      [cut('fetch ', 1_000_006), cut('d', 1_000_001), undefined],
      [cut('value ', 1_000_006), cut('v', 1_000_001), cut('v', 1_000_001)],
      ['cache', cut('c', 1_000_001), undefined],
    ])
    const spans = (await withSpans(app, detail.panels.opentelemetry as OpenTelemetryStats)).spans
    const span = spans.find((s) => s.attributes['hono.timing.name'] === cut('fetch ', 1_000_006))!
    expect(span.name).toBe(cut('fetch ', 1_000_006))
    expect(span.attributes['hono.timing.description']).toBe(cut('d', 1_000_001))
  })
})

async function timerOf(app: Hono, path: string): Promise<TimerStats> {
  const res = await request(app, path)
  const detail: RequestDetail = await (await request(app, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
  return detail.panels.timer as TimerStats
}
