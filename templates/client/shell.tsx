import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks'
import type { PageRequests } from './follow-requests.js'
import { Handle } from './handle.js'
import { Pane } from './pane.js'
import { useRequestDetail, type DetailCache } from './request-detail.js'
import { Sidebar } from './sidebar.js'
import { loadState, saveState } from './toolbar-state.js'

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
 * the open panel. Esc closes the pane, then the sidebar. Open/closed and the last panel are
 * kept in localStorage; the full-page view is always open.
 */
export function Shell({ prefix, requestId: pageRequestId, mode, pageRequests }: ShellProps) {
  const page = mode === 'page'
  const cache = useMemo<DetailCache>(() => new Map(), [])
  const saved = useMemo(loadState, [])
  const [requestId, setRequestId] = useState(pageRequestId)
  const [open, setOpen] = useState(page || saved.open)
  const [panel, setPanel] = useState<string | undefined>(saved.open || page ? saved.panel : undefined)
  const [followed, setFollowed] = useState(pageRequests.current)
  const { detail, error } = useRequestDetail(prefix, requestId, cache)
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

  useEffect(() => {
    if (!page || !requestId) return
    history.replaceState(null, '', `${prefix}/requests/${encodeURIComponent(requestId)}`)
    if (detail) document.title = `Debug toolbar: ${detail.method} ${detail.path}`
  }, [page, prefix, requestId, detail])

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
  }, [panel, detail])
  const hide = useCallback(() => {
    pendingFocus.current = 'handle'
    setPanel(undefined)
    setOpen(false)
  }, [])
  const openPanel = useCallback((id: string) => {
    pendingFocus.current = 'pane'
    setPanel(id)
  }, [])
  const closePanel = useCallback(() => {
    setPanel((current) => {
      pendingFocus.current = current ? `nav:${current}` : undefined
      return undefined
    })
  }, [])
  const openRequest = useCallback((id: string) => setRequestId(id), [])

  const latest = useRef({ open, shownPanel })
  latest.current = { open, shownPanel }
  useEffect(() => {
    if (page) return
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return
      if (latest.current.shownPanel) closePanel()
      else if (latest.current.open) hide()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [page, closePanel, hide])

  return (
    <div class={`hdt-root${page ? ' hdt-page' : ''}`} ref={root}>
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
        <Pane prefix={prefix} panelId={shownPanel} detail={detail} onClose={page ? undefined : closePanel} openRequest={openRequest} openPanel={openPanel} />
      )}
    </div>
  )
}
