/**
 * Waiting for spans that arrive at a peer, without polling: every arrival re-checks the
 * waiters' predicates.
 */

export interface Waiter<T> {
  /** Tell the waiters that new items arrived. */
  notify(): void
  /** Resolves with all items once `pred(items)` holds; rejects after `timeoutMs` saying what did arrive. */
  wait(pred: (items: T[]) => boolean, timeoutMs: number): Promise<T[]>
}

/**
 * Builds a waiter over a list the peer keeps.
 *
 * @example
 * ```ts
 * const waiter = createWaiter(() => spans)
 * spans.push(...received); waiter.notify()
 * await waiter.wait((all) => all.length >= 2, 5000)
 * ```
 */
export function createWaiter<T>(items: () => T[], describe: (item: T) => string): Waiter<T> {
  const waiting = new Set<() => void>()
  return {
    notify() {
      for (const check of [...waiting]) check()
    },
    wait(pred, timeoutMs) {
      return new Promise<T[]>((resolve, reject) => {
        const check = () => {
          const current = items()
          if (!pred(current)) return
          waiting.delete(check)
          clearTimeout(timer)
          resolve(current)
        }
        const timer = setTimeout(() => {
          waiting.delete(check)
          const seen = items().map(describe)
          reject(new Error(`spans did not arrive within ${timeoutMs} ms; received ${seen.length}: ${seen.join(', ') || 'none'}`))
        }, timeoutMs)
        waiting.add(check)
        check()
      })
    },
  }
}
