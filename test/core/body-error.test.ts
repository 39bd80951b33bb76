import { afterEach, describe, expect, it, vi } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { clientEnv } from '../support/local.js'
import { loopbackServers } from '../support/loopback-service.js'

// A response body that fails while it is being sent (a database cursor that dies, a file
// read that errors) cuts the response off after its 200 went out. The toolbar must not show
// that request as a success: the Request panel names the error, the Time panel says the
// body was not sent whole, and the SERVER span is an error, as Jaeger users expect.

const start = loopbackServers()
afterEach(() => {
  vi.restoreAllMocks()
})

function appWithFailingBody() {
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none' })] }))
  app.get('/export.csv', (c) =>
    c.body(
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('id,name\n'))
          setTimeout(() => controller.error(new Error('cursor closed')), 10)
        },
      }),
      200,
      { 'content-type': 'text/csv' },
    ),
  )
  return app
}

/** What the toolbar's API shows for the request: its detail and its SERVER span. */
async function shown(get: (path: string) => Promise<Response>, id: string) {
  const detail = await (await get(`/_debug_toolbar/api/requests/${id}`)).json()
  const trace = await (await get(`/_debug_toolbar/api/traces/${detail.traceId}`)).json()
  const server = trace.spans.find((span: { kind: string }) => span.kind === 'SERVER')
  return { detail, server }
}

function expectFailedBody({ detail, server }: Awaited<ReturnType<typeof shown>>) {
  expect(detail.status).toBe(200)
  expect(detail.panels.request.error).toBe('Error: cursor closed')
  // Only the bytes the app wrote count; not the text the server appends to a cut response.
  expect(detail.panels.timer).toMatchObject({ aborted: true, responseBytes: 8 })
  expect(server.status).toEqual({ code: 'ERROR', message: 'cursor closed' })
  expect(server.attributes['error.type']).toBe('Error')
  expect(server.events.map((event: { name: string }) => event.name)).toContain('exception')
}

describe('a response body that fails while it is sent', () => {
  it('on @hono/node-server: shows the error in the Request panel and the SERVER span', async () => {
    // node-server prints the stream's error itself.
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const base = await start(appWithFailingBody())
    const res = await fetch(`${base}/export.csv`)
    await expect(res.text()).rejects.toThrow()
    const id = res.headers.get('x-debug-toolbar-request-id')!
    await expect
      .poll(async () => (await (await fetch(`${base}/_debug_toolbar/api/requests/${id}`)).json()).panels?.timer?.aborted, { timeout: 5000 })
      .toBe(true)
    expectFailedBody(await shown((path) => fetch(`${base}${path}`), id))
    expect(printed).toHaveBeenCalled()
  })

  it('on other runtimes (a web-standard Response): shows the same', async () => {
    const app = appWithFailingBody()
    const res = await app.request('/export.csv', undefined, clientEnv())
    await expect(res.text()).rejects.toThrow('cursor closed')
    const id = res.headers.get('x-debug-toolbar-request-id')!
    expectFailedBody(await shown((path) => Promise.resolve(app.request(path, undefined, clientEnv())), id))
  })
})
