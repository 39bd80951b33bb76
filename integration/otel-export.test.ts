import { afterAll, describe, expect, it, vi } from 'vitest'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Hono } from 'hono'
import Database from 'better-sqlite3'
import { debugToolbar, instrumentBetterSqlite3, recordQuery, renderTemplate, SqlPanel, uninstallConsoleCapture } from '../src/index.js'
import { OpenTelemetryPanel, type OpenTelemetryStats } from '../src/opentelemetry/index.js'
import { startDeadEndpoint, startOtlpGrpcPeer, startOtlpHttpPeer, startZipkinPeer } from './peers/index.js'
import { withSpans } from '../test/support/trace-spans.js'

const loopback = { incoming: { socket: { remoteAddress: '127.0.0.1' } } }

afterAll(() => uninstallConsoleCapture())

/** The demo shop: SQLite through the recorder, a console line, a template render. */
function shop(panel: OpenTelemetryPanel) {
  const db = instrumentBetterSqlite3(new Database(':memory:'))
  db.exec('CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT)')
  db.prepare('INSERT INTO products (name) VALUES (?), (?)').run('kettle', 'teapot')
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [panel] }))
  app.get('/products', (c) => {
    const rows = db.prepare('SELECT id, name FROM products ORDER BY id').all() as Array<{ name: string }>
    console.info(`listing ${rows.length} products`)
    return c.html(renderTemplate('products', () => `<html><body><ul>${rows.map((r) => `<li>${r.name}</li>`).join('')}</ul></body></html>`))
  })
  app.get('/ping', (c) => c.text('pong'))
  const run = async (path: string) => {
    const res = await app.request(path, undefined, loopback)
    await res.text()
    const detail = await (await app.request(`/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`, undefined, loopback)).json()
    return withSpans(app, detail.panels.opentelemetry as OpenTelemetryStats)
  }
  return { app, run, db }
}

describe('exporting a request\'s trace', () => {
  it('sends the SERVER span, the SQL spans and the log events to an OTLP gRPC collector, gzipped', async () => {
    const peer = await startOtlpGrpcPeer()
    const panel = new OpenTelemetryPanel({ serviceName: 'shop', exporter: 'otlp', otlpProtocol: 'grpc', otlpEndpoint: peer.url, compression: 'gzip' })
    try {
      const { run } = shop(panel)
      const stats = await run('/products')
      await panel.forceFlush()
      const spans = await peer.waitForSpans((all) => all.some((s) => s.kind === 'SERVER' && s.traceId === stats.traceId), 10_000)
      const ofTrace = spans.filter((s) => s.traceId === stats.traceId)
      const server = ofTrace.find((s) => s.kind === 'SERVER')!
      expect(server.name).toBe('GET /products')
      expect(server.resource['service.name']).toBe('shop')
      const queries = ofTrace.filter((s) => s.kind === 'CLIENT' && s.attributes['db.system.name'] === 'sqlite')
      expect(queries.map((q) => q.attributes['db.query.text'])).toContain('SELECT id, name FROM products ORDER BY id')
      const logs = ofTrace.flatMap((s) => s.events).filter((e) => e.name === 'log')
      expect(logs.map((e) => e.attributes['log.message'])).toContain('listing 2 products')
      expect(ofTrace.some((s) => s.name === 'render products')).toBe(true)
      expect(peer.requests.every((r) => r.encoding === 'gzip')).toBe(true)
      expect(stats.export.exporters[0]!.name).toBe(`otlp grpc ${peer.url}`)
      expect(panel.exporter!.status().successes).toBeGreaterThan(0)
    } finally {
      await panel.shutdown()
      await peer.close()
    }
  })

  it('sends a render with a very long name and error message cut, as the panel shows it', async () => {
    const peer = await startOtlpHttpPeer()
    const panel = new OpenTelemetryPanel({ serviceName: 'shop', exporter: 'otlp', otlpProtocol: 'http/json', otlpEndpoint: peer.url })
    try {
      const { app, run } = shop(panel)
      app.get('/huge', (c) => {
        try {
          renderTemplate('n'.repeat(1_000_000), () => {
            throw new Error('e'.repeat(1_000_000))
          })
        } catch {}
        return c.text('the page failed')
      })
      const stats = await run('/huge')
      await panel.forceFlush()
      const spans = await peer.waitForSpans((all) => all.some((s) => s.kind === 'SERVER' && s.traceId === stats.traceId), 10_000)
      const render = spans.find((s) => s.traceId === stats.traceId && s.name.startsWith('render '))!
      const name = `${'n'.repeat(1024)}… (998976 more characters)`
      const message = `${'e'.repeat(8192)}… (991808 more characters)`
      expect(render.name).toBe(`render ${name}`)
      expect(render.attributes['template.name']).toBe(name)
      expect(render.status).toEqual({ code: 'ERROR', message })
      expect(render.events.find((e) => e.name === 'exception')!.attributes['exception.message']).toBe(message)
      expect(peer.requests.reduce((size, r) => size + JSON.stringify(r.request).length, 0)).toBeLessThan(50_000)
    } finally {
      await panel.shutdown()
      await peer.close()
    }
  })

  it('sends Zipkin v2 spans with ids, microsecond times, kinds and the service name', async () => {
    const zipkin = await startZipkinPeer()
    const panel = new OpenTelemetryPanel({ serviceName: 'shop', exporter: 'zipkin', zipkinEndpoint: zipkin.url })
    try {
      const { run } = shop(panel)
      const stats = await run('/products')
      await panel.forceFlush()
      const spans = (await zipkin.waitForSpans((all) => all.some((s) => s.traceId === stats.traceId && s.kind === 'SERVER'), 10_000))
        .filter((s) => s.traceId === stats.traceId)
      const server = spans.find((s) => s.kind === 'SERVER')!
      const local = stats.spans.find((s) => s.kind === 'SERVER')!
      expect(server.id).toBe(local.spanId)
      expect(server.timestamp).toBe(Number(BigInt(local.startTimeUnixNano) / 1000n))
      expect(server.duration).toBe(Number((BigInt(local.endTimeUnixNano!) - BigInt(local.startTimeUnixNano)) / 1000n))
      expect(server.localEndpoint.serviceName).toBe('shop')
      const query = spans.find((s) => s.kind === 'CLIENT')!
      expect(query.parentId).toBeDefined()
      expect(query.tags['db.system.name']).toBe('sqlite')
      expect(spans.flatMap((s) => s.annotations ?? []).map((a) => a.value)).toContainEqual(expect.stringContaining('log: listing 2 products'))
    } finally {
      await panel.shutdown()
      await zipkin.close()
    }
  })

  it("shows the export status as it is now each time a request is opened again, not as it was when first opened", async () => {
    const dead = await startDeadEndpoint('closed')
    const panel = new OpenTelemetryPanel({ serviceName: 'shop', exporter: 'otlp', otlpProtocol: 'http/json', otlpEndpoint: `${dead.url}/v1/traces` })
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const { app } = shop(panel)
      const res = await app.request('/ping', undefined, loopback)
      await res.text()
      const open = async () => (await (await app.request(`/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`, undefined, loopback)).json()).panels.opentelemetry as OpenTelemetryStats
      // Opened at once, as a developer does: the batch has not been sent yet.
      expect((await open()).export.exporters[0]).toMatchObject({ attempts: 0, failures: 0 })
      await panel.forceFlush()
      // Opened again (Refresh): the collector refused the batch, and the panel says so.
      const again = (await open()).export.exporters[0]!
      expect(again.failures).toBeGreaterThan(0)
      expect(again.lastError).toBeTruthy()
    } finally {
      warn.mockRestore()
      await panel.shutdown()
      await dead.close()
    }
  })

  it('shows and prints a collector URL without the credentials written into it', async () => {
    const peer = await startOtlpHttpPeer()
    const dead = await startDeadEndpoint('closed')
    const withSecrets = (url: string) => `${url.replace('http://', 'http://ada:pw-s3cret@')}?api_key=key-s3cret`
    const panel = new OpenTelemetryPanel({ serviceName: 'shop', exporter: 'otlp', otlpProtocol: 'http/json', otlpEndpoint: withSecrets(peer.url) })
    const deadPanel = new OpenTelemetryPanel({ serviceName: 'shop', exporter: 'otlp', otlpProtocol: 'http/json', otlpEndpoint: withSecrets(`${dead.url}/v1/traces`) })
    const warnings: string[] = []
    const warn = vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void warnings.push(args.join(' ')))
    try {
      const { run } = shop(panel)
      const first = await run('/ping')
      await panel.forceFlush()
      // The collector still gets the credentials...
      await peer.waitForSpans((all) => all.some((s) => s.traceId === first.traceId), 10_000)
      expect(peer.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('ada:pw-s3cret').toString('base64')}`)
      // ...and the panel (what the API, the MCP server and a durable store get) does not show them.
      const { export: shown } = await run('/ping')
      expect(shown.exporters[0]!.name).toBe(`otlp http/json ${peer.url.replace('http://', 'http://REDACTED:REDACTED@')}?api_key=REDACTED`)
      expect(shown.exporters[0]!.successes).toBeGreaterThan(0)
      // Nor does the warning a dead collector prints.
      await shop(deadPanel).run('/ping')
      await deadPanel.forceFlush()
      expect(warnings.join('\n')).toContain(`at http://REDACTED:REDACTED@127.0.0.1:${dead.port}/v1/traces?api_key=REDACTED`)
      expect(warnings.join('\n')).not.toMatch(/s3cret/)
    } finally {
      warn.mockRestore()
      await Promise.all([panel.shutdown(), deadPanel.shutdown()])
      await Promise.all([peer.close(), dead.close()])
    }
  })

  it('sends no secret of a URL given as a query value, nor of a log line\'s text, to an OTLP HTTP collector', async () => {
    const peer = await startOtlpHttpPeer()
    const panel = new OpenTelemetryPanel({ serviceName: 'shop', exporter: 'otlp', otlpProtocol: 'http/json', otlpEndpoint: peer.url })
    try {
      const { app, run } = shop(panel)
      app.get('/login', (c) => {
        console.info('login attempt user=ann password=pw-s3cret')
        return c.text('ok')
      })
      const stats = await run('/login?next=https%3A%2F%2Fapi.example%2Fcb%3Ftoken%3Dnext-s3cret&step=2')
      await panel.forceFlush()
      const spans = await peer.waitForSpans((all) => all.some((s) => s.kind === 'SERVER' && s.traceId === stats.traceId), 10_000)
      const ofTrace = spans.filter((s) => s.traceId === stats.traceId)
      const server = ofTrace.find((s) => s.kind === 'SERVER')!
      expect(server.attributes['url.query']).toBe(`next=${encodeURIComponent('https://api.example/cb?token=REDACTED')}&step=2`)
      const logs = ofTrace.flatMap((s) => s.events).filter((e) => e.name === 'log')
      expect(logs.map((e) => e.attributes['log.message'])).toEqual(['login attempt user=ann password=********'])
      expect(JSON.stringify(ofTrace)).not.toMatch(/s3cret/)
    } finally {
      await panel.shutdown()
      await peer.close()
    }
  })

  it('keeps request latency when the collector is dead', async () => {
    const dead = await startDeadEndpoint('silent')
    const quiet = new OpenTelemetryPanel({ serviceName: 'shop', exporter: 'none' })
    const stuck = new OpenTelemetryPanel({ serviceName: 'shop', exporter: 'otlp', otlpProtocol: 'grpc', otlpEndpoint: dead.url })
    const a = shop(quiet)
    const b = shop(stuck)
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!
    const time = async (app: Hono) => {
      const started = performance.now()
      await (await app.request('/ping', undefined, loopback)).text()
      return performance.now() - started
    }
    try {
      for (let i = 0; i < 5; i++) await Promise.all([time(a.app), time(b.app)])
      // An export to the dead collector is now hanging, for the whole measurement.
      const flushing = stuck.forceFlush()
      const none: number[] = []
      const deadTimes: number[] = []
      // Alternate the two apps so that machine noise hits both alike.
      for (let i = 0; i < 40; i++) {
        none.push(await time(a.app))
        deadTimes.push(await time(b.app))
      }
      const during = stuck.exporter!.status()
      expect(during.attempts).toBeGreaterThan(0)
      expect(during.successes + during.failures).toBe(0)
      expect(median(deadTimes) / median(none)).toBeLessThan(3)
      await flushing
      expect(stuck.exporter!.status().failures).toBeGreaterThan(0)
    } finally {
      await Promise.all([quiet.shutdown(), stuck.shutdown()])
      await dead.close()
    }
  })

  it('exports a request of 5,000 spans whole, and counts the spans a full export queue drops', async () => {
    const peer = await startOtlpGrpcPeer()
    // A bulk import: 5,000 queries, each a span ended when the request finishes.
    const bulk = (panel: OpenTelemetryPanel) => {
      const app = new Hono()
      app.use(debugToolbar({ panels: [new SqlPanel({ maxQueries: 6000 })], extraPanels: [panel] }))
      app.post('/import', (c) => {
        for (let i = 0; i < 5000; i++) recordQuery({ sql: 'INSERT INTO items (id) VALUES (?)', params: [i], durationMs: 0.01 })
        return c.text('imported')
      })
      return async () => {
        const res = await app.request('/import', { method: 'POST' }, loopback)
        await res.text()
        const detail = await (await app.request(`/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`, undefined, loopback)).json()
        await panel.forceFlush()
        return detail.panels.opentelemetry as OpenTelemetryStats
      }
    }
    const received = (traceId: string) => peer.spans().filter((s) => s.traceId === traceId).length
    const whole = new OpenTelemetryPanel({ serviceName: 'bulk', exporter: 'otlp', otlpProtocol: 'grpc', otlpEndpoint: peer.url })
    process.env.OTEL_BSP_MAX_QUEUE_SIZE = '1000'
    const small = new OpenTelemetryPanel({ serviceName: 'bulk', exporter: 'otlp', otlpProtocol: 'grpc', otlpEndpoint: peer.url })
    delete process.env.OTEL_BSP_MAX_QUEUE_SIZE
    try {
      // By default the queue holds a whole trace (maxSpansPerTrace, 10,000): every span arrives.
      const first = await bulk(whole)()
      expect(first.spanCount).toBe(5001)
      await peer.waitForSpans(() => received(first.traceId) === 5001, 10_000)
      expect(whole.exporter!.status()).toMatchObject({ queueDropped: 0, maxQueueSize: 10_000 })
      // A queue of 1,000 takes what it can; the rest is counted and said, not lost in silence.
      const second = await bulk(small)()
      const status = small.exporter!.status()
      expect(status.maxQueueSize).toBe(1000)
      expect(status.queueDropped).toBeGreaterThanOrEqual(4001 - 512)
      await peer.waitForSpans(() => received(second.traceId) === 5001 - status.queueDropped!, 10_000)
      expect(received(second.traceId) + status.queueDropped!).toBe(5001)
    } finally {
      await Promise.all([whole.shutdown(), small.shutdown()])
      await peer.close()
    }
  })

  it('says a collector that answers 503 does so, and stops sending to it when the panel gives up', { timeout: 20_000 }, async () => {
    const posts: number[] = []
    const busy = http.createServer((req, res) => {
      posts.push(Date.now())
      req.resume().on('end', () => res.writeHead(503).end())
    })
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(busy.address() as AddressInfo).port}/v1/traces`
    // Default times: the exporter's 5 s (retries included) within the panel's 6 s bound.
    const panel = new OpenTelemetryPanel({ serviceName: 'shop', exporter: 'otlp', otlpProtocol: 'http/protobuf', otlpEndpoint: url })
    try {
      await shop(panel).run('/ping')
      await panel.forceFlush()
      const status = panel.exporter!.status()
      expect(status.failures).toBe(1)
      // The exporter's own answer, within its time, not the panel's bound running out first.
      expect(status.lastError).toBe('the collector kept answering "try again later" (HTTP 429, 502, 503 or 504, or gRPC UNAVAILABLE) until the export\'s time ran out')
      const sent = posts.length
      // The first try and its retries (backoff 1 s, then 1.5x), all within the 5 s.
      expect(sent).toBeGreaterThanOrEqual(3)
      // No retry goes on behind the panel's back once it has counted the failure.
      await new Promise((resolve) => setTimeout(resolve, 2500))
      expect(posts.length).toBe(sent)
    } finally {
      await panel.shutdown()
      await new Promise((resolve) => busy.close(resolve))
    }
  })
})
