import { useCallback, useEffect, useState } from 'preact/hooks'
import type { OpenTelemetryStats } from '../../src/opentelemetry/panel.js'
import { liveEvents } from './live-events.js'
import { ApiError, getJson } from './toolbar-api.js'
import type { RequestDetail } from './types.js'

/** Finished requests by id: each is fetched once, whichever panels are opened. */
export type DetailCache = Map<string, RequestDetail>

export interface DetailState {
  detail: RequestDetail | undefined
  error: string | undefined
}

/** The detail with `refresh()`: read it again when the user opens the toolbar or a panel. */
export interface DetailHandle extends DetailState {
  refresh(): void
}

/**
 * When each finished detail was fetched. Work a request left running can still log into it
 * after the response (an email sent after the answer): a copy older than `STALE_MS` is read
 * again when the user opens a panel, as django-debug-toolbar reads a panel when it is opened.
 */
const fetchedAt = new WeakMap<RequestDetail, number>()
const STALE_MS = 1000

// A request is stored a moment after its last byte was sent, so a page that asks at once can
// get a 404 or an in-flight snapshot: ask again, less and less often.
const FIRST_RETRY_MS = 200
const MAX_RETRY_MS = 4000
const NOT_FOUND_RETRIES = 4
// The panel list's figures are read again this long after a span joined the request's trace
// (the spans of one export come in several events); while the request is not in hand yet,
// as often, up to NAV_WAITS times.
const NAV_REREAD_MS = 250
const NAV_WAITS = 20
// When the stream opens, a detail read longer ago than this, or of a request that called
// other services with its trace, has its figures read again.
const NAV_FRESH_MS = 1000

/**
 * The detail of request `id`, fetched once per id and kept in `cache`. While the request is
 * still in flight, the snapshot is shown and fetched again shortly after, and at once when
 * the live events (followed by an open live panel) say it finished.
 *
 * @example
 * ```tsx
 * const cache = useMemo<DetailCache>(() => new Map(), [])
 * const { detail, error } = useRequestDetail(prefix, requestId, cache)
 * ```
 */
export function useRequestDetail(prefix: string, id: string, cache: DetailCache): DetailHandle {
  const [state, setState] = useState<DetailState & { id: string }>(() => ({ id, detail: cache.get(id), error: undefined }))
  const [refreshes, setRefreshes] = useState(0)

  useEffect(() => {
    if (!id) return
    const cached = cache.get(id)
    setState({ id, detail: cached, error: undefined })
    if (cached) return
    const controller = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    let attempt = 0
    let finished = false
    const load = async () => {
      timer = undefined
      try {
        const detail = await readDetail(prefix, id, controller.signal)
        fetchedAt.set(detail, Date.now())
        if (!detail.inFlight) cache.set(id, detail)
        setState({ id, detail, error: undefined })
        if (detail.inFlight) retry()
      } catch (error) {
        if (controller.signal.aborted) return
        if (error instanceof ApiError && error.status === 404 && attempt < NOT_FOUND_RETRIES) return retry()
        setState((prev) => ({ ...prev, error: error instanceof Error ? error.message : String(error) }))
      }
    }
    const retry = () => {
      timer = setTimeout(load, finished ? FIRST_RETRY_MS : Math.min(FIRST_RETRY_MS * 2 ** attempt++, MAX_RETRY_MS))
    }
    const loadNow = () => {
      if (timer === undefined) return
      clearTimeout(timer)
      void load()
    }
    // The retries of a long stream are seconds apart: while a live panel keeps the event
    // stream open, its request.finished is the moment to read the finished request, and a
    // panel that connects now did not see the events sent before (History lists it done).
    const client = liveEvents(prefix)
    const stopEvents = client.observe((message) => {
      if (message.type !== 'request.finished' || message.data.requestId !== id) return
      finished = true
      loadNow()
    })
    const stopStatus = client.onStatus((status) => status === 'live' && loadNow())
    void load()
    return () => {
      stopEvents()
      stopStatus()
      controller.abort()
      clearTimeout(timer)
    }
  }, [prefix, id, cache])

  // Spans that join the request's trace (a downstream service's, late) change the panel list's
  // figures ("2 spans" becomes "4 spans"): while a live panel keeps the event stream open,
  // the subtitles are read again. Only `nav` is replaced, so the open panel keeps its stats.
  // The events are followed from the moment the request is shown, not from when its detail
  // came: a span that joins while the detail is read changes them too. Spans that joined
  // while the stream was shut told nobody: when it opens, the subtitles are read again, once,
  // for a detail read over a second before or of a request that called other services.
  useEffect(() => {
    if (!id) return
    const controller = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    let waits = 0
    const schedule = () => {
      timer ??= setTimeout(reread, NAV_REREAD_MS)
    }
    const reread = async () => {
      timer = undefined
      // Not read yet, or still in flight: the read under way may have been answered before
      // the span joined, so look again once the finished request is in hand.
      if (!cache.has(id)) {
        if (waits++ < NAV_WAITS) schedule()
        return
      }
      waits = 0
      try {
        const fresh = await readDetail(prefix, id, controller.signal)
        setState((previous) => {
          if (previous.id !== id || !previous.detail) return previous
          const detail = { ...previous.detail, nav: fresh.nav }
          cache.set(id, detail)
          return { ...previous, detail }
        })
      } catch {
        // The figures stay as they were; the panel itself shows what failed.
      }
    }
    const client = liveEvents(prefix)
    const stopEvents = client.observe((message) => {
      if (!message.type.startsWith('trace.')) return
      // By the request's id; by its trace's id too once the detail says it.
      const { requestId, traceId } = message.data
      if (requestId === id || (traceId !== undefined && traceId === cache.get(id)?.traceId)) schedule()
    })
    const stopStatus = client.onStatus((status) => {
      if (status !== 'live') return
      // A detail read a moment ago is as fresh as what the stream could have said before it
      // opened, unless other services were called with its trace: their spans come when they
      // come, a moment after the read as well as later.
      const detail = cache.get(id)
      if (detail?.traceId && (calledOthers(detail) || Date.now() - (fetchedAt.get(detail) ?? 0) > NAV_FRESH_MS)) schedule()
    })
    return () => {
      stopEvents()
      stopStatus()
      clearTimeout(timer)
      controller.abort()
    }
  }, [prefix, id, cache])

  // Read again on `refresh()` when the finished copy is old enough to have missed a late line.
  useEffect(() => {
    const cached = cache.get(id)
    if (!refreshes || !cached || Date.now() - (fetchedAt.get(cached) ?? 0) < STALE_MS) return
    const controller = new AbortController()
    readDetail(prefix, id, controller.signal).then(
      (fresh) => {
        fetchedAt.set(fresh, Date.now())
        // The copy in hand stays when nothing was written since: the open panel keeps its state.
        if (JSON.stringify(fresh.panels) === JSON.stringify(cached.panels)) return fetchedAt.set(cached, Date.now())
        cache.set(id, fresh)
        setState((previous) => (previous.id === id ? { ...previous, detail: fresh } : previous))
      },
      () => {
        // The copy in hand stays; the next opening tries again.
      },
    )
    return () => controller.abort()
  }, [prefix, id, cache, refreshes])
  const refresh = useCallback(() => setRefreshes((n) => n + 1), [])

  // Until the effect has run for a new id, the previous request's state must not be shown as this one's.
  return { ...(state.id === id ? state : { detail: cache.get(id), error: undefined }), refresh }
}

/** Request `id` with every panel's stats, as the toolbar's API answers it now. */
function readDetail(prefix: string, id: string, signal: AbortSignal): Promise<RequestDetail> {
  return getJson<RequestDetail>(`${prefix}/api/requests/${encodeURIComponent(id)}`, signal)
}

/** Whether the request passed its trace's context to another service (the OpenTelemetry panel's Context). */
function calledOthers(detail: RequestDetail): boolean {
  const otel = detail.panels.opentelemetry as OpenTelemetryStats | undefined
  return (otel?.context?.outgoing.length ?? 0) > 0
}
