import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { serve } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel, parseTraceparent, type OpenTelemetryStats } from '../../src/opentelemetry/index.js'

const loopback = { incoming: { socket: { remoteAddress: '127.0.0.1' } } }

// A real downstream service on loopback that remembers the trace headers it received.
const received: Array<{ traceparent: string | null; tracestate: string | null }> = []
let downstream: ReturnType<typeof serve>
let base = ''

beforeAll(async () => {
  const service = new Hono()
  service.all('*', (c) => {
    received.push({ traceparent: c.req.header('traceparent') ?? null, tracestate: c.req.header('tracestate') ?? null })
    return c.text('down', c.req.path === '/fail' ? 502 : 200)
  })
  downstream = serve({ fetch: service.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise<void>((resolve) => downstream.once('listening', () => resolve()))
  base = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}`
})

afterAll(() => new Promise<void>((resolve) => downstream.close(() => resolve())))

function makeApp(options: ConstructorParameters<typeof OpenTelemetryPanel>[0] = {}) {
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', ...options })] }))
  const run = async (path: string, init?: RequestInit) => {
    const res = await app.request(path, init, loopback)
    await res.text()
    const detail = await (await app.request(`/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`, undefined, loopback)).json()
    return detail.panels.opentelemetry as OpenTelemetryStats
  }
  return { app, run }
}

describe('fetch propagation', () => {
  it('gives fetch() inside a request a CLIENT span whose context the downstream service receives', async () => {
    const { app, run } = makeApp()
    app.get('/checkout', async (c) => {
      const res = await fetch(`${base}/prices?sku=1&token=secret-value`, { headers: { accept: 'text/plain' } })
      return c.text(await res.text())
    })
    received.length = 0
    const stats = await run('/checkout')
    const client = stats.spans.find((s) => s.kind === 'CLIENT')!
    expect(client.parentSpanId).toBe(stats.rootSpanId)
    expect(client.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.full': `${base}/prices?sku=1&token=REDACTED`,
      'server.address': '127.0.0.1',
      'http.response.status_code': 200,
    })
    expect(received).toHaveLength(1)
    const sent = parseTraceparent(received[0]!.traceparent)!
    expect(sent.traceId).toBe(stats.traceId)
    expect(sent.spanId).toBe(client.spanId)
  })

  it('passes the random flag and tracestate of an incoming trace on', async () => {
    const { app, run } = makeApp()
    app.get('/', async (c) => c.text(await (await fetch(`${base}/x`)).text()))
    received.length = 0
    await run('/', { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03', tracestate: 'rojo=00f067aa0ba902b7' } })
    const sent = parseTraceparent(received[0]!.traceparent)!
    expect(sent.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
    expect(sent.flags).toBe(0x03)
    expect(received[0]!.tracestate).toBe('rojo=00f067aa0ba902b7')
  })

  it('marks 5xx answers and network errors as ERROR', async () => {
    const { app, run } = makeApp()
    app.get('/', async (c) => {
      await fetch(`${base}/fail`)
      await fetch('http://127.0.0.1:1/refused').catch(() => undefined)
      return c.text('ok')
    })
    const clients = (await run('/')).spans.filter((s) => s.kind === 'CLIENT')
    expect(clients).toHaveLength(2)
    expect(clients.map((s) => s.status.code)).toEqual(['ERROR', 'ERROR'])
    expect(clients[1]!.events.map((e) => e.name)).toEqual(['exception'])
  })

  it('leaves fetch outside a request untouched', async () => {
    makeApp()
    received.length = 0
    await (await fetch(`${base}/outside`)).text()
    expect(received).toEqual([{ traceparent: null, tracestate: null }])
  })

  it('does nothing when propagateFetch is off', async () => {
    const { app, run } = makeApp({ propagateFetch: false })
    app.get('/', async (c) => c.text(await (await fetch(`${base}/x`)).text()))
    received.length = 0
    const stats = await run('/')
    expect(received[0]!.traceparent).toBeNull()
    expect(stats.spans.filter((s) => s.kind === 'CLIENT')).toEqual([])
  })
})
