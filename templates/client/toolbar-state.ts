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
