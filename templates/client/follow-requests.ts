import { TOTAL_METRIC } from '../../src/shapes/server-timing-names.js'
/** A request the page made itself (fetch or XMLHttpRequest) that the toolbar recorded. */
export interface PageRequest {
  id: string
  method: string
  /** Path and query, same origin. */
  path: string
  status: number
  /**
   * The toolbar's own time for it, from the response's `Server-Timing` (`hdt-total`): two
   * calls to one URL read apart, and a slow one shows before it is opened.
   */
  durationMs?: number
}

/**
 * The `hdt-total` duration of a `Server-Timing` header (the toolbar's own entry,
 * `TOTAL_METRIC`), or undefined without one.
 *
 * @example
 * ```ts
 * toolbarTotal('app;dur=3, hdt-total;dur=4.12;desc="hono-debug-toolbar"') // 4.12
 * toolbarTotal(null) // undefined
 * ```
 */
export function toolbarTotal(serverTiming: string | null): number | undefined {
  if (!serverTiming) return undefined
  for (const entry of serverTiming.split(',')) {
    const [name, ...params] = entry.split(';')
    if (name!.trim() !== TOTAL_METRIC) continue
    for (const param of params) {
      const [key, value] = param.split('=')
      if (key!.trim() === 'dur' && value !== undefined) {
        const ms = Number(value.trim())
        return Number.isFinite(ms) && ms >= 0 ? ms : undefined
      }
    }
  }
  return undefined
}

const HEADER = 'X-Debug-Toolbar-Request-Id'
/** The page may make many calls; the list keeps the newest few. */
const MAX_KEPT = 30

/**
 * The requests made by this page, newest first. Like django-debug-toolbar's update-on-fetch:
 * every same-origin response that carries `X-Debug-Toolbar-Request-Id` is added, and the
 * toolbar can be switched to it.
 *
 * @example
 * ```ts
 * const requests = new PageRequests()
 * followPageRequests('/_debug_toolbar', requests)
 * requests.subscribe((list) => console.log(list.length))
 * ```
 */
export class PageRequests {
  private list: PageRequest[] = []
  private readonly listeners = new Set<(list: PageRequest[]) => void>()

  add(request: PageRequest): void {
    if (this.list.some((r) => r.id === request.id)) return
    this.list = [request, ...this.list].slice(0, MAX_KEPT)
    for (const listener of this.listeners) listener(this.list)
  }

  get current(): PageRequest[] {
    return this.list
  }

  /** Calls `listener` on every change; returns the function that stops it. */
  subscribe(listener: (list: PageRequest[]) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}

/**
 * Wraps the page's `fetch` and `XMLHttpRequest` so that their recorded responses are added
 * to `requests`. The page gets the very same promises and events as before: the toolbar
 * only reads a response header on the side. Calls to the toolbar's own routes are skipped.
 *
 * @example
 * ```ts
 * followPageRequests(prefix, requests)
 * ```
 */
export function followPageRequests(prefix: string, requests: PageRequests): void {
  const note = (method: string, rawUrl: string, status: number, id: string | null, serverTiming: string | null) => {
    if (!id) return
    let url: URL
    try {
      url = new URL(rawUrl, location.href)
    } catch {
      return
    }
    // Only our own origin: another origin's ids belong to another toolbar.
    if (url.origin !== location.origin) return
    if (url.pathname === prefix || url.pathname.startsWith(`${prefix}/`)) return
    requests.add({ id, method: method.toUpperCase(), path: url.pathname + url.search, status, durationMs: toolbarTotal(serverTiming) })
  }

  const originalFetch = window.fetch as unknown as (input: unknown, init?: RequestInit) => Promise<Response>
  if (typeof originalFetch === 'function') {
    window.fetch = function followedFetch(this: unknown, input: RequestInfo | URL, init?: RequestInit) {
      const promise = originalFetch.call(this ?? window, input, init)
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET')
      const requested = input instanceof Request ? input.url : String(input)
      // A side branch: the page's promise is returned untouched, its rejection stays the page's.
      promise.then(
        (res) => note(method, res.url || requested, res.status, res.headers.get(HEADER), res.headers.get('server-timing')),
        () => undefined,
      )
      return promise
    } as typeof fetch
  }

  const opened = new WeakMap<XMLHttpRequest, { method: string; url: string }>()
  const proto = XMLHttpRequest.prototype
  const open = proto.open
  const send = proto.send
  proto.open = function followedOpen(this: XMLHttpRequest, method: string, url: string | URL, ...rest: unknown[]) {
    opened.set(this, { method, url: String(url) })
    return (open as (...args: unknown[]) => void).call(this, method, url, ...rest)
  } as typeof proto.open
  proto.send = function followedSend(this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
    const xhr = this
    xhr.addEventListener('loadend', () => {
      const info = opened.get(xhr)
      if (info && xhr.status) note(info.method, xhr.responseURL || info.url, xhr.status, xhr.getResponseHeader(HEADER), xhr.getResponseHeader('Server-Timing'))
    })
    return send.call(this, body)
  }
}
