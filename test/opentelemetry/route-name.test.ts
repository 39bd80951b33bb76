import { afterEach, describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { startLoopbackService } from '../support/loopback-service.js'

const closing: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of closing.splice(0)) await close()
})

/**
 * An app on a loopback port whose `/users/:id` handler (and any other route the test adds)
 * waits until the test lets it answer; `entered` resolves once the handler runs.
 */
let apps = 0

async function slowApp(mount: (app: Hono, handler: (c: any) => Promise<Response>) => void) {
  const app = new Hono()
  // The panels of one process share their traces: each app's service name tells its own.
  const serviceName = `shop-${++apps}`
  app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName })] }))
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  let entered!: () => void
  const inHandler = new Promise<void>((resolve) => (entered = resolve))
  mount(app, async (c) => {
    entered()
    await gate
    return c.text('done')
  })
  const service = await startLoopbackService(app)
  closing.push(async () => {
    release()
    await service.close()
  })
  const api = async (path: string) => (await fetch(`${service.base}/_debug_toolbar/api${path}`)).json()
  const traces = async () => (await api(`/traces?service=${serviceName}`)).traces
  const names = async (): Promise<string[]> => (await traces()).map((t: { rootName: string }) => t.rootName)
  return { base: service.base, release, inHandler, api, traces, names }
}

describe('the SERVER span of a running request', () => {
  it('is named after the route while the handler runs, in the trace list and the trace', async () => {
    const { base, release, inHandler, api, traces, names } = await slowApp((app, handler) => app.get('/users/:id', handler))
    const answer = fetch(`${base}/users/42`)
    await inHandler
    expect(await names()).toEqual(['GET /users/:id'])
    const { spans } = await api(`/traces/${(await traces())[0].traceId}`)
    expect(spans[0].endTimeUnixNano).toBeFalsy()
    expect(spans[0].attributes['http.route']).toBe('/users/:id')
    release()
    expect(await (await answer).text()).toBe('done')
    expect(await names()).toEqual(['GET /users/:id'])
  })

  it('is named after the full route of a sub-app and of a base path while it runs', async () => {
    const { base, release, inHandler, names } = await slowApp((app, handler) => {
      const users = new Hono()
      users.get('/:id', handler)
      app.route('/api/users', users)
      app.basePath('/v2').get('/orders/:id', handler)
    })
    const answer = fetch(`${base}/api/users/7`)
    await inHandler
    expect(await names()).toEqual(['GET /api/users/:id'])
    const order = fetch(`${base}/v2/orders/1`)
    await expect.poll(names).toEqual(['GET /v2/orders/:id', 'GET /api/users/:id'])
    release()
    await Promise.all([(await answer).text(), (await order).text()])
    expect(await names()).toEqual(['GET /v2/orders/:id', 'GET /api/users/:id'])
  })

  it('takes the name of what answered when a middleware answers before the route, and none for a 404', async () => {
    const { base, names, traces } = await slowApp((app, handler) => {
      app.use('/admin/*', async (c, next) => (c.req.header('x-admin') ? next() : c.text('no', 401)))
      app.get('/admin/users/:id', handler)
    })
    expect((await fetch(`${base}/admin/users/1`)).status).toBe(401)
    expect((await fetch(`${base}/missing`)).status).toBe(404)
    expect(await names()).toEqual(['GET', 'GET /admin/*'])
    // The trace list says the path a 404 asked for beside its span's name, as the History names the request.
    expect((await traces()).map((t: { rootPath?: string }) => t.rootPath)).toEqual(['/missing', undefined])
  })

  it('has no http.route when the route it started with passed on and no route answered', async () => {
    const { base, api, traces, names } = await slowApp((app) => {
      // A handler that passes on when it has nothing to say, and a catch-all middleware's 404 after it.
      app.get('/orders/:id', async (c, next) => (c.req.query('draft') ? c.text('draft') : next()))
      app.use(async (c, _next) => c.text('nothing here', 404))
    })
    expect((await fetch(`${base}/orders/7`)).status).toBe(404)
    expect(await names()).toEqual(['GET'])
    const { spans } = await api(`/traces/${(await traces())[0].traceId}`)
    expect(spans[0].attributes).not.toHaveProperty('http.route')
  })

  it('is named after a route whose handler takes next and answers 404 itself', async () => {
    const { base, api, traces, names } = await slowApp((app) => {
      app.get('/orders/:id', async (c, _next) => c.json({ error: 'no such order' }, 404))
    })
    expect((await fetch(`${base}/orders/7`)).status).toBe(404)
    expect(await names()).toEqual(['GET /orders/:id'])
    const { spans } = await api(`/traces/${(await traces())[0].traceId}`)
    expect(spans[0].attributes['http.route']).toBe('/orders/:id')
  })

  it('is named after a route whose handler takes next while it runs, even with a catch-all route after it', async () => {
    const { base, release, inHandler, api, traces, names } = await slowApp((app, handler) => {
      // A cache-style middleware registered for GET on every path is not what answers.
      app.get('*', async (_c, next) => {
        await next()
      })
      app.get('/users/:id', async (c, _next) => handler(c))
      app.get('*', (c) => c.text('fallback'))
    })
    const answer = fetch(`${base}/users/42`)
    await inHandler
    expect(await names()).toEqual(['GET /users/:id'])
    const [running] = await traces()
    const { spans } = await api(`/traces/${running.traceId}`)
    expect(spans[0].attributes['http.route']).toBe('/users/:id')
    expect(await api(`/requests/${running.requestId}`)).toMatchObject({ path: '/users/42', route: '/users/:id', inFlight: true })
    release()
    expect(await (await answer).text()).toBe('done')
    expect(await names()).toEqual(['GET /users/:id'])
    expect((await fetch(`${base}/other`)).status).toBe(200)
    expect(await names()).toEqual(['GET /*', 'GET /users/:id'])
  })
})
