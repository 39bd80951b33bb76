/** What the toolbar remembers between page loads: open or closed, and the last panel. */
export interface SavedState {
  open: boolean
  panel?: string
}

const KEY = 'hono-debug-toolbar'

/** Reads the saved state; storage can be disabled or full, so failures mean "closed". */
export function loadState(): SavedState {
  try {
    const parsed = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<SavedState>
    return { open: parsed.open === true, panel: typeof parsed.panel === 'string' ? parsed.panel : undefined }
  } catch {
    return { open: false }
  }
}

/** Saves the state; a storage error only means the next page starts closed. */
export function saveState(state: SavedState): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(state))
  } catch {
    // Private windows and full quotas throw here; the toolbar works without persistence.
  }
}

const NAME_WIDTH_KEY = 'hono-debug-toolbar.span-names'

/** The narrowest and widest the waterfall's span-name column can be dragged (% of its width). */
export const NAME_WIDTH_RANGE = { min: 15, max: 85 } as const

/**
 * The width (% of the waterfall) the developer gave the span-name column, the same for every
 * trace until it is changed again, as in Jaeger's trace view; undefined when never set (the
 * stylesheet's default then), or when storage cannot be read.
 *
 * @example
 * ```ts
 * loadNameWidth() // 52, after the divider was dragged to the middle on an earlier page
 * ```
 */
export function loadNameWidth(): number | undefined {
  try {
    const width = Number(localStorage.getItem(NAME_WIDTH_KEY) ?? Number.NaN)
    return width >= NAME_WIDTH_RANGE.min && width <= NAME_WIDTH_RANGE.max ? width : undefined
  } catch {
    return undefined
  }
}

/**
 * Keeps the span-name column's width for the next trace and page; undefined forgets it.
 *
 * @example
 * ```ts
 * saveNameWidth(52)
 * saveNameWidth(undefined) // back to the stylesheet's default
 * ```
 */
export function saveNameWidth(width: number | undefined): void {
  try {
    if (width === undefined) localStorage.removeItem(NAME_WIDTH_KEY)
    else localStorage.setItem(NAME_WIDTH_KEY, String(width))
  } catch {
    // As saveState: the width then lasts as long as the page.
  }
}
