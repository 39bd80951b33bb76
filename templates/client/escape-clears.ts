/**
 * Esc in a field that has something to undo clears it, as a native `type=search` field
 * does, and is not seen by the toolbar's own Esc (which closes the pane); in a field with
 * nothing to undo Esc closes the pane as anywhere else. A field is cleared when it is empty,
 * or when `isCleared` says so of its value (a number field whose cleared state is its
 * default). A number still being typed (`1e`) reads as empty but is not: Esc drops it.
 *
 * @example
 * ```tsx
 * <input type="search" value={search} onInput={…} onKeyDown={escapeClears(() => setSearch(''))} />
 * <input type="number" value={foldAt} onInput={…} onKeyDown={escapeClears(() => setFoldAt(3), (value) => value === '3')} />
 * ```
 */
export function escapeClears(clear: () => void, isCleared: (value: string) => boolean = (value) => value === ''): (event: KeyboardEvent) => void {
  return (event) => {
    if (event.key !== 'Escape') return
    const input = event.currentTarget as HTMLInputElement
    const unfinished = input.validity?.badInput === true
    if (!unfinished && isCleared(input.value)) return
    event.preventDefault()
    // The state may already hold the cleared value, and then nothing re-renders the field.
    if (unfinished) input.value = ''
    clear()
  }
}
