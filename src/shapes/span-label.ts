/**
 * What a span is called where one line names it: the waterfall's row and get_trace's tree.
 * The HTTP semantic conventions name an outgoing request's CLIENT span after its method
 * alone (`GET`, the toolbar's own fetch spans included), so the line adds where it went.
 * One function for both, so that a developer and an agent read the same label.
 */

/** The span fields a label reads (a ToolbarSpan, or a span as the trace API answers it). */
export interface LabelledSpan {
  name: string
  kind: string
  attributes: Readonly<Record<string, unknown>>
}

/**
 * Where a CLIENT span went: `url.full`, else `server.address[:server.port]` with the path
 * (`url.template`, else `url.path`), as the current HTTP conventions write them (the older
 * `http.url`, `net.peer.name`, `net.peer.port`, `http.target` too). Undefined for other
 * kinds, when nothing says where, and when the name already says it.
 *
 * @example
 * ```ts
 * spanTarget({ name: 'GET', kind: 'CLIENT', attributes: { 'url.full': 'http://inventory:8080/stock/7' } }) // 'http://inventory:8080/stock/7'
 * spanTarget({ name: 'GET', kind: 'CLIENT', attributes: { 'server.address': 'api.example.com', 'url.template': '/v1/users/{id}' } }) // 'api.example.com/v1/users/{id}'
 * spanTarget({ name: 'SELECT users', kind: 'CLIENT', attributes: {} }) // undefined
 * ```
 */
export function spanTarget(span: LabelledSpan): string | undefined {
  if (span.kind !== 'CLIENT') return undefined
  const a = span.attributes
  let target = text(a['url.full']) ?? text(a['http.url'])
  if (target === undefined) {
    const host = text(a['server.address']) ?? text(a['net.peer.name'])
    const port = text(a['server.port']) ?? text(a['net.peer.port'])
    const path = text(a['url.template']) ?? text(a['url.path']) ?? text(a['http.target'])
    if (host === undefined && path === undefined) return undefined
    target = `${host ?? ''}${host !== undefined && port !== undefined ? `:${port}` : ''}${path ?? ''}`
  }
  return span.name.includes(target) ? undefined : target
}

/**
 * A span's name with where it went beside it (`spanTarget`), or, for a SERVER span named by
 * its method alone (a request no route matched), the path it was asked for (`unroutedPath`),
 * so that the waterfall reads `GET /nope` as the History and the MCP server name it; else
 * its name alone.
 *
 * @example
 * ```ts
 * spanLabel({ name: 'GET', kind: 'CLIENT', attributes: { 'url.full': 'http://inventory:8080/stock/7' } }) // 'GET http://inventory:8080/stock/7'
 * spanLabel({ name: 'GET', kind: 'SERVER', attributes: { 'url.path': '/nope' } }) // 'GET /nope'
 * spanLabel({ name: 'GET /users/:id', kind: 'SERVER', attributes: {} }) // 'GET /users/:id'
 * ```
 */
export function spanLabel(span: LabelledSpan): string {
  const beside = spanTarget(span) ?? unroutedPath(span)
  return beside === undefined ? span.name : `${span.name} ${beside}`
}

/**
 * What a folded group of CLIENT spans (repeated siblings of one name) went to, said once:
 * their one target when they all share it, else the origin (or host) they all share
 * (`http://inventory:8080` for `/stock/1`, `/stock/2`, ...). Undefined when they share
 * nothing, when one says nothing, or for other kinds.
 *
 * @example
 * ```ts
 * const get = (url: string) => ({ name: 'GET', kind: 'CLIENT', attributes: { 'url.full': url } })
 * groupTarget([get('http://inventory:8080/stock/1'), get('http://inventory:8080/stock/2')]) // 'http://inventory:8080'
 * groupTarget([get('http://a/x'), get('http://b/x')]) // undefined
 * ```
 */
export function groupTarget(spans: readonly LabelledSpan[]): string | undefined {
  let shared: string | undefined
  let origin: string | undefined
  for (const span of spans) {
    const target = spanTarget(span)
    if (target === undefined) return undefined
    const from = originOf(target)
    if (shared === undefined) {
      shared = target
      origin = from
    } else if (target !== shared) {
      shared = ''
      if (from !== origin) origin = undefined
    }
  }
  if (shared) return shared
  return origin
}

/** The scheme, host and port of a URL (`http://inventory:8080`), or the host of `host:port/path`. */
function originOf(target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    try {
      const url = new URL(target)
      return url.origin === 'null' ? undefined : url.origin
    } catch {
      return undefined
    }
  }
  const host = /^[^/?#]+/.exec(target)?.[0]
  return host === undefined ? undefined : host
}

/** The methods HTTP defines (RFC 9110, and PATCH); `HTTP` is the name the conventions give any other. */
const METHOD_NAMES = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'HTTP'])

/**
 * The path a SERVER span named by its method alone was asked for: the HTTP conventions name
 * a SERVER span `{method}` when no route matched (a 404), so a list of traces would call it
 * `GET` where the request list says `GET /nope`. `url.path`, else the older `http.target`
 * without its query, else the path of `url.full`; undefined for other kinds, a span named
 * otherwise (`GET /users/:id`), and when no attribute says the path. The span's name is
 * left as it is.
 *
 * @example
 * ```ts
 * unroutedPath({ name: 'GET', kind: 'SERVER', attributes: { 'url.path': '/nope' } }) // '/nope'
 * unroutedPath({ name: 'POST', kind: 'SERVER', attributes: { 'http.target': '/hooks?sig=1' } }) // '/hooks'
 * unroutedPath({ name: 'GET', kind: 'SERVER', attributes: { 'url.full': 'http://shop:3000/nope?x=1' } }) // '/nope'
 * unroutedPath({ name: 'GET /users/:id', kind: 'SERVER', attributes: { 'url.path': '/users/7' } }) // undefined
 * ```
 */
export function unroutedPath(span: LabelledSpan): string | undefined {
  if (span.kind !== 'SERVER') return undefined
  const method = text(span.attributes['http.request.method']) ?? text(span.attributes['http.method'])
  if (span.name !== method && !METHOD_NAMES.has(span.name)) return undefined
  return text(span.attributes['url.path']) ?? text(span.attributes['http.target'])?.split('?', 1)[0] ?? pathOfUrl(text(span.attributes['url.full']))
}

/** The path of an absolute URL (`http://shop:3000/nope?x=1` -> `/nope`); undefined when it is not one. */
function pathOfUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined
  try {
    return new URL(url).pathname
  } catch {
    return undefined
  }
}

function text(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value)
  return typeof value === 'string' && value !== '' ? value : undefined
}
