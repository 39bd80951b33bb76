import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { loopbackServers } from '../support/loopback-service.js'
import { call, connect } from './app.js'

describe("get_trace names where a CLIENT span named after its method went", () => {
  const start = loopbackServers()

  it('writes the URL beside GET, as the waterfall labels the row', async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
    app.get('/stock/:sku', (c) => c.json({ sku: c.req.param('sku') }))
    app.get('/page', async (c) => {
      const res = await fetch(`${new URL(c.req.url).origin}/stock/7?fresh=1`)
      return c.json(await res.json())
    })
    const base = await start(app)
    const page = await fetch(`${base}/page`)
    await page.text()
    const client = await connect(base)
    try {
      const { text, data } = await call(client, 'get_trace', { request_id: page.headers.get('x-debug-toolbar-request-id')! })
      expect(text).toMatch(new RegExp(`^ {2}\\+\\S+ (µs|ms|s) GET ${base.replace(/[.]/g, '\\.')}/stock/7\\?fresh=1 \\S+ (µs|ms|s) \\(self .+\\) \\[shop\\] CLIENT`, 'm'))
      const line = data.lines.find((l: { kind: string }) => l.kind === 'CLIENT')
      expect(line).toMatchObject({ name: 'GET', target: `${base}/stock/7?fresh=1` })
    } finally {
      await client.close()
    }
  })

  it('writes where a folded line of CLIENT spans went when they share it: the origin of /stock/1, /stock/2, /stock/3', async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
    app.get('/stock/:sku', (c) => c.json({ sku: c.req.param('sku') }))
    app.get('/basket', async (c) => {
      const origin = new URL(c.req.url).origin
      for (const sku of [1, 2, 3]) await (await fetch(`${origin}/stock/${sku}`)).text()
      return c.text('ok')
    })
    const base = await start(app)
    const page = await fetch(`${base}/basket`)
    await page.text()
    const client = await connect(base)
    try {
      const { text, data } = await call(client, 'get_trace', { request_id: page.headers.get('x-debug-toolbar-request-id')! })
      expect(text).toMatch(new RegExp(`^ {2}\\+\\S+ (µs|ms|s) GET ${base.replace(/[.]/g, '\\.')} x3, `, 'm'))
      expect(data.lines.find((l: { count: number }) => l.count === 3)).toMatchObject({ name: 'GET', target: base })
    } finally {
      await client.close()
    }
  })
})
