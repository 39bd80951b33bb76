/** The argument schemas the tools share, so that every tool names and checks ids alike. */
import { z } from 'zod'

export const requestId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a request id is 1-64 letters, digits, - or _ (list_requests shows them)')
  .describe('A request id, as list_requests shows it')

export const traceId = z
  .string()
  .regex(/^[0-9a-fA-F]{32}$/, 'a trace id is 32 hexadecimal characters')
  .refine((id) => !/^0+$/.test(id), 'a trace id is not all zeros')
  .transform((id) => id.toLowerCase())
  .describe('A trace id (32 hex characters), as list_requests or get_request show it')

/** A span id, also with the `#` that get_trace writes before it. */
export const spanId = z
  .string()
  .regex(/^#?[0-9a-fA-F]{16}$/, 'a span id is 16 hexadecimal characters, as get_trace shows them (# allowed)')
  .transform((id) => id.replace('#', '').toLowerCase())

/**
 * 1 to `most` span ids: a list, or one string of them as get_trace writes them (`#a1b2...`,
 * or a folded line's `#a1b2...,c3d4...`), so that what an answer shows can be passed back as it is.
 *
 * @example
 * ```ts
 * spanIds(20).parse('#00f067aa0ba902b7,00f067aa0ba902b8') // ['00f067aa0ba902b7', '00f067aa0ba902b8']
 * ```
 */
export function spanIds(most: number) {
  const list = z.array(spanId).min(1, 'give at least one span id, as get_trace shows them').max(most, `at most ${most} span ids at a time`)
  return z.union([list, z.string().max(most * 20).transform((text) => text.split(/[\s,]+/).filter(Boolean)).pipe(list)], {
    error: `expected 1 to ${most} span ids (16 hexadecimal characters each, as get_trace shows them, # allowed): a list, or one string of them separated by commas`,
  })
}

export const cursor = z.string().max(200).describe('The nextCursor of the previous answer, for the next page')

/**
 * A number argument that may also come as a string of its digits (`"3"` for `3`; `"2.5"`
 * where `inner` takes fractions), as agents often write numbers; `inner` checks both, and
 * the input schema offers both (`anyOf` an integer or number and a string pattern).
 * Anything else is refused with a message naming `what`.
 *
 * @example
 * ```ts
 * const queryId = numberArg(z.number().int().min(1), 'a query id, a whole number from 1')
 * queryId.parse('3') // 3
 * ```
 */
export function numberArg(inner: z.ZodNumber, what: string) {
  // `.int()` gives the schema the format `safeint` (`int32`, `uint32` for the sized ones).
  const digits = inner.format?.includes('int') ? /^\d+$/ : /^\d+(\.\d+)?$/
  return z.union([inner, z.string().regex(digits).transform(Number).pipe(inner)], { error: `expected ${what}: a number, or a string of its digits ("3")` })
}

/** A true/false argument, also as the string `"true"` or `"false"` (as agents often write it). */
export const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((text) => text === 'true')], {
  error: 'expected true or false (or the string "true" or "false")',
})

/** A page size with a default and a cap. */
export function limit(fallback: number, most: number) {
  return numberArg(z.number().int().min(1).max(most), `a whole number from 1 to ${most}`)
    .default(fallback)
    .describe(`How many items per page (default ${fallback}, at most ${most})`)
}

/** A route filter: the pattern or path, and the method when one was written before it. */
export interface RouteFilter {
  text: string
  method: string | undefined
  route: string
}

/**
 * A route pattern or path, also as the tools write it with its method (`GET /users/:id`),
 * so that a route an answer shows can be passed back as it is.
 */
export const route = z
  .string()
  .max(500)
  .transform((text): RouteFilter => {
    const withMethod = /^([A-Za-z]{1,16})\s+(\S.*)$/.exec(text.trim())
    return withMethod ? { text, method: withMethod[1]!.toUpperCase(), route: routePath(withMethod[2]!) } : { text, method: undefined, route: routePath(text) }
  })

/**
 * The path a route filter names, as an agent may write it: `users`, a whole URL, or a path
 * with its query or fragment all name `/users` (routes and paths are recorded without them).
 */
function routePath(written: string): string {
  let path = written.trim().replace(/^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i, '')
  const end = path.search(/[?#]/)
  if (end !== -1) path = path.slice(0, end)
  // `*` is a route of its own (`app.get('*', …)`).
  return path.startsWith('/') || path === '*' ? path : `/${path}`
}

/**
 * True when a request is on `filter`'s route: its pattern or its path, and its method when the filter has one.
 *
 * @example
 * ```ts
 * onRoute({ method: 'GET', route: '/users/:id', path: '/users/2' }, { text: 'GET /users/:id', method: 'GET', route: '/users/:id' }) // true
 * ```
 */
export function onRoute(request: { method: string; route?: string | undefined; path: string }, filter: RouteFilter): boolean {
  if (filter.method && request.method.toUpperCase() !== filter.method) return false
  return request.route === filter.route || request.path === filter.route
}

/** Most routes a hint names. */
const HINT_ROUTES = 10

/**
 * The routes of `requests` with how many requests each has, for an answer that found none
 * on the route asked for: those whose pattern or path contains what was asked first, then
 * the busiest; at most 10, each written as a route filter takes it (`GET /users/:id`).
 *
 * @example
 * ```ts
 * recordedRoutes([{ method: 'GET', route: '/users/:id', path: '/users/2' }], '/user') // [{ route: 'GET /users/:id', requests: 1 }]
 * ```
 */
export function recordedRoutes(requests: ReadonlyArray<{ method: string; route?: string | undefined; path: string }>, asked = ''): Array<{ route: string; requests: number }> {
  const wanted = asked.trim().toLowerCase()
  const routes = new Map<string, { route: string; requests: number; near: boolean }>()
  for (const r of requests) {
    const name = `${r.method} ${r.route ?? r.path}`
    const seen = routes.get(name) ?? { route: name, requests: 0, near: false }
    seen.requests++
    if (wanted && (name.toLowerCase().includes(wanted) || r.path.toLowerCase().includes(wanted))) seen.near = true
    routes.set(name, seen)
  }
  return [...routes.values()]
    .sort((a, b) => Number(b.near) - Number(a.near) || b.requests - a.requests || (a.route < b.route ? -1 : 1))
    .slice(0, HINT_ROUTES)
    .map(({ route, requests }) => ({ route, requests }))
}

/**
 * `recordedRoutes` as text.
 *
 * @example
 * ```ts
 * routesText([{ route: 'GET /users/:id', requests: 25 }, { route: 'GET /', requests: 1 }]) // 'GET /users/:id (25), GET / (1)'
 * ```
 */
export function routesText(routes: ReadonlyArray<{ route: string; requests: number }>): string {
  return routes.map((r) => `${r.route} (${r.requests})`).join(', ')
}
