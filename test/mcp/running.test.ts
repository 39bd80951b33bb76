import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { stream } from 'hono/streaming'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { loopbackServers } from '../support/loopback-service.js'
import { call, connect } from './app.js'

describe('list_traces: a trace whose request is still running', () => {
  const start = loopbackServers()

  it('reads still running, with how long so far, not 0 ms', async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    app.get('/feed', (c) =>
      stream(c, async (s) => {
        await s.write('first')
        await gate
        await s.write('last')
      }),
    )
    const base = await start(app)
    const feed = await fetch(`${base}/feed`)
    const client = await connect(base)
    try {
      await new Promise((resolve) => setTimeout(resolve, 20))
      const { text, data } = await call(client, 'list_traces')
      expect(text).toMatch(/^[0-9a-f]{32} {2}GET \/feed {2}\[shop\] {2}1 span {2}still running \(started \S+ (µs|ms|s) ago\) {2}\S+ {2}request \S+$/m)
      expect(text).not.toMatch(/ 0 ms /)
      expect(data.traces[0]).toMatchObject({ rootName: 'GET /feed', running: true })
      expect(data.traces[0].runningForMs).toBeGreaterThan(0)
    } finally {
      release()
      await feed.text()
      await client.close()
    }
  })
})
