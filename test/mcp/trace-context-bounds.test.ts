import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar, MemoryStore } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { BAGGAGE_MAX_BYTES, BAGGAGE_MAX_MEMBER_BYTES, BAGGAGE_MAX_MEMBERS } from '../../src/shapes/baggage-limits.js'
import { MAX_OUTGOING_CALLS } from '../../src/shapes/trace-context-limits.js'
import { sampleRequest } from '../store/samples.js'
import { loopbackServers } from '../support/loopback-service.js'
import { call, connect } from './app.js'

describe('get_request names what the Trace context panel did not keep', () => {
  const start = loopbackServers()

  it('counts the outgoing calls past 50 and the baggage members past the Baggage limits, naming the limits', async () => {
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
    const baggage = Array.from({ length: BAGGAGE_MAX_MEMBERS + 20 }, (_, i) => `k${i}=v${i}`).join(',')
    const res = await fetch(`${base}/calls/53`, { headers: { baggage } })
    await res.text()
    const id = res.headers.get('x-debug-toolbar-request-id')!
    const few = await fetch(`${base}/calls/1`)
    await few.text()
    const client = await connect(base)
    try {
      const { text } = await call(client, 'get_request', { request_id: id })
      const reason = `over ${BAGGAGE_MAX_MEMBERS} members, ${BAGGAGE_MAX_MEMBER_BYTES} bytes a member or ${BAGGAGE_MAX_BYTES} bytes in all, or malformed`
      expect(text.split('\n')).toContain(`Trace context: 3 more outgoing calls not listed (over 50); 20 baggage members dropped (${reason})`)
      const { text: quiet } = await call(client, 'get_request', { request_id: few.headers.get('x-debug-toolbar-request-id')! })
      expect(quiet).not.toMatch(/^Trace context:/m)
    } finally {
      await client.close()
    }
  })

  it("names the panel's limit, not how many calls the record's list holds", async () => {
    // A history another instance wrote: its record lists two calls and counts seven past the list.
    const store = new MemoryStore()
    const calls = [1, 2].map((n) => ({ method: 'GET', url: `http://inventory:8080/stock/${n}`, traceparent: `00-${'a'.repeat(32)}-${String(n).padStart(16, '0')}-01` }))
    store.save(sampleRequest(1, { panels: { opentelemetry: { context: { outgoing: calls, outgoingDropped: 7 } } } }))
    const app = new Hono()
    app.use(debugToolbar({ store }))
    const client = await connect(await start(app))
    try {
      const { text, data } = await call(client, 'get_request', { request_id: 'req-1' })
      expect(text.split('\n')).toContain(`Trace context: 7 more outgoing calls not listed (over ${MAX_OUTGOING_CALLS})`)
      expect(MAX_OUTGOING_CALLS).toBe(50)
      expect(data.traceContext).toEqual({ outgoingDropped: 7, outgoingListed: 2, outgoingLimit: 50, baggageDropped: 0 })
    } finally {
      await client.close()
    }
  })
})
