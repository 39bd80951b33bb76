import { Component, type ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { panelViews } from './panels/index.js'
import { getText } from './toolbar-api.js'
import type { OpenPanel, PanelTarget, RequestDetail } from './types.js'

interface PanelContentProps {
  prefix: string
  request: RequestDetail
  panelId: string
  openRequest(id: string): void
  openPanel?: OpenPanel | undefined
  target?: PanelTarget | undefined
}

/**
 * The content of one panel for one request: the panel's browser component when the bundle
 * has one, else the HTML the server renders for it (custom panels).
 */
export function PanelContent({ prefix, request, panelId, openRequest, openPanel, target }: PanelContentProps) {
  const stats = request.panels[panelId]
  const failure = request.failures?.[panelId] ?? panelFailure(stats)
  if (failure) return <p class="hdt-error-note">{failure}</p>
  const view = panelViews[panelId]
  if (!view) return <ServerHtml prefix={prefix} request={request} panelId={panelId} />
  const View = view.component
  return (
    <PanelErrorBoundary key={`${request.id}/${panelId}`}>
      <View stats={stats} request={request} prefix={prefix} openRequest={openRequest} openPanel={openPanel} target={target} />
    </PanelErrorBoundary>
  )
}

/** A panel without stats for this request (its failure, if any, is in `request.failures`). */
function panelFailure(stats: unknown): string | undefined {
  if (stats === undefined) return 'This panel has no data for this request.'
  return undefined
}

function ServerHtml({ prefix, request, panelId }: { prefix: string; request: RequestDetail; panelId: string }) {
  const container = useRef<HTMLDivElement>(null)
  const [state, setState] = useState<'loading' | 'ready' | string>('loading')

  useEffect(() => {
    const controller = new AbortController()
    setState('loading')
    const url = `${prefix}/api/requests/${encodeURIComponent(request.id)}/panels/${encodeURIComponent(panelId)}/html`
    getText(url, controller.signal).then(
      (html) => {
        // Rendered by preact-render-to-string on the server, which escapes every value the
        // panel shows; this is the toolbar's own markup, not user input.
        if (container.current) container.current.innerHTML = html
        setState('ready')
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState(`Could not load this panel: ${error instanceof Error ? error.message : String(error)}`)
      },
    )
    return () => controller.abort()
    // A snapshot of an in-flight request changes while it runs: reload with it.
  }, [prefix, request, panelId])

  return (
    <>
      {state === 'loading' && <p class="hdt-muted hdt-loading">Loading…</p>}
      {state !== 'loading' && state !== 'ready' && <p class="hdt-error-note">{state}</p>}
      <div class="hdt-server-html" ref={container} />
    </>
  )
}

/** A panel that throws while rendering shows its error instead of breaking the toolbar. */
class PanelErrorBoundary extends Component<{ children: ComponentChildren }, { error?: string }> {
  state: { error?: string } = {}

  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error.message : String(error) }
  }

  render() {
    return this.state.error ? <p class="hdt-error-note">This panel failed to render: {this.state.error}</p> : this.props.children
  }
}
