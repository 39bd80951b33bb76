import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { loopbackServers } from '../support/loopback-service.js'
import { call, connect } from './app.js'

describe('get_request names what the Trace context panel did not keep', () => {
  const start = loopbackServers()

  it('counts the outgoing calls past 50 and the baggage members past 180', async () => {
    const downstream = new Hono()
    downstream.get('/api', (c) => c.text('ok'))
    const downstreamUrl = await start(downstream)
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
    app.get('/calls/:n', async (c) => {
      for (let i = 0; i < Number(c.req.param('n')); i++) await (await fetch(`${downstreamUrl}/api`)).text()
      return c.text('done')
    })
    const base = await start(app)
    const baggage = Array.from({ length: 200 }, (_, i) => `k${i}=v${i}`).join(',')
    const res = await fetch(`${base}/calls/53`, { headers: { baggage } })
    await res.text()
    const id = res.headers.get('x-debug-toolbar-request-id')!
    const few = await fetch(`${base}/calls/1`)
    await few.text()
    const client = await connect(base)
    try {
      const { text } = await call(client, 'get_request', { request_id: id })
      expect(text).toMatch(/^Trace context: 3 more outgoing calls not listed \(over 50\); 20 baggage members dropped \(over 180 members or 8192 bytes, or malformed\)$/m)
      const { text: quiet } = await call(client, 'get_request', { request_id: few.headers.get('x-debug-toolbar-request-id')! })
      expect(quiet).not.toMatch(/^Trace context:/m)
    } finally {
      await client.close()
    }
  })
})
