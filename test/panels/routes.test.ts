import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import { debugToolbar } from '../../src/index.js'
import { request } from '../support/local.js'

interface Row {
  method: string
  path: string
  name: string
  isMiddleware: boolean
  matched: boolean
}

/** An app that does not pass itself to the toolbar, as in the README's first example. */
function appWithoutAppOption() {
  const app = new Hono()
  app.use(debugToolbar())
  app.use('/api/*', cors())
  app.get('/api/users/:id', function showUser(c) {
    return c.json({ id: c.req.param('id') })
  })
  return app
}

async function routesOf(app: Hono, path: string) {
  const res = await request(app, path)
  const detail = (await request(app, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
  return { stats: detail.panels.routes as { routes: Row[]; matchedRoute?: string; complete: boolean }, subtitle: detail.nav.find((n: { id: string }) => n.id === 'routes').subtitle }
}

describe('a handler that takes next and answers 404 itself', () => {
  it('is the route that answered, in the Routes panel, the request and the history list', async () => {
    const app = new Hono()
    app.use(debugToolbar({ app }))
    app.use('/orders/*', async function audit(_c, next) {
      await next()
    })
    // Written with next (a handler some middleware library handed over), it is the last
    // route that matched, and answers the 404 itself: Hono names it the route.
    app.get('/orders/:id', async function showOrder(c, _next) {
      return c.json({ error: 'no such order' }, 404)
    })
    const res = await request(app, '/orders/7')
    expect(res.status).toBe(404)
    const id = res.headers.get('x-debug-toolbar-request-id')
    const detail = (await request(app, `/_debug_toolbar/api/requests/${id}`)).json()
    expect(detail.route).toBe('/orders/:id')
    expect(detail.panels.routes.matchedRoute).toBe('/orders/:id')
    expect(detail.nav.find((n: { id: string }) => n.id === 'routes').subtitle).toBe('/orders/:id')
    const { requests } = (await request(app, '/_debug_toolbar/api/requests')).json()
    expect(requests[0]).toMatchObject({ id, route: '/orders/:id', status: 404 })
    // A middleware that calls next() into the not-found handler still answers no route.
    const missing = await routesOf(app, '/orders')
    expect(missing.stats.matchedRoute).toBeUndefined()
    const alsoMissing = await routesOf(app, '/orders/7/items')
    expect(alsoMissing.stats.matchedRoute).toBeUndefined()
  })
})

describe('Routes panel without the app', () => {
  it('names the routes the request went through and tells middleware from the handler', async () => {
    const { stats, subtitle } = await routesOf(appWithoutAppOption(), '/api/users/7')
    expect(stats.complete).toBe(false)
    expect(subtitle).toBe('/api/users/:id')
    expect(stats.routes).toEqual([
      { method: 'ALL', path: '/*', name: 'debugToolbarMiddleware', isMiddleware: true, matched: true },
      { method: 'ALL', path: '/api/*', name: 'cors', isMiddleware: true, matched: true },
      { method: 'GET', path: '/api/users/:id', name: 'showUser', isMiddleware: false, matched: true },
    ])
  })

  it('says that no route answered a request that matched none', async () => {
    const { stats, subtitle } = await routesOf(appWithoutAppOption(), '/nowhere')
    expect(stats.matchedRoute).toBeUndefined()
    expect(subtitle).toBe('no route')
  })
})
