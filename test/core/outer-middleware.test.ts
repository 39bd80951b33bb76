import { afterEach, describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'

// Middleware registered before the toolbar runs around it: what it does after `next()`
// (throw, answer another response) happens after the toolbar saw the app's response. On
// Node the toolbar records the status that was sent, so the history, the Request panel and
// the SERVER span say what the client got.

const servers: ServerType[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))))
})

async function start(app: Hono): Promise<string> {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  servers.push(server)
  await new Promise((resolve) => server.once('listening', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function appWithOuterMiddleware() {
  const app = new Hono()
  app.use(async function audit(c, next) {
    await next()
    if (c.req.path === '/audited') throw new Error('audit log unavailable')
  })
  app.use(async function teapot(c, next) {
    await next()
    if (c.req.path === '/teapot') {
      c.res = undefined
      c.res = new Response('short and stout', { status: 418 })
    }
  })
  app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none' })] }))
  app.get('*', (c) => c.html('<html><body>ok</body></html>'))
  app.onError((_error, c) => c.text('something went wrong', 500))
  return app
}

async function shown(base: string, id: string) {
  const detail = await (await fetch(`${base}/_debug_toolbar/api/requests/${id}`)).json()
  const list = await (await fetch(`${base}/_debug_toolbar/api/requests`)).json()
  const trace = await (await fetch(`${base}/_debug_toolbar/api/traces/${detail.traceId}`)).json()
  const server = trace.spans.find((span: { kind: string }) => span.kind === 'SERVER')
  return { detail, listed: list.requests.find((r: { id: string }) => r.id === id), server }
}

describe('middleware before the toolbar that changes the response after next()', () => {
  it('a 500 from an error thrown after the toolbar: recorded as 500, the span an error', async () => {
    const base = await start(appWithOuterMiddleware())
    const res = await fetch(`${base}/audited`)
    expect(res.status).toBe(500)
    await res.text()
    const { detail, listed, server } = await shown(base, res.headers.get('x-debug-toolbar-request-id')!)
    expect(detail.status).toBe(500)
    expect(listed.status).toBe(500)
    expect(detail.panels.request.status).toBe(500)
    expect(server.attributes['http.response.status_code']).toBe(500)
    expect(server.status.code).toBe('ERROR')
    expect(server.attributes['error.type']).toBe('500')
  })

  it('another response answered instead: recorded with its status', async () => {
    const base = await start(appWithOuterMiddleware())
    const res = await fetch(`${base}/teapot`)
    expect(res.status).toBe(418)
    expect(await res.text()).toBe('short and stout')
    const { detail, listed, server } = await shown(base, res.headers.get('x-debug-toolbar-request-id')!)
    expect(detail.status).toBe(418)
    expect(listed.status).toBe(418)
    expect(server.attributes['http.response.status_code']).toBe(418)
    expect(server.status.code).toBe('UNSET')
  })
})
