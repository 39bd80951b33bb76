/**
 * Flushing buffered work when the process is asked to stop: on the first SIGINT or SIGTERM
 * every live target (span exporters, durable stores' write queues) flushes, all at once and
 * bounded (never hanging), then the signal is raised again so the process ends as it would
 * have without the toolbar. One handler for everything: two handlers that each re-raised
 * the signal would end the process before the slower one had flushed.
 */

/** Something that flushes and closes its exporters. */
export interface Flushable {
  shutdown(): Promise<void>
}

const live = new Set<Flushable>()
let installed = false

/** Most time spent flushing before the signal is re-raised (ms). */
const FLUSH_BOUND_MS = 3000

/**
 * Flushes `target` when the process gets SIGINT or SIGTERM; returns the function that stops that.
 *
 * @example
 * ```ts
 * const forget = flushOnSignals(panel)
 * ```
 */
export function flushOnSignals(target: Flushable): () => void {
  live.add(target)
  if (!installed) {
    installed = true
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void flushAndReraise(signal))
  }
  return () => live.delete(target)
}

/**
 * Resolves when `work` settles or after `ms` (default: the 3 s a signal waits for flushes),
 * whichever comes first; never rejects. Its timer does not keep the process alive.
 *
 * @example
 * ```ts
 * await settleWithin(store.flush()) // written, or 3 s passed (a database that does not answer)
 * ```
 */
export function settleWithin(work: Promise<unknown>, ms = FLUSH_BOUND_MS): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    timer.unref()
    const done = () => {
      clearTimeout(timer)
      resolve()
    }
    void work.then(done, done)
  })
}

async function flushAndReraise(signal: NodeJS.Signals): Promise<void> {
  await settleWithin(Promise.allSettled([...live].map((target) => target.shutdown())))
  // Our listener is gone (`once`). When the app listens too, the signal is its business (it
  // already got it); otherwise raising it again lets Node's default action end the process.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
}
