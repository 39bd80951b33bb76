/**
 * The route a request is recorded under (the History panel's route, the Routes panel's
 * matched route, the SERVER span's name and `http.route`) is the pattern of the handler that
 * answered, as Hono's own `routePath(c)` says inside that handler, or none when no route of
 * the app answered (the not-found handler did): for any app of middleware and handlers (with
 * and without `next`, answering, passing on, or answering 404 themselves), on any method and
 * path pattern (params, patterns, optional params, wildcards), in a sub-app mounted with
 * `app.route()` too. fast-check writes the apps and the requests.
 */
import { describe, it } from 'vitest'
import fc from 'fast-check'
import { Hono, type Context, type Next } from 'hono'
import { routePath } from 'hono/route'
import { debugToolbar, RoutesPanel } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { request } from '../support/local.js'

const PATHS = ['*', '/', '/a', '/a/*', '/a/:id', '/a/:id{[0-9]+}', '/b/:x?', '/c/*', '/c/:x/e']
const METHODS = ['use', 'get', 'post', 'all'] as const

const routeSpec = fc.record({
  method: fc.constantFrom(...METHODS),
  path: fc.option(fc.constantFrom(...PATHS), { freq: 4, nil: undefined }),
  // What the handler does: answers, answers 404 itself, or passes on to the next one.
  does: fc.constantFrom('answer', 'answer404', 'next', 'next'),
  // Written with `next` in its parameters, or without.
  withNext: fc.boolean(),
})
type RouteSpec = typeof routeSpec extends fc.Arbitrary<infer T> ? T : never

const REQUESTS = ['/', '/a', '/a/1', '/a/x', '/b', '/b/q', '/c/d', '/c/d/e', '/zzz', '/s/a/1', '/s/b', '/s/zzz']

/** Adds the routes to `app`; a handler that answers says which pattern it was, as Hono says it. */
function addRoutes(app: Hono, routes: RouteSpec[], prefix = ''): void {
  routes.forEach((route, i) => {
    const answer = (c: Context) => c.text(`route ${i}`, route.does === 'answer404' ? 404 : 200, { 'x-answered-by': routePath(c), 'x-answered-index': `${prefix}${i}` })
    const handler =
      route.does === 'next'
        ? async (c: Context, next: Next) => {
            c.header('x-passed', `${prefix}${i}`)
            await next()
          }
        : route.withNext
          ? // eslint-disable-next-line @typescript-eslint/no-unused-vars
            async (c: Context, _next: Next) => answer(c)
          : (c: Context) => answer(c)
    const method = route.method === 'use' ? 'use' : route.method
    if (route.path === undefined) {
      if (method === 'use') app.use(handler as never)
      else app[method]('*', handler as never)
    } else app[method](route.path, handler as never)
  })
}

async function routeRecorded(app: Hono, method: string, path: string): Promise<{ answeredBy: string | undefined; index: string | undefined; passed: string | undefined; recorded: unknown; span: unknown; routes: unknown; status: number }> {
  const res = await request(app, path, { method })
  const id = res.headers.get('x-debug-toolbar-request-id')
  if (!id) throw new Error(`${method} ${path} was not recorded`)
  const detail = (await request(app, `/_debug_toolbar/api/requests/${id}`)).json()
  const trace = detail.traceId ? (await request(app, `/_debug_toolbar/api/traces/${detail.traceId}`)).json() : undefined
  const server = trace?.spans?.find((s: { kind: string }) => s.kind === 'SERVER')
  return {
    answeredBy: res.headers.get('x-answered-by') ?? undefined,
    index: res.headers.get('x-answered-index') ?? undefined,
    passed: res.headers.get('x-passed') ?? undefined,
    recorded: detail.route ?? undefined,
    span: server ? { name: server.name, route: server.attributes['http.route'] } : undefined,
    routes: detail.panels.routes?.matchedRoute ?? undefined,
    status: res.status,
  }
}

/** The last handler that passed on (its `x-passed` header is the last one set). */
function lastPassedOn(passed: string | undefined, routes: RouteSpec[], subRoutes: RouteSpec[] | undefined): RouteSpec | undefined {
  if (passed === undefined) return undefined
  return passed.startsWith('s') ? subRoutes![Number(passed.slice(1))] : routes[Number(passed)]
}

describe('the route a request is recorded under', () => {
  it("is the pattern of the handler that answered, or none when the app's not-found handler did", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(routeSpec, { minLength: 1, maxLength: 6 }),
        fc.option(fc.array(routeSpec, { minLength: 1, maxLength: 4 }), { nil: undefined }),
        fc.array(fc.tuple(fc.constantFrom('GET', 'POST', 'PUT'), fc.constantFrom(...REQUESTS)), { minLength: 1, maxLength: 4 }),
        async (routes, subRoutes, requests) => {
          const app = new Hono()
          app.use(debugToolbar({ app, panels: [new RoutesPanel()], extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
          addRoutes(app, routes)
          if (subRoutes) {
            const sub = new Hono()
            addRoutes(sub, subRoutes, 's')
            app.route('/s', sub)
          }
          for (const [method, path] of requests) {
            const seen = await routeRecorded(app, method, path)
            const by = seen.index === undefined ? undefined : seen.index.startsWith('s') ? subRoutes![Number(seen.index.slice(1))]! : routes[Number(seen.index)]!
            // A handler written with `next` on every method (use() and all() make the same
            // route) or on a wildcard answering 404 itself reads as a middleware that passed
            // on to the not-found handler: Hono does not say which (src/core/app-route.ts).
            // The same 404 of no route to a reader either way.
            // And a handler written with `next` that passed on into the not-found handler
            // reads as one that answered 404 itself: the last route that ran, as routePath(c) says.
            const last = lastPassedOn(seen.passed, routes, subRoutes)
            const expected =
              by && by.withNext && seen.status === 404 && (by.method === 'use' || by.method === 'all' || by.path === undefined || by.path.includes('*')) && seen.recorded === undefined
                ? undefined
                : by === undefined && seen.status === 404 && last && last.method !== 'use' && last.method !== 'all' && last.path !== undefined && !last.path.includes('*') && seen.recorded !== undefined
                  ? (seen.passed!.startsWith('s') ? `/s${last.path === '/' ? '' : last.path}` : last.path)
                  : seen.answeredBy
            const name = expected ? `${method} ${expected}` : method
            const ok = seen.recorded === expected && seen.routes === expected && (seen.span as { name: string; route: unknown } | undefined)?.name === name && (seen.span as { route: unknown }).route === expected
            if (!ok) throw new Error(`${method} ${path} (${seen.status}): answered by ${expected ?? 'the not-found handler'}, recorded ${JSON.stringify(seen)}`)
          }
          return true
        },
      ),
      { numRuns: 400 },
    )
  })
})
