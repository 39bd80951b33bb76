/**
 * Deep links from the toolbar to the trace in Jaeger, Zipkin and Grafana Tempo.
 * Ids are checked here because a malformed id would open an empty page, not an error.
 */

const TRACE_ID = /^[0-9a-f]{32}$/
const SPAN_ID = /^[0-9a-f]{16}$/
const ALL_ZEROS = /^0+$/

/**
 * The Jaeger UI page of a trace; with `spanId`, Jaeger highlights that span.
 *
 * @example
 * ```ts
 * jaegerTraceUrl('http://localhost:16686', '4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7')
 * // 'http://localhost:16686/trace/4bf92f3577b34da6a3ce929d0e0e4736?uiFind=00f067aa0ba902b7'
 * ```
 */
export function jaegerTraceUrl(base: string, traceId: string, spanId?: string): string {
  const page = `/trace/${checkTraceId(traceId)}`
  return withPath(trimBase(base, 'Jaeger UI'), page, spanId === undefined ? '' : `uiFind=${checkSpanId(spanId)}`)
}

/**
 * The Zipkin UI page of a trace. `base` is the root of the Zipkin UI, as for
 * `jaegerTraceUrl`: `http://localhost:9411/zipkin`, or the path set with
 * `zipkin.ui.basepath` (`https://ops.example.com/tools/zipkin`). A bare server address
 * (`http://localhost:9411`) means the UI's default base path, `/zipkin`.
 *
 * @example
 * ```ts
 * zipkinTraceUrl('http://localhost:9411/zipkin', '4bf92f3577b34da6a3ce929d0e0e4736')
 * // 'http://localhost:9411/zipkin/traces/4bf92f3577b34da6a3ce929d0e0e4736'
 * zipkinTraceUrl('http://localhost:9411', '4bf92f3577b34da6a3ce929d0e0e4736') // the same
 * ```
 */
export function zipkinTraceUrl(base: string, traceId: string): string {
  const root = trimBase(base, 'Zipkin UI')
  let path = ''
  try {
    path = new URL(root).pathname
  } catch {
    throw new Error(`invalid Zipkin UI URL ${JSON.stringify(base)} (expected an absolute http(s) URL)`)
  }
  // The Zipkin server serves its UI under /zipkin unless zipkin.ui.basepath says otherwise.
  const ui = path === '/' || path === '' ? '/zipkin' : ''
  return withPath(root, `${ui}/traces/${checkTraceId(traceId)}`)
}

/**
 * Grafana Explore with a TraceQL query of the trace id against a Tempo datasource.
 *
 * @example
 * ```ts
 * tempoTraceUrl('http://localhost:3000', 'tempo', '4bf92f3577b34da6a3ce929d0e0e4736')
 * // 'http://localhost:3000/explore?schemaVersion=1&orgId=1&panes=%7B%22a%22%3A...'
 * ```
 */
export function tempoTraceUrl(grafanaUrl: string, datasourceUid: string, traceId: string): string {
  checkTraceId(traceId)
  if (typeof datasourceUid !== 'string' || datasourceUid === '') {
    throw new Error('invalid Tempo datasource uid (expected a non-empty string)')
  }
  const panes = {
    a: {
      datasource: datasourceUid,
      queries: [{ refId: 'A', datasource: { type: 'tempo', uid: datasourceUid }, queryType: 'traceql', query: traceId }],
      range: { from: 'now-1h', to: 'now' },
    },
  }
  const base = trimBase(grafanaUrl, 'Grafana')
  return `${base}/explore?schemaVersion=1&orgId=1&panes=${encodeURIComponent(JSON.stringify(panes))}`
}

/**
 * `root` with `path` added to its path, and `query` to its query: a UI behind a proxy may
 * need a query of its own (`?org=dev`), which stays after the page's path.
 */
function withPath(root: string, path: string, query = ''): string {
  const at = root.search(/[?#]/)
  const head = at < 0 ? root : root.slice(0, at).replace(/\/+$/, '')
  const rest = at < 0 ? '' : root.slice(at)
  const hashAt = rest.indexOf('#')
  const search = (hashAt < 0 ? rest : rest.slice(0, hashAt)).replace(/^\?/, '')
  const params = [search, query].filter(Boolean).join('&')
  return `${head}${path}${params ? `?${params}` : ''}${hashAt < 0 ? '' : rest.slice(hashAt)}`
}

function trimBase(base: string, what: string): string {
  if (typeof base !== 'string' || base.trim() === '') throw new Error(`invalid ${what} URL (expected a non-empty string)`)
  return base.trim().replace(/\/+$/, '')
}

function checkTraceId(traceId: string): string {
  if (typeof traceId !== 'string' || !TRACE_ID.test(traceId) || ALL_ZEROS.test(traceId)) {
    throw new Error(`invalid trace id ${JSON.stringify(traceId)} (expected 32 lowercase hex characters, not all zero)`)
  }
  return traceId
}

function checkSpanId(spanId: string): string {
  if (typeof spanId !== 'string' || !SPAN_ID.test(spanId) || ALL_ZEROS.test(spanId)) {
    throw new Error(`invalid span id ${JSON.stringify(spanId)} (expected 16 lowercase hex characters, not all zero)`)
  }
  return spanId
}
