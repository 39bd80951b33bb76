/**
 * Esc in a search field that has text clears it, as a native `type=search` field does, and
 * is not seen by the toolbar's own Esc (which closes the pane); in an empty field Esc closes
 * the pane as anywhere else.
 *
 * @example
 * ```tsx
 * <input type="search" value={search} onInput={…} onKeyDown={escapeClears(() => setSearch(''))} />
 * ```
 */
export function escapeClears(clear: () => void): (event: KeyboardEvent) => void {
  return (event) => {
    if (event.key !== 'Escape' || !(event.currentTarget as HTMLInputElement).value) return
    event.preventDefault()
    clear()
  }
}
