import { useLayoutEffect, useRef } from 'preact/hooks'

/**
 * Keeps the keyboard focus in the waterfall while the span detail beside it opens and closes.
 * Closing the detail (its ×, or Esc inside it or in the waterfall) focuses the waterfall, and
 * so does a button of the detail that disappears once used ("Parent", when the parent is the
 * root): without this the focus would fall to the page's <body>. Esc closes the detail first;
 * only the next Esc reaches the toolbar and closes the pane.
 *
 * @example
 * ```tsx
 * const focus = useSpanDetailFocus(selectedId, setSelectedId)
 * <div onKeyDown={focus.onKeyDown}>
 *   <Waterfall gridRef={focus.grid} … />
 *   {selected && <SpanDetail onClose={focus.close} onSelect={focus.select} … />}
 * </div>
 * ```
 */
export function useSpanDetailFocus(selectedId: string | undefined, setSelectedId: (spanId: string | undefined) => void) {
  const grid = useRef<HTMLDivElement>(null)
  // The element that had the focus when a button of the detail chose another span.
  const used = useRef<Element | null>(null)
  useLayoutEffect(() => {
    const element = used.current
    used.current = null
    if (element && !element.isConnected) grid.current?.focus()
  })
  const close = () => {
    setSelectedId(undefined)
    grid.current?.focus()
  }
  return {
    grid,
    close,
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
