/**
 * A typed name of a per-request slot: `slotKey<QueryLog>('sql')`. The type travels with the
 * key, so `record.slot(SQL, ...)` and `record.peek(SQL)` agree without casts. It lives with
 * the shared shapes (no Node import), so modules the browser bundle imports can declare keys.
 */
export interface SlotKey<T> {
  readonly name: string
  /** Only carries the type; never set. */
  readonly type?: T
}

/**
 * Makes a typed slot key.
 *
 * @example
 * ```ts
 * const CACHE = slotKey<{ hits: number }>('cache')
 * record.slot(CACHE, () => ({ hits: 0 })).hits++
 * ```
 */
export function slotKey<T>(name: string): SlotKey<T> {
  return { name }
}
