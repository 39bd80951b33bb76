import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks'
import type { PageRequests } from './follow-requests.js'
import { Handle } from './handle.js'
import { Pane } from './pane.js'
import { useRequestDetail, type DetailCache } from './request-detail.js'
import { Sidebar } from './sidebar.js'
import { loadState, saveState } from './toolbar-state.js'
import type { PanelTarget } from './types.js'

export interface ShellProps {
  prefix: string
  /** The request the page was (the injected toolbar), or the one asked for (full-page view). */
  requestId: string
  /** `page`: the full-size view served by the toolbar itself, for API-only apps. */
  mode: 'toolbar' | 'page'
  pageRequests: PageRequests
}

/**
 * The toolbar: a handle at the right edge, a sidebar listing the panels, and a pane with
 * the open panel. Esc typed inside the toolbar closes the pane, then the sidebar. Open/closed and the last panel are
 * kept in localStorage; the full-page view is always open.
 */
export function Shell({ prefix, requestId: pageRequestId, mode, pageRequests }: ShellProps) {
  const page = mode === 'page'
  const cache = useMemo<DetailCache>(() => new Map(), [])
  const saved = useMemo(loadState, [])
  const [requestId, setRequestId] = useState(pageRequestId)
  const [open, setOpen] = useState(page || saved.open)
  const [panel, setPanel] = useState<string | undefined>(saved.open || page ? saved.panel : undefined)
  // Where another panel opened the shown one (the waterfall's N+1 badge); the panel list opens panels at their start.
  const [target, setTarget] = useState<PanelTarget>()
  const [followed, setFollowed] = useState(pageRequests.current)
  // The full-page view in a phone-wide window: the panel covers the panel list until its
  // Panels button shows the list (a wide window shows both, whatever this says).
  const [listShown, setListShown] = useState(false)
  const { detail, error, refresh } = useRequestDetail(prefix, requestId, cache)
  const root = useRef<HTMLDivElement>(null)
  // Focus moves only after the user acted, never when a page loads with the toolbar open.
  const pendingFocus = useRef<string | undefined>(undefined)

  useEffect(() => pageRequests.subscribe(setFollowed), [pageRequests])
  useEffect(() => {
    if (!page) saveState({ open, panel })
  }, [page, open, panel])

  // The full-page view always shows a panel: the last one used, else the first.
  const known = detail?.nav.some((n) => n.id === panel)
  const shownPanel = known ? panel : page ? detail?.nav[0]?.id : detail ? undefined : panel

  // The full-page view's URL names the shown request: the first one replaces the URL it was
  // opened at (the prefix alone shows the latest), each switch adds a history entry, and
  // Back and Forward show the request of their entry.
  useEffect(() => {
    if (!page || !requestId) return
    if (location.pathname !== requestPath(prefix, requestId)) history.replaceState(null, '', requestPath(prefix, requestId))
    if (detail) document.title = `Debug toolbar: ${detail.method} ${detail.path}`
  }, [page, prefix, requestId, detail])
  useEffect(() => {
    if (!page) return
    const onPop = () => {
      const id = requestInPath(prefix, location.pathname)
      if (id) setRequestId(id)
    }
    window.addEventListener('popstate', onPop)
    return () => window.removeEventListener('popstate', onPop)
  }, [page, prefix])

  useLayoutEffect(() => {
    const target = pendingFocus.current
    if (!target || !root.current) return
    const element = root.current.querySelector<HTMLElement>(`[data-hdt-focus="${CSS.escape(target)}"]`)
    if (element) {
      element.focus()
      pendingFocus.current = undefined
    }
  })

  const openToolbar = useCallback(() => {
    pendingFocus.current = panel ? 'pane' : `nav:${detail?.nav[0]?.id ?? ''}`
    setOpen(true)
    refresh()
  }, [panel, detail, refresh])
  const hide = useCallback(() => {
    pendingFocus.current = 'handle'
    setPanel(undefined)
    setOpen(false)
  }, [])
  const openPanel = useCallback(
    (id: string, at?: PanelTarget) => {
      pendingFocus.current = 'pane'
      setPanel(id)
      setTarget(at)
      setListShown(false)
      refresh()
    },
    [refresh],
  )
  const closePanel = useCallback(() => {
    setPanel((current) => {
      pendingFocus.current = current ? `nav:${current}` : undefined
      return undefined
    })
  }, [])
  const showPanels = useCallback(() => {
    pendingFocus.current = `nav:${shownPanel ?? ''}`
    setListShown(true)
  }, [shownPanel])
  const openRequest = useCallback(
    (id: string) => {
      if (page && requestInPath(prefix, location.pathname) !== id) history.pushState(null, '', requestPath(prefix, id))
      setRequestId(id)
    },
    [page, prefix],
  )
  // The pane's content is remounted for the other request, so the button used (History's
  // "Show") is gone: focus goes to the pane's heading rather than to the page's <body>.
  const openRequestFromPane = useCallback(
    (id: string) => {
      pendingFocus.current = 'pane'
      openRequest(id)
    },
    [openRequest],
  )

  const latest = useRef({ open, shownPanel })
  latest.current = { open, shownPanel }
  useEffect(() => {
    if (page) return
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return
      // Keys typed in the app's own page are the app's: only an Esc from inside the toolbar
      // (its shadow host is on the event's path) closes it.
      const host = (root.current?.getRootNode() as ShadowRoot | undefined)?.host
      if (!host || !event.composedPath().includes(host)) return
      if (latest.current.shownPanel) closePanel()
      else if (latest.current.open) hide()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [page, closePanel, hide])

  return (
    <div class={`hdt-root${page ? ' hdt-page' : ''}${page && listShown ? ' hdt-page-list' : ''}`} ref={root}>
      {!open && <Handle detail={detail} onOpen={openToolbar} />}
      {open && (
        <Sidebar
          detail={detail}
          error={error}
          requestId={requestId}
          pageRequestId={page ? '' : pageRequestId}
          followed={followed}
          panelId={shownPanel}
          onPanel={openPanel}
          onRequest={openRequest}
          onHide={page ? undefined : hide}
        />
      )}
      {open && shownPanel && (
        <Pane
          prefix={prefix}
          panelId={shownPanel}
          detail={detail}
          onClose={page ? undefined : closePanel}
          onShowPanels={page ? showPanels : undefined}
          openRequest={openRequestFromPane}
          openPanel={openPanel}
          target={target}
        />
      )}
    </div>
  )
}

function requestPath(prefix: string, requestId: string): string {
  return `${prefix}/requests/${encodeURIComponent(requestId)}`
}

/** The request id in a full-page view's path, if the path is one. */
function requestInPath(prefix: string, pathname: string): string | undefined {
  const start = `${prefix}/requests/`
  if (!pathname.startsWith(start)) return undefined
  const id = pathname.slice(start.length)
  return id && !id.includes('/') ? decodeURIComponent(id) : undefined
}
