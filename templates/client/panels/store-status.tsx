import { useEffect, useState } from 'preact/hooks'
import type { StoreStatus } from '../../../src/core/store.js'
import { getJson } from '../toolbar-api.js'

const NAMES: Record<string, string> = { memory: 'in memory (this process)', sqlite: 'SQLite', postgres: 'PostgreSQL' }

/**
 * Which store the history is read from, and how many instances wrote to it; when its
 * database does not answer, says so, with what is waiting and what was lost, so that an
 * incomplete history is never shown as if it were whole. Loaded live from `{prefix}/api/store`.
 */
export function StoreStatusLine({ prefix, reload }: { prefix: string; reload: number }) {
  const [status, setStatus] = useState<StoreStatus | undefined>(undefined)
  const [failure, setFailure] = useState<string | undefined>(undefined)

  useEffect(() => {
    const controller = new AbortController()
    getJson<StoreStatus>(`${prefix}/api/store`, controller.signal).then(
      (answer) => (setStatus(answer), setFailure(undefined)),
      (error: unknown) => {
        if (!controller.signal.aborted) setFailure(error instanceof Error ? error.message : String(error))
      },
    )
    return () => controller.abort()
  }, [prefix, reload])

  if (failure) return <p class="hdt-error-note">The store's state could not be read: {failure}</p>
  if (!status) return null
  const instances = status.instances === 1 ? '1 instance' : `${status.instances} instances`
  return (
    <div class="hdt-store-status" data-hdt-store={status.kind}>
      <p class="hdt-muted">
        Store: <strong>{NAMES[status.kind] ?? status.kind}</strong>
        {status.location ? (
          <>
            {' '}
            · <code>{status.location}</code>
          </>
        ) : null}
        {status.kind !== 'memory' && status.available ? ` · ${instances} wrote to it · this one is ${status.instance}` : ''}
        {status.dropped ? ` · ${status.dropped === 1 ? '1 write' : `${status.dropped} writes`} lost` : ''}
      </p>
      {!status.available && (
        <p class="hdt-error-note" role="alert">
          The store is unavailable: {status.error ?? 'its database does not answer'}.{' '}
          {status.queued === 1 ? '1 write is' : `${status.queued} writes are`} waiting and will be retried; the history may be incomplete.
        </p>
      )}
    </div>
  )
}
