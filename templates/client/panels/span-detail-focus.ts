import { useLayoutEffect, useRef } from 'preact/hooks'

/**
 * Keeps the keyboard focus in the waterfall while the span detail beside it opens and closes.
 * Closing the detail (its ×, or Esc inside it or in the waterfall) focuses the waterfall, and
 * so does a button of the detail that disappears once used ("Parent", when the parent is the
 * root): without this the focus would fall to the page's <body>. Esc closes the detail first;
 * only the next Esc reaches the toolbar and closes the pane. In a panel too narrow for both side
 * by side (opentelemetry.css) the detail opens under the waterfall, out of sight: a span picked
 * by a click scrolls it into view (a span picked with the arrow keys does not, so the rows the
 * user moves through stay put).
 *
 * @example
 * ```tsx
 * const focus = useSpanDetailFocus(selectedId, setSelectedId)
 * <div ref={focus.body} onKeyDown={focus.onKeyDown} onClickCapture={focus.onClick} onKeyDownCapture={focus.onKeyDownCapture}>
 *   <Waterfall gridRef={focus.grid} … />
 *   {selected && <SpanDetail onClose={focus.close} onSelect={focus.select} … />}
 * </div>
 * ```
 */
export function useSpanDetailFocus(selectedId: string | undefined, setSelectedId: (spanId: string | undefined) => void) {
  const grid = useRef<HTMLDivElement>(null)
  // The element that had the focus when a button of the detail chose another span.
  const used = useRef<Element | null>(null)
  const body = useRef<HTMLDivElement>(null)
  // Set by a click in the waterfall or the detail, read once the detail has rendered. Set in
  // the capture phase: the row's own click handler selects, and the render may run before the
  // click bubbles up.
  const clicked = useRef(false)
  useLayoutEffect(() => {
    const element = used.current
    used.current = null
    if (element && !element.isConnected) grid.current?.focus()
  })
  useLayoutEffect(() => {
    const wasClicked = clicked.current
    clicked.current = false
    if (!wasClicked || selectedId === undefined) return
    const detail = body.current?.querySelector('.hdt-span-detail')
    const waterfall = grid.current
    // Beside the waterfall the detail is in view already: the pane stays where it was.
    if (detail && waterfall && detail.getBoundingClientRect().top >= waterfall.getBoundingClientRect().bottom - 1) detail.scrollIntoView({ block: 'nearest' })
  }, [selectedId])
  const close = () => {
    setSelectedId(undefined)
    grid.current?.focus()
  }
  return {
    grid,
    body,
    close,
    onClick() {
      clicked.current = true
    },
    // A key pressed after a click that picked no span (a fold toggle, say): its pick is the keyboard's.
    onKeyDownCapture() {
      clicked.current = false
    },
    select(spanId: string) {
      used.current = (grid.current?.getRootNode() as Document | ShadowRoot | undefined)?.activeElement ?? null
      setSelectedId(spanId)
    },
    onKeyDown(event: KeyboardEvent) {
      if (event.key !== 'Escape' || event.defaultPrevented || selectedId === undefined) return
      event.preventDefault()
      close()
    },
  }
}
